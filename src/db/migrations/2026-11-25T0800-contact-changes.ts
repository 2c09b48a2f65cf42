import { type Kysely, sql } from 'kysely';

/**
 * Changing a customer's contact details (issue 4 S3.1, issue 5 S4.3):
 *
 * - `portal_contact_changes`: a signed-in customer's request to change their own phone or email, proved by a
 *   one-time code sent to the CURRENT contact. Owned by the portal module (portal.tables.ts). It holds no
 *   personal data: the new value comes with the code and goes straight to the vault; only an HMAC of the
 *   code is kept (wiped once used), 10 minutes, 5 attempts.
 * - payouts may be held by a security incident (`incident-hold`): containment's `hold-changes` puts the
 *   held customers' pending payouts on hold until a supervisor re-verifies them (payouts.tables.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('portal_contact_changes')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('customer_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('session_id', 'uuid', (col) => col.notNull().references('portal_sessions.id'))
    .addColumn('field', 'text', (col) => col.notNull().check(sql`field in ('phone', 'email')`))
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('sms', 'email')`))
    .addColumn('code_hash', 'bytea')
    .addColumn('code_expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'portal_contact_changes_code_only_while_open',
      sql`completed_at is null or code_hash is null`,
    )
    .execute();
  await db.schema
    .createIndex('portal_contact_changes_customer_idx')
    .on('portal_contact_changes')
    .columns(['customer_id', 'created_at'])
    .execute();

  await sql`alter table payouts drop constraint payouts_hold_reason_check`.execute(db);
  await sql`alter table payouts add constraint payouts_hold_reason_check
    check (hold_reason in ('payee-changed', 'account-added', 'incident-hold'))`.execute(db);
}
