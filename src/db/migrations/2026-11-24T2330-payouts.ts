import { type Kysely, sql } from 'kysely';

/**
 * The payouts module's tables (S3.3): payout proposals (maker), approvals (checkers, within approval
 * limits), payments with their idempotency keys, and the simulated bank's own transfer ledger.
 *
 * A payout's payee is a bank account of the claimant, by id: the account's number and holder name stay
 * vault ciphertexts in `bank_accounts`, never copied here.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payouts')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('claim_id', 'uuid', (col) => col.notNull().references('claims.id'))
    .addColumn('amount', 'numeric(14, 2)', (col) => col.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (col) => col.notNull().defaultTo('CNY'))
    .addColumn('payee_account_id', 'uuid', (col) => col.notNull().references('bank_accounts.id'))
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .check(sql`state in ('proposed', 'approved', 'on-hold', 'executing', 'paid', 'sent-back')`),
    )
    // Where an on-hold payout returns once a supervisor has re-verified its payee.
    .addColumn('held_from', 'text', (col) => col.check(sql`held_from in ('proposed', 'approved')`))
    .addColumn('hold_reason', 'text', (col) =>
      col.check(sql`hold_reason in ('payee-changed', 'account-added')`),
    )
    .addColumn('held_at', 'timestamptz')
    .addColumn('held_by', 'uuid')
    .addColumn('reverified_by', 'uuid')
    .addColumn('reverified_at', 'timestamptz')
    .addColumn('proposed_by', 'uuid', (col) => col.notNull())
    .addColumn('proposed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('approvals_required', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('approved_at', 'timestamptz')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('provider_reference', 'text')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'payouts_hold_check',
      sql`(state = 'on-hold') = (held_from is not null and hold_reason is not null)`,
    )
    .execute();
  // One open payout per claim: a claim sent back and proposed again gets a new one.
  await sql`create unique index payouts_open_claim_idx on payouts (claim_id)
    where state in ('proposed', 'approved', 'on-hold', 'executing')`.execute(db);
  await db.schema.createIndex('payouts_state_idx').on('payouts').columns(['state', 'proposed_at']).execute();
  await db.schema.createIndex('payouts_payee_idx').on('payouts').column('payee_account_id').execute();

  // Checkers' approvals; the primary key is the rule that one person approves a payout at most once.
  await db.schema
    .createTable('payout_approvals')
    .addColumn('payout_id', 'uuid', (col) => col.notNull().references('payouts.id'))
    .addColumn('approver_id', 'uuid', (col) => col.notNull())
    .addColumn('approver_role', 'text', (col) => col.notNull())
    .addColumn('limit_applied', 'numeric(14, 2)', (col) => col.notNull())
    .addColumn('approved_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('payout_approvals_pk', ['payout_id', 'approver_id'])
    .execute();

  // Approval limits: one row per role (the default) and optional overrides per user.
  await db.schema
    .createTable('approval_limits')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('role', 'text', (col) => col.unique())
    .addColumn('user_id', 'uuid', (col) => col.unique())
    .addColumn('amount', 'numeric(14, 2)', (col) => col.notNull().check(sql`amount >= 0`))
    .addColumn('currency', 'text', (col) => col.notNull().defaultTo('CNY'))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('approval_limits_one_holder', sql`(role is null) <> (user_id is null)`)
    .execute();
  await db
    .insertInto('approval_limits')
    .values({ id: '00000000-0000-4000-8000-0000000a9901', role: 'claims_supervisor', amount: '50000.00' })
    .execute();

  // An idempotency key is used once, for one payout; reserving it is what starts a payment.
  await db.schema
    .createTable('payment_idempotency_keys')
    .addColumn('key', 'uuid', (col) => col.primaryKey())
    .addColumn('payout_id', 'uuid', (col) => col.notNull().references('payouts.id'))
    .addColumn('requested_by', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // The payment of a payout: executing (key reserved, transfer maybe sent) → paid (provider reference).
  await db.schema
    .createTable('payments')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('payout_id', 'uuid', (col) => col.notNull().unique().references('payouts.id'))
    .addColumn('idempotency_key', 'uuid', (col) =>
      col.notNull().unique().references('payment_idempotency_keys.key'),
    )
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('executing', 'paid')`))
    .addColumn('amount', 'numeric(14, 2)', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('payee_account_id', 'uuid', (col) => col.notNull())
    .addColumn('requested_by', 'uuid', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('provider_reference', 'text')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('paid_at', 'timestamptz')
    .execute();

  // The simulated bank's ledger (stands in for the bank's own system): one transfer per idempotency key.
  await db.schema
    .createTable('simulated_bank_transfers')
    .addColumn('idempotency_key', 'uuid', (col) => col.primaryKey())
    .addColumn('transfer_id', 'text', (col) => col.notNull().unique())
    .addColumn('amount', 'numeric(14, 2)', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('payee_account_id', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}
