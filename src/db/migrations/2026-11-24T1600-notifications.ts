import { type Kysely, sql } from 'kysely';

// Forward-only (see 2026-11-24T0900-installation.ts). The notification outbox (S0.1): notices to customers
// about their claims and to staff about security alerts, queued in the transaction of the change they
// announce and sent by dispatchers. See src/modules/notifications/notifications.tables.ts.

// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('recipient_kind', 'text', (col) =>
      col.notNull().check(sql`recipient_kind in ('customer', 'staff')`),
    )
    .addColumn('recipient_id', 'uuid', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('in-app', 'email', 'sms')`))
    .addColumn('language', 'text', (col) => col.notNull().check(sql`language in ('zh-CN', 'en-US')`))
    .addColumn('template_id', 'text', (col) => col.notNull())
    .addColumn('params', 'jsonb', (col) =>
      col.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(params) = 'object'`),
    )
    .addColumn('sealed_params', 'text')
    .addColumn('status', 'text', (col) =>
      col.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed', 'skipped')`),
    )
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull())
    .addColumn('claim_token', 'uuid')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('last_error', 'text', (col) => col.check(sql`length(last_error) <= 64`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('provider_message_id', 'text', (col) => col.check(sql`length(provider_message_id) <= 255`))
    .addColumn('read_at', 'timestamptz')
    .addColumn('dedupe_key', 'text', (col) => col.unique())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // A secret never outlives the notice: once it is done with, the sealed parameters are gone.
    .addCheckConstraint('notifications_no_secret_when_done', sql`status = 'pending' or sealed_params is null`)
    .execute();

  // What dispatchers poll: due pending rows, oldest first.
  await sql`create index notifications_due_idx on notifications (next_attempt_at) where status = 'pending'`.execute(
    db,
  );
  // A recipient's in-app inbox, newest first.
  await db.schema
    .createIndex('notifications_inbox_idx')
    .on('notifications')
    .columns(['recipient_kind', 'recipient_id', 'channel', 'created_at'])
    .execute();
}
