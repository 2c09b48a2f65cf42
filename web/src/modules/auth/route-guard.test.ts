import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/api-client';
import type { Me } from './auth-api';
import { can } from './permissions';
import { guardDecision, pendingSetup, safeReturnPath } from './route-guard';

function me(overrides: { state?: Me['session']['state']; mustChangePassword?: boolean } = {}): Me {
  return {
    user: {
      id: '7d1c4a47-6a8e-4b7e-9d55-0c0f4c1f1b11',
      username: 'admin',
      displayName: 'Administrator',
      role: 'admin',
      branch: null,
      status: 'active',
      mustChangePassword: overrides.mustChangePassword ?? false,
      accessExpiresAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastLoginAt: null,
    },
    session: { id: 's1', state: overrides.state ?? 'active', secondFactorFresh: true },
    secondFactor: { totp: true, passkeys: 0, recoveryCodesLeft: 10 },
    csrfToken: 'c',
    permissions: [{ action: 'read', subject: 'User' }],
  };
}

const problem = (code: string, status: number) =>
  new ApiProblem({ type: `/problems/${code}`, title: code, status });

describe('route guard', () => {
  it('opens the console for an active session with nothing pending', () => {
    expect(guardDecision({ me: me(), error: null, pending: false })).toEqual({ kind: 'allow' });
  });

  it('sends a session waiting for its second factor back to sign-in', () => {
    expect(guardDecision({ me: me({ state: 'mfa-pending' }), error: null, pending: false })).toEqual({
      kind: 'redirect',
      to: '/login',
    });
  });

  it('sends a pending password change or enrolment to the set-up page', () => {
    expect(guardDecision({ me: me({ mustChangePassword: true }), error: null, pending: false })).toEqual({
      kind: 'redirect',
      to: '/setup',
    });
    expect(guardDecision({ me: me({ state: 'enrolment-required' }), error: null, pending: false })).toEqual({
      kind: 'redirect',
      to: '/setup',
    });
    expect(pendingSetup(me({ state: 'enrolment-required', mustChangePassword: true }))).toBe('password');
  });

  it('sends the signed-out to sign-in, and waits while /auth/me loads', () => {
    for (const error of [
      problem('unauthenticated', 401),
      problem('session-expired', 401),
      problem('access-expired', 403),
    ]) {
      expect(guardDecision({ me: undefined, error, pending: false })).toEqual({
        kind: 'redirect',
        to: '/login',
      });
    }
    expect(guardDecision({ me: undefined, error: null, pending: true })).toEqual({ kind: 'wait' });
  });

  it('reports other failures instead of pretending the person is signed out', () => {
    const error = problem('store-unavailable', 503);
    expect(guardDecision({ me: undefined, error, pending: false })).toEqual({ kind: 'error', error });
  });

  it('returns only to console paths after sign-in', () => {
    expect(safeReturnPath('/admin/users', '/status')).toBe('/admin/users');
    expect(safeReturnPath('//evil.example', '/status')).toBe('/status');
    expect(safeReturnPath('https://evil.example', '/status')).toBe('/status');
    expect(safeReturnPath('/login', '/status')).toBe('/status');
    expect(safeReturnPath(undefined, '/status')).toBe('/status');
  });
});

describe('permissions', () => {
  it('matches action and subject', () => {
    const rules = me().permissions;
    expect(can(rules, 'read', 'User')).toBe(true);
    expect(can(rules, 'create', 'User')).toBe(false);
    expect(can([{ action: 'manage', subject: 'all' }], 'create', 'User')).toBe(true);
    expect(can(undefined, 'read', 'User')).toBe(false);
  });
});
