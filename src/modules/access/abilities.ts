import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import type { Principal } from './principal.js';
import { type StaffRole, UNMASKING_ROLES } from './roles.js';

/**
 * Who may do what (S3.2), as CASL rules with conditions on attributes: an adjuster reads the claims
 * assigned to them, a supervisor those of their branch. Separation of duties: the administrator manages
 * users and roles but has no rule that reaches personal data or the audit log; auditors read evidence
 * and change nothing.
 */
export const ACTIONS = [
  'read',
  'create',
  'update',
  'verify',
  'export',
  'unmask',
  'revoke',
  'request',
  'rotate',
  'assign',
  'approve',
  'execute',
  'contain',
] as const;
export type Action = (typeof ACTIONS)[number];

export const SUBJECTS = [
  'System',
  'Catalogue',
  'AuditLog',
  'User',
  'Session',
  'PersonalData',
  'Claim',
  'Customer',
  'Policy',
  'Payout',
  'BreakGlass',
  'SecurityAlert',
  'Keys',
  'RegulatoryRegime',
  'RegulatoryReport',
  'Incident',
  // Leak detection (S2.3): the rules' settings, the alerts they raise, the decoys planted.
  'DetectionRule',
  'DetectionAlert',
  'Honeytoken',
  'BreachNotice',
] as const;
export type Subject = (typeof SUBJECTS)[number];

/** A claim as the policy sees it; the claims module will pass its rows in this shape. */
export type ClaimAttributes = { assigneeId: string | null; surveyorId: string | null; branch: string | null };

export type AppAbility = MongoAbility<
  [Action, Subject | ({ __caslSubjectType__: 'Claim' } & ClaimAttributes)],
  MongoQuery
>;

type Grant = (can: AbilityBuilder<AppAbility>['can'], who: { userId: string; branch: string | null }) => void;

const STAFF_BASE: Grant = (can) => {
  can('read', 'System');
  can('read', 'Catalogue');
};

const UNMASKING: Grant = (can) => {
  can('unmask', 'PersonalData');
  can('request', 'BreakGlass');
};

const AUDIT_EVIDENCE: Grant = (can) => {
  can('read', 'AuditLog');
  can('verify', 'AuditLog');
  can('export', 'AuditLog');
};

