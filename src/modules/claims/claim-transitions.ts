import type { Role } from '../access/roles.js';

/**
 * The claim lifecycle after Chinese claims practice (S0.1): 报案 → 立案 → 查勘 → 定损 → 理算 → 核赔 → 赔款支付 → 结案,
 * plus rejection (拒赔, with a reason), withdrawal by the customer (撤案) and reopening (重开).
 *
 * This table is the one place that decides who may move a claim from which state to which. The service
 * also checks the caller's duty on the claim itself (an adjuster only on claims assigned to them, a
 * supervisor in their branch), and moves claims into `paying` and `closed` only through the payout
 * workflow, never by a bare transition.
 */
export const CLAIM_STATES = [
  'reported',
  'registered',
  'surveying',
  'assessing',
  'adjusting',
  'approving',
  'paying',
  'closed',
  'rejected',
  'withdrawn',
  'reopened',
] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

export const CLAIM_STATE_LABELS: Record<ClaimState, { 'zh-CN': string; 'en-US': string }> = {
  reported: { 'zh-CN': '报案', 'en-US': 'Reported' },
  registered: { 'zh-CN': '立案', 'en-US': 'Registered' },
  surveying: { 'zh-CN': '查勘', 'en-US': 'Surveying' },
  assessing: { 'zh-CN': '定损', 'en-US': 'Assessing' },
  adjusting: { 'zh-CN': '理算', 'en-US': 'Adjusting' },
  approving: { 'zh-CN': '核赔', 'en-US': 'Approving' },
  paying: { 'zh-CN': '赔款支付', 'en-US': 'Paying' },
  closed: { 'zh-CN': '结案', 'en-US': 'Closed' },
  rejected: { 'zh-CN': '拒赔', 'en-US': 'Rejected' },
  withdrawn: { 'zh-CN': '撤案', 'en-US': 'Withdrawn' },
  reopened: { 'zh-CN': '重开', 'en-US': 'Reopened' },
};

/** States in which a claim is finished; only reopening leaves them. */
export const FINAL_STATES: readonly ClaimState[] = ['closed', 'rejected', 'withdrawn'];

/** Who moves a claim: a staff role, or the customer whose claim it is (portal). */
export type TransitionActor = Role;

export type ClaimTransitionRule = {
  from: ClaimState;
  to: ClaimState;
  /** Roles that may make this move (and still need their duty on the claim). */
  roles: readonly TransitionActor[];
  /** A written reason is required (rejection, withdrawal, reopening, sending back). */
  reasonRequired: boolean;
  /** Made only by a workflow (payout approval or payment), never by the transition endpoint. */
  workflowOnly?: 'payout-proposed' | 'payout-approved' | 'payout-paid';
};

const OPEN_BEFORE_APPROVAL: readonly ClaimState[] = [
  'reported',
  'registered',
  'surveying',
  'assessing',
  'adjusting',
];

export const CLAIM_TRANSITIONS: readonly ClaimTransitionRule[] = [
  {
    from: 'reported',
    to: 'registered',
    roles: ['claims_intake', 'claims_supervisor'],
    reasonRequired: false,
  },
  { from: 'registered', to: 'surveying', roles: ['adjuster', 'claims_supervisor'], reasonRequired: false },
  // Claims that need no site survey (e.g. a health claim on documents) go straight to assessment.
  { from: 'registered', to: 'assessing', roles: ['adjuster', 'claims_supervisor'], reasonRequired: false },
  {
    from: 'surveying',
    to: 'assessing',
    roles: ['surveyor', 'adjuster', 'claims_supervisor'],
    reasonRequired: false,
  },
  { from: 'assessing', to: 'adjusting', roles: ['adjuster', 'claims_supervisor'], reasonRequired: false },
  // The payout proposal moves adjusting → approving; approval moves approving → paying; payment closes.
  {
    from: 'adjusting',
    to: 'approving',
    roles: ['adjuster'],
    reasonRequired: false,
    workflowOnly: 'payout-proposed',
  },
  {
    from: 'approving',
    to: 'paying',
    roles: ['claims_supervisor'],
    reasonRequired: false,
    workflowOnly: 'payout-approved',
  },
  { from: 'paying', to: 'closed', roles: ['finance'], reasonRequired: false, workflowOnly: 'payout-paid' },
  // Sent back by the approver for another look at the figures.
  { from: 'approving', to: 'adjusting', roles: ['claims_supervisor'], reasonRequired: true },
  // A claim closed without payment (e.g. below the deductible) once adjusted to zero.
  { from: 'adjusting', to: 'closed', roles: ['claims_supervisor'], reasonRequired: true },
  ...[...OPEN_BEFORE_APPROVAL, 'approving' as const].map(
    (from): ClaimTransitionRule => ({
      from,
      to: 'rejected',
      roles: ['claims_supervisor'],
      reasonRequired: true,
    }),
  ),
  ...(['reported', 'registered', 'surveying', 'assessing'] as const).map(
    (from): ClaimTransitionRule => ({
      from,
      to: 'withdrawn',
      roles: ['customer', 'claims_intake', 'claims_supervisor'],
      reasonRequired: true,
    }),
  ),
  ...FINAL_STATES.map(
    (from): ClaimTransitionRule => ({
      from,
      to: 'reopened',
      roles: ['claims_supervisor'],
      reasonRequired: true,
    }),
  ),
  ...(['surveying', 'assessing', 'adjusting'] as const).map(
    (to): ClaimTransitionRule => ({
      from: 'reopened',
      to,
      roles: ['adjuster', 'claims_supervisor'],
      reasonRequired: false,
    }),
  ),
];

export function isClaimState(value: string): value is ClaimState {
  return (CLAIM_STATES as readonly string[]).includes(value);
}

export function transitionRule(from: ClaimState, to: ClaimState): ClaimTransitionRule | undefined {
  return CLAIM_TRANSITIONS.find((rule) => rule.from === from && rule.to === to);
}

/** The moves a role may make by hand from a state (the console shows them as buttons). */
export function manualTransitionsFrom(state: ClaimState, role: TransitionActor): ClaimTransitionRule[] {
  return CLAIM_TRANSITIONS.filter(
    (rule) => rule.from === state && !rule.workflowOnly && rule.roles.includes(role),
  );
}
