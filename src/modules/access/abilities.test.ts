import { subject } from '@casl/ability';
import { describe, expect, it } from 'vitest';
import { abilityFor } from './abilities.js';
import type { ApiTokenPrincipal, StaffPrincipal } from './principal.js';
import type { StaffRole } from './roles.js';
import { decideUnmask } from './unmask-decision.js';

const NOW = new Date('2026-11-24T10:00:00Z');

function staff(role: StaffRole, overrides: Partial<StaffPrincipal> = {}): StaffPrincipal {
  return {
    kind: 'staff',
    userId: 'u-1',
    role,
    branch: 'beijing',
    sessionId: 's-1',
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(NOW.getTime() - 60_000),
    csrfToken: 'csrf',
    ...overrides,
  };
}

const claim = (attributes: { assigneeId?: string; surveyorId?: string; branch?: string }) =>
  subject('Claim', { assigneeId: null, surveyorId: null, branch: null, ...attributes }) as never;

describe('duty-based abilities (S3.2)', () => {
  it('lets an adjuster read only the claims assigned to them', () => {
    const ability = abilityFor(staff('adjuster'));
    expect(ability.can('read', claim({ assigneeId: 'u-1' }))).toBe(true);
    expect(ability.can('read', claim({ assigneeId: 'u-2', branch: 'beijing' }))).toBe(false);
  });

  it('lets a supervisor read the claims of their branch only', () => {
    const ability = abilityFor(staff('claims_supervisor'));
    expect(ability.can('read', claim({ branch: 'beijing' }))).toBe(true);
    expect(ability.can('read', claim({ branch: 'shanghai' }))).toBe(false);
  });

  it('keeps the administrator away from personal data and the audit log (separation of duties)', () => {
    const ability = abilityFor(staff('admin'));
    expect(ability.can('create', 'User')).toBe(true);
    expect(ability.can('unmask', 'PersonalData')).toBe(false);
    expect(ability.can('read', 'AuditLog')).toBe(false);
    expect(ability.can('read', claim({ branch: 'beijing' }))).toBe(false);
  });

  it('keeps an external auditor to audit evidence, read-only', () => {
    const ability = abilityFor(staff('external_auditor'));
    expect(ability.can('read', 'AuditLog')).toBe(true);
    expect(ability.can('export', 'AuditLog')).toBe(true);
    for (const [action, target] of [
      ['read', 'User'],
      ['create', 'User'],
      ['unmask', 'PersonalData'],
      ['read', 'System'],
      ['read', 'SecurityAlert'],
    ] as const) {
      expect(ability.can(action, target)).toBe(false);
    }
  });

  it('widens an adjuster to every claim while a break-glass grant is open, and not an auditor', () => {
    expect(
      abilityFor(staff('adjuster'), { breakGlass: true }).can('read', claim({ assigneeId: 'u-9' })),
    ).toBe(true);
    expect(
      abilityFor(staff('internal_auditor'), { breakGlass: true }).can('read', claim({ assigneeId: 'u-9' })),
    ).toBe(false);
  });

  it('limits an API token to its scopes and never lets it unmask', () => {
    const token: ApiTokenPrincipal = {
      kind: 'api-token',
      tokenId: 't-1',
      userId: 'u-1',
      role: 'security_officer',
      branch: null,
      scopes: ['read:AuditLog', 'unmask:PersonalData'],
    };
    const ability = abilityFor(token);
    expect(ability.can('read', 'AuditLog')).toBe(true);
    expect(ability.can('verify', 'AuditLog')).toBe(false);
    expect(ability.can('unmask', 'PersonalData')).toBe(false);
  });
});

describe('unmask decisions (S3.2, S3.3)', () => {
  it('unmasks only with the permission, an allowed purpose and a fresh second factor', () => {
    const adjuster = staff('adjuster');
    const ability = abilityFor(adjuster);
    expect(decideUnmask(adjuster, ability, 'customer.id_number', 'claim-handling', NOW)).toEqual({
      unmask: true,
      purpose: 'claim-handling',
    });
    expect(decideUnmask(adjuster, ability, 'customer.id_number', null, NOW)).toMatchObject({
      unmask: false,
      reason: 'no-purpose',
    });
    expect(decideUnmask(adjuster, ability, 'customer.id_number', 'marketing', NOW)).toMatchObject({
      unmask: false,
      reason: 'no-purpose',
    });
    const stale = staff('adjuster', { secondFactorAt: new Date(NOW.getTime() - 6 * 60_000) });
    expect(decideUnmask(stale, abilityFor(stale), 'customer.id_number', 'claim-handling', NOW)).toMatchObject(
      {
        unmask: false,
        reason: 'step-up-required',
      },
    );
    const admin = staff('admin');
    expect(decideUnmask(admin, abilityFor(admin), 'customer.id_number', 'claim-handling', NOW)).toMatchObject(
      {
        unmask: false,
        reason: 'no-permission',
      },
    );
  });

  it('refuses a purpose the catalogue does not allow for the field', () => {
    const finance = staff('finance');
    const decision = decideUnmask(finance, abilityFor(finance), 'claim.diagnosis', 'payout', NOW);
    expect(decision).toMatchObject({ unmask: false, reason: 'purpose-not-allowed' });
  });
});
