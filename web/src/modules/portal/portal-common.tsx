import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/api-client';
import { useProblemMessage } from '../auth/problem-messages';
import type { portalZhCN } from './portal-i18n';

type PortalProblem = keyof typeof portalZhCN.problems;

/** A problem's message, worded for customers where the staff wording would not fit (sign-in, codes). */
export function usePortalProblemMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  const general = useProblemMessage();
  return (error) => {
    if (error instanceof ApiProblem && error.code && isPortalProblem(error.code))
      return t(`portal.problems.${error.code}`);
    return general(error);
  };
}

function isPortalProblem(code: string): code is PortalProblem {
  return (
    code === 'invalid-credentials' ||
    code === 'second-factor-required' ||
    code === 'invalid-code' ||
    code === 'changes-held' ||
    code === 'invalid-contact'
  );
}

/**
 * Translated label of a key that may be unknown to this build (a new state, role, audit action or
 * personal-data field): the key itself then. Dotted keys (`customer.name`, `personal-data.read`) are
 * nested in the strings, so a key naming a whole group is unknown too.
 */
export function useLabel() {
  const { t, i18n } = useTranslation();
  return (
    group: 'states' | 'productLines' | 'roles' | 'purposes' | 'fields' | 'actions',
    key: string | null | undefined,
  ): string => {
    if (!key) return '';
    const path = `portal.${group}.${key}`;
    if (!i18n.exists(path)) return key;
    const value: unknown = (t as (key: string, options: object) => unknown)(path, { returnObjects: true });
    return typeof value === 'string' ? value : key;
  };
}
