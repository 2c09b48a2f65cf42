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
};

export type UserChanges = Partial<{
  role: StaffRole;
  branch: string | null;
  status: 'active' | 'disabled';
  accessExpiresAt: string | null;
}>;

export const createUser = (input: NewUser) =>
  apiPost<{ user: StaffUser; oneTimePassword: string }>('/api/v1/users', input);

export const updateUser = (id: string, changes: UserChanges) =>
  apiPatch<StaffUser>(`/api/v1/users/${id}`, changes);

export const revokeUserSessions = (id: string) =>
  apiPost<{ revoked: number }>(`/api/v1/users/${id}/revoke-sessions`);

/** Only what differs from the user as loaded, so a PATCH names exactly the changes. */
export function changesOf(user: StaffUser, edited: Required<UserChanges>): UserChanges {
  const changes: UserChanges = {};
  if (edited.role !== user.role) changes.role = edited.role;
  if ((edited.branch ?? null) !== (user.branch ?? null)) changes.branch = edited.branch;
  if (edited.status !== user.status) changes.status = edited.status;
  const before = user.accessExpiresAt ? new Date(user.accessExpiresAt).getTime() : null;
  const after = edited.accessExpiresAt ? new Date(edited.accessExpiresAt).getTime() : null;
  if (before !== after) changes.accessExpiresAt = edited.accessExpiresAt;
  return changes;
}
