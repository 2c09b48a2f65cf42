import { type Kysely, sql } from 'kysely';

/**
 * The customer portal (issue section 8): accounts of existing customers, registrations under way, portal
 * sessions and sign-in throttling. Codes and tokens are stored only as hashes; a code hash exists only while
 * its step is pending (check constraints).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('portal_accounts')
    .addColumn('customer_id', 'uuid', (col) => col.primaryKey().references('customers.id'))
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().defaultTo('active').check(sql`status in ('active', 'disabled')`),
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('password_changed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_login_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('portal_registrations')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('ticket_hash', 'text', (col) => col.notNull().unique())
    .addColumn('customer_id', 'uuid', (col) => col.references('customers.id'))
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('sms', 'email')`))
    .addColumn('code_hash', 'bytea')
    .addColumn('code_expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'portal_registrations_code_only_while_open',
      sql`completed_at is null or code_hash is null`,
    )
    .execute();

  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('customer_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('code-pending', 'active')`))
    .addColumn('csrf_token', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('sms', 'email')`))
    .addColumn('code_hash', 'bytea')
    .addColumn('code_expires_at', 'timestamptz')
    .addColumn('code_attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_reason', 'text')
    .addCheckConstraint(
      'portal_sessions_code_only_while_pending',
      sql`state = 'code-pending' or code_hash is null`,
    )
    .execute();
  await db.schema
    .createIndex('portal_sessions_customer_idx')
    .on('portal_sessions')
    .column('customer_id')
    .execute();

  await db.schema
    .createTable('portal_throttle')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('failures', 'integer', (col) => col.notNull())
    .addColumn('window_started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();
}
