import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/api-client';
import { type TranslationResources, zhCN } from '../../i18n/zh-CN';

export type ProblemCode = keyof TranslationResources['problems'];
export type PasswordRejectionReason = keyof TranslationResources['passwordRejected'];

// zh-CN is the shape every language has (the key-parity test enforces it), so its keys tell what exists.
function isKeyOf<T extends object>(object: T, key: unknown): key is keyof T {
  return typeof key === 'string' && Object.hasOwn(object, key);
}

/**
 * The translated message for an error: by the problem's code (every code the server defines has one in
 * each language), with the reason for a rejected password; else a generic message.
 */
export function problemMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiProblem)) return t('errors.unreachable');
  const reason = error.extensions.reason;
  if (error.code === 'password-rejected' && isKeyOf(zhCN.passwordRejected, reason)) {
    return t(`passwordRejected.${reason}`);
  }
  if (isKeyOf(zhCN.problems, error.code)) return t(`problems.${error.code}`);
  return t('errors.unexpected');
}

export function useProblemMessage(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error) => problemMessage(t, error);
}
