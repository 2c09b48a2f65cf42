import { type Kysely, sql } from 'kysely';

/**
 * Claim documents (issue "Documents"): accident photos and medical documents uploaded to a claim. The
 * content and the thumbnail are stored only as vault ciphertexts under the claimant's key, bound to this
 * table, their column and the row; the file name the client sent is never stored.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('documents')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('claim_id', 'uuid', (col) => col.notNull().references('claims.id'))
    // The claimant: the vault data subject whose key seals the content.
    .addColumn('subject_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('field', 'text', (col) =>
      col.notNull().check(sql`field in ('document.accident_photo', 'document.health_record')`),
    )
    // Detected from the content (magic bytes), never the client's declaration.
    .addColumn('content_type', 'text', (col) => col.notNull())
    .addColumn('size', 'integer', (col) => col.notNull().check(sql`size > 0`))
    .addColumn('content_ct', 'bytea', (col) => col.notNull())
    .addColumn('thumbnail_ct', 'bytea')
    .addColumn('uploaded_by_type', 'text', (col) =>
      col.notNull().check(sql`uploaded_by_type in ('staff', 'customer', 'api-token', 'system')`),
    )
    .addColumn('uploaded_by_id', 'uuid')
    .addColumn('uploaded_by_role', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('documents_claim_idx')
    .on('documents')
    .columns(['claim_id', 'created_at'])
    .execute();
  await db.schema.createIndex('documents_subject_idx').on('documents').column('subject_id').execute();
}
