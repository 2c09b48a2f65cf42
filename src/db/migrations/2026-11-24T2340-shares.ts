import { type Kysely, sql } from 'kysely';

/**
 * Sharing a claim with an outside party (issue section 6): a garage, hospital or loss adjuster gets a link
 * that shows the fields and documents a handler chose, until it expires, is revoked or the claim is
 * finished. The link's token is a capability: only its SHA-256 is stored, never the token. The party is
 * named by its organisation and kind only; no contact person's personal data is kept here.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('claim_shares')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('claim_id', 'uuid', (col) => col.notNull().references('claims.id'))
    .addColumn('party_name', 'text', (col) =>
      col.notNull().check(sql`char_length(party_name) between 1 and 200`),
    )
    .addColumn('party_kind', 'text', (col) =>
      col.notNull().check(sql`party_kind in ('garage', 'hospital', 'loss-adjuster', 'other')`),
    )
    // The claim fields shown, as ids of the fixed list in shares.service.ts.
    .addColumn('fields', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('token_hash', 'bytea', (col) => col.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_by', 'uuid', (col) => col.notNull())
    .addColumn('created_by_role', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // When and why the share ended before its expiry: revoked by a handler (revoked_by), or its claim
    // reached a final state (for good: reopening the claim does not revive the share).
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid')
    .addColumn('end_reason', 'text', (col) => col.check(sql`end_reason in ('revoked', 'claim-finished')`))
    .addColumn('last_opened_at', 'timestamptz')
    .addColumn('open_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addCheckConstraint('claim_shares_expires_after_creation', sql`expires_at > created_at`)
    .addCheckConstraint('claim_shares_ended_with_reason', sql`(revoked_at is null) = (end_reason is null)`)
    .execute();
  await db.schema
    .createIndex('claim_shares_claim_idx')
    .on('claim_shares')
    .columns(['claim_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('claim_share_documents')
    .addColumn('share_id', 'uuid', (col) => col.notNull().references('claim_shares.id'))
    .addColumn('document_id', 'uuid', (col) => col.notNull().references('documents.id'))
    .addPrimaryKeyConstraint('claim_share_documents_pk', ['share_id', 'document_id'])
    .execute();
}
