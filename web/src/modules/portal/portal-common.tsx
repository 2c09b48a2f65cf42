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
  return code === 'invalid-credentials' || code === 'second-factor-required' || code === 'invalid-code';
}

/** Translated label of a key that may be unknown to this build (a new state or role): the key itself then. */
export function useLabel() {
  const { t, i18n } = useTranslation();
  return (
    group: 'states' | 'productLines' | 'roles' | 'purposes',
    key: string | null | undefined,
  ): string => {
    if (!key) return '';
    const path = `portal.${group}.${key}`;
    return i18n.exists(path) ? (t as (key: string) => string)(path) : key;
  };
}
