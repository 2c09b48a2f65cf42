import { type Kysely, sql } from 'kysely';

// Forward-only (see 2026-11-24T0900-installation.ts). Breach notices to customers (S4.2): one campaign per
// incident, sent as a resumable background job into the notification outbox. See
// src/modules/breach-notices/breach-notices.tables.ts.

// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('breach_notice_campaigns')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    // The incidents module's id, kept as text: this module does not own incidents.
    .addColumn('incident_id', 'text', (col) => col.notNull().unique())
    .addColumn('incident_reference', 'text', (col) => col.notNull())
    .addColumn('is_drill', 'boolean', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .defaultTo('draft')
        .check(sql`state in ('draft', 'approved', 'sending', 'paused', 'done')`),
    )
    .addColumn('channels', 'jsonb', (col) => col.notNull().check(sql`jsonb_typeof(channels) = 'array'`))
    .addColumn('texts', 'jsonb', (col) => col.notNull().check(sql`jsonb_typeof(texts) = 'object'`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_by', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('approved_by', 'uuid')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('paused_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    // The job's position: the last affected subject whose notices are queued (keyset order).
    .addColumn('cursor', 'text')
    .addColumn('total_count', 'integer')
    .addColumn('done_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('queued_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('categories_seen', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    // Maker-checker (S4.2): nobody approves texts they wrote.
    .addCheckConstraint(
      'breach_notice_campaigns_four_eyes',
      sql`approved_by is null or (approved_by <> created_by and approved_by <> updated_by)`,
    )
    .addCheckConstraint(
      'breach_notice_campaigns_approved_before_sending',
      sql`state in ('draft') or approved_by is not null`,
    )
    .execute();
  // What the background job polls.
  await sql`create index breach_notice_campaigns_sending_idx on breach_notice_campaigns (id) where state = 'sending'`.execute(
    db,
  );

  // The outbox learns batches: notices queued together (a campaign's) are counted and listed by batch.
  await db.schema.alterTable('notifications').addColumn('batch_id', 'uuid').execute();
  await sql`create index notifications_batch_idx on notifications (batch_id, channel, status, recipient_id) where batch_id is not null`.execute(
    db,
  );
}
