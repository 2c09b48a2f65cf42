import type { Generated } from 'kysely';

/**
 * Tables of the payouts module (migration 2026-11-24T2330-payouts). Only the payouts repository reads or
 * writes them, except `simulated_bank_transfers`, which belongs to the simulated gateway (it stands for
 * the bank's own ledger).
 */
export type PayoutsTables = {
  payouts: PayoutsTable;
  payout_approvals: PayoutApprovalsTable;
  approval_limits: ApprovalLimitsTable;
  payment_idempotency_keys: PaymentIdempotencyKeysTable;
  payments: PaymentsTable;
  simulated_bank_transfers: SimulatedBankTransfersTable;
};

export const PAYOUT_STATES = ['proposed', 'approved', 'on-hold', 'executing', 'paid', 'sent-back'] as const;
export type PayoutState = (typeof PAYOUT_STATES)[number];
/** `incident-hold`: containment's hold-changes held the claimant (S4.3; migration 2026-11-25T0800). */
export type HoldReason = 'payee-changed' | 'account-added' | 'incident-hold';

export type PayoutsTable = {
  id: string;
  claim_id: string;
  amount: string;
  currency: Generated<string>;
  payee_account_id: string;
  state: PayoutState;
  held_from: 'proposed' | 'approved' | null;
  hold_reason: HoldReason | null;
  held_at: Date | null;
  held_by: string | null;
  reverified_by: string | null;
  reverified_at: Date | null;
  proposed_by: string;
  proposed_at: Generated<Date>;
  approvals_required: Generated<number>;
  approved_at: Date | null;
  paid_at: Date | null;
  provider_reference: string | null;
  version: Generated<number>;
  updated_at: Generated<Date>;
};

export type PayoutApprovalsTable = {
  payout_id: string;
  approver_id: string;
  approver_role: string;
  limit_applied: string;
  approved_at: Generated<Date>;
};

export type ApprovalLimitsTable = {
  id: string;
  role: string | null;
  user_id: string | null;
  amount: string;
  currency: Generated<string>;
  updated_at: Generated<Date>;
};

export type PaymentIdempotencyKeysTable = {
  key: string;
  payout_id: string;
  requested_by: string;
  created_at: Generated<Date>;
};

export type PaymentsTable = {
  id: string;
  payout_id: string;
  idempotency_key: string;
  state: 'executing' | 'paid';
  amount: string;
  currency: string;
  payee_account_id: string;
  requested_by: string;
  attempts: Generated<number>;
  provider_reference: string | null;
  started_at: Generated<Date>;
  paid_at: Date | null;
};

export type SimulatedBankTransfersTable = {
  idempotency_key: string;
  transfer_id: string;
  amount: string;
  currency: string;
  payee_account_id: string;
  created_at: Generated<Date>;
};
