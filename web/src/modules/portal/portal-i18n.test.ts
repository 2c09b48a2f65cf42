import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../../src/modules/access/roles';
import { CLAIM_STATES } from '../../../../src/modules/claims/claim-transitions';
import { PERSONAL_DATA_FIELD_IDS, PURPOSES } from '../../../../src/modules/vault/personal-data-catalogue';
import { portalEnUS, portalZhCN } from './portal-i18n';

/** The label at a dotted path of the portal's strings (dotted keys are nested there). */
function at(strings: object, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], strings);
}

/**
 * The access history (S4.1) names fields, purposes, roles and actions in the customer's words: every one
 * the server can send has a label in both languages, so the page never falls back to a code.
 */
describe('portal labels', () => {
  it.each([
    ['zh-CN', portalZhCN],
    ['en-US', portalEnUS],
  ] as const)(
    'label every personal-data field, purpose, role and claim state in %s',
    (_language, strings) => {
      for (const field of PERSONAL_DATA_FIELD_IDS)
        expect(typeof at(strings.fields, field), field).toBe('string');
      for (const purpose of Object.keys(PURPOSES))
        expect(typeof at(strings.purposes, purpose)).toBe('string');
      for (const role of ROLES) expect(typeof at(strings.roles, role), role).toBe('string');
      for (const state of CLAIM_STATES) expect(typeof at(strings.states, state), state).toBe('string');
    },
  );

  it('names purposes exactly as the personal-data catalogue does', () => {
    for (const [purpose, labels] of Object.entries(PURPOSES)) {
      expect(at(portalZhCN.purposes, purpose)).toBe(labels['zh-CN']);
      expect(at(portalEnUS.purposes, purpose)).toBe(labels['en-US']);
    }
  });

  it.each([
    'personal-data.read',
    'personal-data.unmask',
    'claim.read',
    'claim.report',
    'claim.transition',
    'document.upload',
    'payout.propose',
    'payout.approve',
    'payout.execution-started',
    'payout.paid',
    'portal.login',
    'portal.sign-in.code',
    // Contact-detail changes (S3.1, S4.3) show in the customer's access history.
    'customer.contact-change',
    'portal.contact-change.started',
    'portal.contact-change.code',
  ])('labels the audit action %s in both languages', (action) => {
    expect(typeof at(portalZhCN.actions, action)).toBe('string');
    expect(typeof at(portalEnUS.actions, action)).toBe('string');
  });
});
