import { type Kysely, sql } from 'kysely';

/**
 * Claimant verification (S3.1): one row per claim. While a one-time code is out, only its keyed hash is
 * kept (never the code); once decided, the hash is wiped and the outcome with its reason codes stays.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('claimant_verifications')
    .addColumn('claim_id', 'uuid', (col) => col.primaryKey().references('claims.id'))
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('code-sent', 'verified', 'manual-review')`),
    )
    .addColumn('code_hash', 'bytea')
    .addColumn('code_expires_at', 'timestamptz')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('channel', 'text')
    // Why it went to manual review: codes such as id-mismatch, phone-mismatch, recent-contact-change.
    .addColumn('reasons', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('started_by', 'uuid')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addCheckConstraint(
      'claimant_verifications_code_only_while_pending',
      sql`status = 'code-sent' or code_hash is null`,
    )
    .execute();
}
