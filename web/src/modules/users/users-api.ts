import { queryOptions } from '@tanstack/react-query';
import { apiGet, apiPatch, apiPost } from '../../api/api-client';
import type { StaffRole, StaffUser } from '../auth/auth-api';

export const usersQueryOptions = queryOptions({
  queryKey: ['users'] as const,
  queryFn: ({ signal }) => apiGet<StaffUser[]>('/api/v1/users', { signal }),
});

export type NewUser = {
  username: string;
  displayName: string;
  role: StaffRole;
  branch: string | null;
  accessExpiresAt: string | null;
  /** Work email (issue 5 §1), or null for none. */
  email: string | null;
};

export type UserChanges = Partial<{
  role: StaffRole;
  branch: string | null;
  status: 'active' | 'disabled';
  accessExpiresAt: string | null;
  /** A new work email, or null to remove it. */
  email: string | null;
}>;

/**
 * The email part of an edit: the server only ever sends the address masked, so the form starts empty; an
 * address typed in replaces it, "remove" clears it, and an empty field leaves it as it is (undefined).
 */
export function emailChangeOf(
  user: StaffUser,
  typed: string | undefined,
  remove: boolean,
): string | null | undefined {
  const address = typed?.trim();
  if (address) return address;
  if (remove && user.email) return null;
  return undefined;
}

export const createUser = (input: NewUser) =>
  apiPost<{ user: StaffUser; oneTimePassword: string }>('/api/v1/users', input);

export const updateUser = (id: string, changes: UserChanges) =>
  apiPatch<StaffUser>(`/api/v1/users/${id}`, changes);

export const revokeUserSessions = (id: string) =>
  apiPost<{ revoked: number }>(`/api/v1/users/${id}/revoke-sessions`);

/** Only what differs from the user as loaded, so a PATCH names exactly the changes. */
export function changesOf(
  user: StaffUser,
  edited: Required<Omit<UserChanges, 'email'>> & Pick<UserChanges, 'email'>,
): UserChanges {
  const changes: UserChanges = {};
  if (edited.role !== user.role) changes.role = edited.role;
  if ((edited.branch ?? null) !== (user.branch ?? null)) changes.branch = edited.branch;
  if (edited.status !== user.status) changes.status = edited.status;
  const before = user.accessExpiresAt ? new Date(user.accessExpiresAt).getTime() : null;
  const after = edited.accessExpiresAt ? new Date(edited.accessExpiresAt).getTime() : null;
  if (before !== after) changes.accessExpiresAt = edited.accessExpiresAt;
  if (edited.email !== undefined) changes.email = edited.email;
  return changes;
}
