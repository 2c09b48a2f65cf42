import type { Permission } from './auth-api';

/**
 * Whether the caller's rules (from `GET /auth/me`) allow an action on a subject. Only for showing or
 * hiding what the caller may use: the server decides every request on its own.
 */
export function can(
  permissions: readonly Permission[] | undefined,
  action: string,
  subject: string,
): boolean {
  return (permissions ?? []).some(
    (rule) =>
      (rule.action === action || rule.action === 'manage') &&
      (rule.subject === subject || rule.subject === 'all'),
  );
}