export const ROLE_GRANTS: Record<StaffRole, Grant[]> = {
  claims_intake: [
    STAFF_BASE,
    UNMASKING,
    (can, who) => {
      can(['read', 'create', 'update'], 'Claim', { branch: who.branch });
      // Intake takes reports by phone: it finds the caller among the customers and their policies, and
      // changes their contact details when asked (S3.1; step-up at the route).
      can(['read', 'create', 'update'], 'Customer');
      can('read', 'Policy');
    },
  ],
  adjuster: [
    STAFF_BASE,
    UNMASKING,
    (can, who) => {
      can(['read', 'update'], 'Claim', { assigneeId: who.userId });
      can('read', 'Policy');
      // Maker: proposes the payout on the claims assigned to them (S3.3).
      can('create', 'Payout');
    },
  ],
  surveyor: [
    STAFF_BASE,
    UNMASKING,
    (can, who) => {
      can(['read', 'update'], 'Claim', { surveyorId: who.userId });
      can('read', 'Policy');
    },
  ],
  claims_supervisor: [
    STAFF_BASE,
    UNMASKING,
    (can, who) => {
      can(['read', 'update', 'assign'], 'Claim', { branch: who.branch });
      // Bulk export of the branch's claims list (masked, watermarked, step-up).
      can('export', 'Claim', { branch: who.branch });
      can(['read'], ['Customer', 'Policy']);
      // Contact-detail changes (S3.1; step-up at the route).
      can('update', 'Customer');
      // Checker: approves payouts within their limit, never their own proposal (S3.3).
      can('approve', 'Payout');
    },
  ],
  finance: [
    STAFF_BASE,
    UNMASKING,
    (can) => {
      can('read', 'Claim');
      can('read', 'Payout');
      can('execute', 'Payout');
    },
  ],
  security_officer: [
    STAFF_BASE,
    UNMASKING,
    AUDIT_EVIDENCE,
    (can) => {
      can('read', 'SecurityAlert');
      // Leak detection is the security officer's: rules, alerts and honeytokens (S2.3).
      // (One subject per rule: API token scopes are matched per subject.)
      can(['read', 'update'], 'DetectionRule');
      can(['read', 'update'], 'DetectionAlert');
      can(['read', 'create'], 'Honeytoken');
      // Keys are the security officer's: rotating them reveals no personal data.
      can(['read', 'rotate'], 'Keys');
      can('read', 'User');
      can('revoke', 'Session');
      can('read', 'Claim');
      can('read', 'Customer');
      // Reports to regulators (S4.4): the security officer acts as the compliance officer; no personal data.
      can(['read', 'update'], 'RegulatoryRegime');
      can(['read', 'create', 'update'], 'RegulatoryReport');
      // Incident response (S2.5, S4): declare, investigate, contain (step-up), approve another officer's
      // reversal of a containment action (maker-checker), export the affected list encrypted (step-up).
      can(['read', 'create', 'update', 'contain', 'approve', 'export'], 'Incident');
      // Breach notices to customers (S4.2): write, approve (a second officer: maker-checker in the service),
      // send, and export letters (step-up). Nobody else handles them.
      can(['read', 'create', 'update', 'approve', 'execute', 'export'], 'BreachNotice');
    },
  ],
  internal_auditor: [
    STAFF_BASE,
    AUDIT_EVIDENCE,
    (can) => {
      can('read', 'User');
      // Reviews what was reported to regulators, and when (S4.4).
      can('read', ['RegulatoryRegime', 'RegulatoryReport']);
      // The breach register and every incident's record, read-only (S6.1).
      can('read', 'Incident');
      // Auditors check that detection works: they read rules and alerts, never the decoys (S2.3, S6.5).
      can('read', 'DetectionRule');
      can('read', 'DetectionAlert');
    },
  ],
  // Read-only, audit evidence only (S6.5); their access also ends on a date (identity module).
  external_auditor: [AUDIT_EVIDENCE, (can) => can('read', 'Catalogue')],
  admin: [
    STAFF_BASE,
    (can) => {
      can(['read', 'create', 'update'], 'User');
      can('revoke', 'Session');
    },
  ],
};

export function abilityFor(principal: Principal | null, options: { breakGlass?: boolean } = {}): AppAbility {
  const builder = new AbilityBuilder<AppAbility>(createMongoAbility);
  // SECURITY: a customer holds no grant at all; the portal's routes act on the customer's own records only.
  if (principal && principal.kind !== 'customer') {
    const who = { userId: principal.userId, branch: principal.branch };
    for (const grant of ROLE_GRANTS[principal.role]) grant(builder.can, who);
    // Break-glass lifts the duty conditions on claims, for its few minutes, for roles that handle them.
    if (options.breakGlass && principal.kind === 'staff' && UNMASKING_ROLES.includes(principal.role)) {
      builder.can('read', 'Claim');
    }
    if (principal.kind === 'api-token') {
      // A token holds at most its scopes, and never the power to unmask: it cannot step up.
      const scopes = new Set(principal.scopes);
      const base = builder.build();
      const limited = new AbilityBuilder<AppAbility>(createMongoAbility);
      for (const rule of base.rules) {
        const actions = ([] as string[]).concat(rule.action as string | string[]);
        for (const action of actions) {
          if (action === 'unmask') continue;
          if (scopes.has(`${action}:${String(rule.subject)}`)) {
            limited.can(action as Action, rule.subject as Subject, rule.conditions as MongoQuery);
          }
        }
      }
      return limited.build();
    }
  }
  return builder.build();
}

/** The rules as plain data, for the console to hide what the caller may not do. */
export function rulesOf(ability: AppAbility): { action: string; subject: string }[] {
  // A rule may name several actions and several subjects (`can(['read', 'update'], ['A', 'B'])`): one each.
  return ability.rules.flatMap((rule) =>
    ([] as string[])
      .concat(rule.action as string | string[])
      .flatMap((action) =>
        ([] as string[]).concat(rule.subject as string | string[]).map((subject) => ({ action, subject })),
      ),
  );
}
