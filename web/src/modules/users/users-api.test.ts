import { describe, expect, it } from 'vitest';
import type { StaffUser } from '../auth/auth-api';
import { changesOf, emailChangeOf } from './users-api';

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

describe('emailChangeOf (issue 5 §1)', () => {
  const withEmail: StaffUser = { ...user, email: 'l***@claimguard.example' };

  it('an address typed in replaces the masked one; an empty field keeps it', () => {
    expect(emailChangeOf(withEmail, ' li.na@claimguard.example ', false)).toBe('li.na@claimguard.example');
    expect(emailChangeOf(withEmail, '', false)).toBeUndefined();
    expect(emailChangeOf(withEmail, undefined, false)).toBeUndefined();
  });

  it('removes only an address that exists, and a typed address wins over remove', () => {
    expect(emailChangeOf(withEmail, '', true)).toBeNull();
    expect(emailChangeOf({ ...user, email: null }, '', true)).toBeUndefined();
    expect(emailChangeOf(withEmail, 'new@claimguard.example', true)).toBe('new@claimguard.example');
  });

  it('goes into the PATCH only when it changes', () => {
    const same = {
      role: 'adjuster',
      branch: 'beijing',
      status: 'active',
      accessExpiresAt: user.accessExpiresAt,
    } as const;
    expect(changesOf(withEmail, { ...same, email: undefined })).toEqual({});
    expect(changesOf(withEmail, { ...same, email: null })).toEqual({ email: null });
  });
});

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
