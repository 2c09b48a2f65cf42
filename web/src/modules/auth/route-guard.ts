import { ApiProblem } from '../../api/api-client';
import type { Me } from './auth-api';

export const LOGIN_PATH = '/login';
export const SETUP_PATH = '/setup';

export type GuardDecision =
  | { kind: 'allow' }
  | { kind: 'wait' }
  | { kind: 'redirect'; to: typeof LOGIN_PATH | typeof SETUP_PATH }
  | { kind: 'error'; error: unknown };

/** What a signed-in person still has to do before the console opens, or null when nothing. */
export function pendingSetup(me: Me): 'second-factor' | 'password' | 'enrolment' | null {
  if (me.session.state === 'mfa-pending') return 'second-factor';
  if (me.user.mustChangePassword) return 'password';
  if (me.session.state === 'enrolment-required') return 'enrolment';
  return null;
}

/** Problems that mean "no usable session": the person has to sign in (again). */
const SIGN_IN_AGAIN = new Set(['unauthenticated', 'session-expired', 'access-expired']);

export function needsSignIn(error: unknown): boolean {
  return (
    error instanceof ApiProblem &&
    (error.status === 401 || (error.code !== undefined && SIGN_IN_AGAIN.has(error.code)))
  );
}

/**
 * Where a console route may go, from the state of `GET /auth/me`: open only with an active session and
 * no password change pending. A session waiting for its second factor goes back to the sign-in page (which
 * asks for it); one waiting for a new password or an authenticator goes to the guided set-up.
 */
export function guardDecision(state: {
  me: Me | undefined;
  error: unknown;
  pending: boolean;
}): GuardDecision {
  if (state.me) {
    const pending = pendingSetup(state.me);
    if (pending === null) return { kind: 'allow' };
    return { kind: 'redirect', to: pending === 'second-factor' ? LOGIN_PATH : SETUP_PATH };
  }
  if (state.error) {
    return needsSignIn(state.error)
      ? { kind: 'redirect', to: LOGIN_PATH }
      : { kind: 'error', error: state.error };
  }
  return state.pending ? { kind: 'wait' } : { kind: 'redirect', to: LOGIN_PATH };
}

/** Only a path inside the console may be returned to after sign-in; anything else becomes the default. */
export function safeReturnPath(candidate: unknown, fallback: string): string {
  if (typeof candidate !== 'string' || !candidate.startsWith('/') || candidate.startsWith('//'))
    return fallback;
  if (candidate.startsWith(LOGIN_PATH) || candidate.startsWith(SETUP_PATH)) return fallback;
  return candidate;
}
