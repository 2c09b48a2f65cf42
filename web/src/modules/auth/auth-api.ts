import { queryOptions } from '@tanstack/react-query';
import { apiDelete, apiGet, apiPost, apiPut, setCsrfToken } from '../../api/api-client';

export type StaffRole =
  | 'claims_intake'
  | 'adjuster'
  | 'surveyor'
  | 'claims_supervisor'
  | 'finance'
  | 'security_officer'
  | 'internal_auditor'
  | 'external_auditor'
  | 'admin';

/** A staff account as `GET /auth/me` and `/users` send it (dates as ISO strings). */
export type StaffUser = {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  branch: string | null;
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  accessExpiresAt: string | null;
  createdAt: string;
  lastLoginAt: string | null;
  /** The work email, masked (administrators' list and edits only); null: none on file. */
  email?: string | null;
};

export type SessionState = 'mfa-pending' | 'enrolment-required' | 'active';

export type Permission = { action: string; subject: string };

/** The body of `GET /api/v1/auth/me`. */
export type Me = {
  user: StaffUser;
  session: { id: string; state: SessionState; secondFactorFresh: boolean };
  secondFactor: { totp: boolean; passkeys: number; recoveryCodesLeft: number };
  csrfToken: string;
  permissions: Permission[];
};

export type LoginResult = {
  next: 'verify-second-factor' | 'enrol-second-factor' | 'change-password' | 'done';
  csrfToken: string;
  session: { id: string; expiresAt: string };
};

export type TotpEnrolment = { secret: string; uri: string; qrDataUrl: string };

export type StaffSessionView = {
  id: string;
  state: SessionState;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
};

export type ApiToken = {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export const meQueryKey = ['auth', 'me'] as const;

export const meQueryOptions = queryOptions({
  queryKey: meQueryKey,
  queryFn: async ({ signal }) => {
    const me = await apiGet<Me>('/api/v1/auth/me', { signal });
    setCsrfToken(me.csrfToken);
    return me;
  },
  retry: false,
  staleTime: 30_000,
});

export async function login(username: string, password: string): Promise<LoginResult> {
  const result = await apiPost<LoginResult>('/api/v1/auth/login', { username, password });
  setCsrfToken(result.csrfToken);
  return result;
}

export async function logout(): Promise<void> {
  try {
    await apiPost('/api/v1/auth/logout');
  } finally {
    setCsrfToken(undefined);
  }
}

// The routes that perform a second factor never ask for a step-up themselves.
export const verifySecondFactor = (code: string) =>
  apiPost<{ secondFactorAt: string }>('/api/v1/auth/second-factor', { code }, { stepUp: false });

export const redeemRecoveryCode = (code: string) =>
  apiPost<{ remaining: number }>('/api/v1/auth/recovery-code', { code }, { stepUp: false });

export const changePassword = (currentPassword: string, newPassword: string) =>
  apiPost<{ ok: true }>('/api/v1/auth/password', { currentPassword, newPassword });

export const startTotpEnrolment = () => apiPost<TotpEnrolment>('/api/v1/auth/totp/enrolment');

export const confirmTotpEnrolment = (code: string) =>
  apiPost<{ recoveryCodes: string[] }>('/api/v1/auth/totp/enrolment/confirm', { code }, { stepUp: false });

export const mySessionsQueryOptions = queryOptions({
  queryKey: ['auth', 'sessions'] as const,
  queryFn: ({ signal }) => apiGet<StaffSessionView[]>('/api/v1/auth/sessions', { signal }),
});

export const endMySession = (id: string) => apiDelete<{ ok: true }>(`/api/v1/auth/sessions/${id}`);

/** My work email, masked (issue 5 §1): where security alerts reach me. Each read is audited. */
export const myEmailQueryOptions = queryOptions({
  queryKey: ['auth', 'email'] as const,
  queryFn: ({ signal }) => apiGet<{ email: string | null }>('/api/v1/auth/me/email', { signal }),
});

/** Sets (or, with null, removes) my work email; the server asks for a fresh second factor. */
export const setMyEmail = (email: string | null) =>
  apiPut<{ email: string | null }>('/api/v1/auth/me/email', { email });

export const myTokensQueryOptions = queryOptions({
  queryKey: ['auth', 'tokens'] as const,
  queryFn: ({ signal }) => apiGet<ApiToken[]>('/api/v1/auth/tokens', { signal }),
});

export const createApiToken = (input: { name: string; scopes: string[]; expiresInDays: number }) =>
  apiPost<{ id: string; token: string; expiresAt: string }>('/api/v1/auth/tokens', input);

export const revokeApiToken = (id: string) => apiDelete<{ ok: true }>(`/api/v1/auth/tokens/${id}`);
