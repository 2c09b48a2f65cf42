import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../auth/auth-api';
import { changesOf } from './users-api';

const user: StaffUser = {
  id: 'u1',
  username: 'li.na',
  displayName: 'Li Na',
  role: 'adjuster',
  branch: 'beijing',
  status: 'active',
  mustChangePassword: false,
  accessExpiresAt: '2026-12-31T15:59:59.999Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastLoginAt: null,
};

describe('changesOf', () => {
  it('names only what changed', () => {
    expect(
      changesOf(user, {
        role: 'adjuster',
        branch: 'beijing',
        status: 'active',
        accessExpiresAt: user.accessExpiresAt,
      }),
    ).toEqual({});
    expect(
      changesOf(user, { role: 'surveyor', branch: null, status: 'disabled', accessExpiresAt: null }),
    ).toEqual({ role: 'surveyor', branch: null, status: 'disabled', accessExpiresAt: null });
  });

  it('compares expiry dates as instants', () => {
    expect(
      changesOf(user, {
        role: 'adjuster',
        branch: 'beijing',
        status: 'active',
        accessExpiresAt: '2026-12-31T23:59:59.999+08:00',
      }),
    ).toEqual({});
  });
});
