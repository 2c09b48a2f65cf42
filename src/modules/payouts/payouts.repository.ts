import { type Insertable, type Kysely, sql, type Updateable } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { HoldReason, PayoutState } from './payouts.tables.js';

/** The only SQL of the payouts module. Explicit column lists throughout. */
export type Db = Kysely<Database>;

const PAYOUT_COLUMNS = [
  'id',
  'claim_id',
  'amount',
  'currency',
  'payee_account_id',
  'state',
  'held_from',
  'hold_reason',
  'held_at',
  'held_by',
  'reverified_by',
  'reverified_at',
  'proposed_by',
  'proposed_at',
  'approvals_required',
  'approved_at',
  'paid_at',
  'provider_reference',
  'version',
  'updated_at',
] as const;

export type PayoutRow = {
  id: string;
  claim_id: string;
  amount: string;
  currency: string;
  payee_account_id: string;
  state: PayoutState;
  held_from: 'proposed' | 'approved' | null;
  hold_reason: HoldReason | null;
  held_at: Date | null;
  held_by: string | null;
  reverified_by: string | null;
  reverified_at: Date | null;
  proposed_by: string;
  proposed_at: Date;
  approvals_required: number;
  approved_at: Date | null;
  paid_at: Date | null;
  provider_reference: string | null;
  version: number;
  updated_at: Date;
};

export const OPEN_STATES: readonly PayoutState[] = ['proposed', 'approved', 'on-hold', 'executing'];

export async function insertPayout(db: Db, row: Insertable<Database['payouts']>): Promise<void> {
  await db.insertInto('payouts').values(row).execute();
}

/** The payout, locked for the rest of the transaction when `lock` (every state change locks first). */
export async function findPayout(db: Db, id: string, lock = false): Promise<PayoutRow | undefined> {
  let query = db.selectFrom('payouts').select(PAYOUT_COLUMNS).where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function payoutsOfClaim(db: Db, claimId: string): Promise<PayoutRow[]> {
  return db
    .selectFrom('payouts')
    .select(PAYOUT_COLUMNS)
    .where('claim_id', '=', claimId)
    .orderBy('proposed_at', 'desc')
    .execute();
}

export async function openPayoutOfClaim(
  db: Db,
  claimId: string,
  lock = false,
): Promise<PayoutRow | undefined> {
  let query = db
    .selectFrom('payouts')
    .select(PAYOUT_COLUMNS)
    .where('claim_id', '=', claimId)
    .where('state', 'in', OPEN_STATES);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Open payouts (not yet executing) of claims whose claimant is the customer, locked. */
export async function holdablePayoutsOfClaimant(db: Db, customerId: string): Promise<PayoutRow[]> {
  return db
    .selectFrom('payouts')
    .select(PAYOUT_COLUMNS.map((column) => `payouts.${column}` as const))
    .innerJoin('claims', 'claims.id', 'payouts.claim_id')
    .where('claims.claimant_id', '=', customerId)
    .where('payouts.state', 'in', ['proposed', 'approved', 'on-hold'])
    .forUpdate('payouts')
    .execute();
}

/** Claimants with a payout proposed or approved (not yet executing, not on hold): few, unlike customers. */
export async function claimantsWithPendingPayouts(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('payouts')
    .innerJoin('claims', 'claims.id', 'payouts.claim_id')
    .select('claims.claimant_id')
    .distinct()
    .where('payouts.state', 'in', ['proposed', 'approved'])
    .execute();
  return rows.map((row) => row.claimant_id);
}

export async function listPayouts(
  db: Db,
  filter: { states?: readonly PayoutState[] },
  page: { limit: number; offset: number },
): Promise<{ rows: PayoutRow[]; total: number }> {
  let query = db.selectFrom('payouts');
  if (filter.states && filter.states.length > 0) query = query.where('state', 'in', filter.states);
  const [rows, count] = await Promise.all([
    query.select(PAYOUT_COLUMNS).orderBy('proposed_at').limit(page.limit).offset(page.offset).execute(),
    query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.total };
}

export async function updatePayout(
  db: Db,
  id: string,
  changes: Updateable<Database['payouts']>,
): Promise<PayoutRow> {
  return db
    .updateTable('payouts')
    .set({ ...changes, version: sql`version + 1`, updated_at: new Date() })
    .where('id', '=', id)
    .returning(PAYOUT_COLUMNS)
    .executeTakeFirstOrThrow();
}

export type ApprovalRow = {
  payout_id: string;
  approver_id: string;
  approver_role: string;
  limit_applied: string;
  approved_at: Date;
};

export async function approvalsOf(db: Db, payoutIds: readonly string[]): Promise<ApprovalRow[]> {
  if (payoutIds.length === 0) return [];
  return db
    .selectFrom('payout_approvals')
    .select(['payout_id', 'approver_id', 'approver_role', 'limit_applied', 'approved_at'])
    .where('payout_id', 'in', payoutIds)
    .orderBy('approved_at')
    .execute();
}

export async function insertApproval(db: Db, row: Insertable<Database['payout_approvals']>): Promise<void> {
  await db.insertInto('payout_approvals').values(row).execute();
}

export async function deleteApprovals(db: Db, payoutId: string): Promise<void> {
  await db.deleteFrom('payout_approvals').where('payout_id', '=', payoutId).execute();
}

/** The user's own approval limit if one is set, else their role's, else none. */
export async function approvalLimitOf(
  db: Db,
  userId: string,
  role: string,
): Promise<{ amount: string; currency: string } | undefined> {
  const rows = await db
    .selectFrom('approval_limits')
    .select(['user_id', 'amount', 'currency'])
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('role', '=', role)]))
    .execute();
  const row = rows.find((candidate) => candidate.user_id === userId) ?? rows[0];
  return row ? { amount: row.amount, currency: row.currency } : undefined;
}

export async function findIdempotencyKey(
  db: Db,
  key: string,
): Promise<{ key: string; payout_id: string } | undefined> {
  return db
    .selectFrom('payment_idempotency_keys')
    .select(['key', 'payout_id'])
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertIdempotencyKey(
  db: Db,
  row: Insertable<Database['payment_idempotency_keys']>,
): Promise<void> {
  await db.insertInto('payment_idempotency_keys').values(row).execute();
}

export type PaymentRow = {
  id: string;
  payout_id: string;
  idempotency_key: string;
  state: 'executing' | 'paid';
  amount: string;
  currency: string;
  payee_account_id: string;
  requested_by: string;
  attempts: number;
  provider_reference: string | null;
  started_at: Date;
  paid_at: Date | null;
};

const PAYMENT_COLUMNS = [
  'id',
  'payout_id',
  'idempotency_key',
  'state',
  'amount',
  'currency',
  'payee_account_id',
  'requested_by',
  'attempts',
  'provider_reference',
  'started_at',
  'paid_at',
] as const;

export async function insertPayment(db: Db, row: Insertable<Database['payments']>): Promise<void> {
  await db.insertInto('payments').values(row).execute();
}

export async function paymentsOf(db: Db, payoutIds: readonly string[]): Promise<PaymentRow[]> {
  if (payoutIds.length === 0) return [];
  return db.selectFrom('payments').select(PAYMENT_COLUMNS).where('payout_id', 'in', payoutIds).execute();
}

export async function countAttempt(db: Db, paymentId: string): Promise<void> {
  await db.updateTable('payments').set({ attempts: sql`attempts + 1` }).where('id', '=', paymentId).execute();
}

/** executing → paid; false when it was not executing (another attempt finished it first). */
export async function markPaymentPaid(
  db: Db,
  paymentId: string,
  providerReference: string,
  paidAt: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('payments')
    .set({ state: 'paid', provider_reference: providerReference, paid_at: paidAt })
    .where('id', '=', paymentId)
    .where('state', '=', 'executing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
