import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';

/** The only SQL of the documents module. Explicit column lists: ciphertexts are read only when needed. */
export type Db = Kysely<Database>;

export type DocumentMetadataRow = {
  id: string;
  claim_id: string;
  subject_id: string;
  field: Database['documents']['field'];
  content_type: string;
  size: number;
  has_thumbnail: boolean;
  uploaded_by_type: string;
  uploaded_by_id: string | null;
  uploaded_by_role: string | null;
  created_at: Date;
};

const METADATA_COLUMNS = [
  'id',
  'claim_id',
  'subject_id',
  'field',
  'content_type',
  'size',
  'uploaded_by_type',
  'uploaded_by_id',
  'uploaded_by_role',
  'created_at',
] as const;

export async function insertDocument(db: Db, row: Insertable<Database['documents']>): Promise<void> {
  await db.insertInto('documents').values(row).execute();
}

/** A claim's documents, oldest first, without their contents. */
export async function documentsOf(db: Db, claimId: string): Promise<DocumentMetadataRow[]> {
  const rows = await db
    .selectFrom('documents')
    .select(METADATA_COLUMNS)
    .select((eb) => eb('thumbnail_ct', 'is not', null).as('has_thumbnail'))
    .where('claim_id', '=', claimId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, has_thumbnail: Boolean(row.has_thumbnail) }));
}

/** One document's metadata, without its contents. */
export async function findDocument(db: Db, id: string): Promise<DocumentMetadataRow | undefined> {
  const row = await db
    .selectFrom('documents')
    .select(METADATA_COLUMNS)
    .select((eb) => eb('thumbnail_ct', 'is not', null).as('has_thumbnail'))
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { ...row, has_thumbnail: Boolean(row.has_thumbnail) } : undefined;
}

/** One ciphertext of a document: its content or its thumbnail (null when it has none). */
export async function ciphertextOf(
  db: Db,
  id: string,
  column: 'content_ct' | 'thumbnail_ct',
): Promise<Uint8Array | null> {
  const row = await db.selectFrom('documents').select(column).where('id', '=', id).executeTakeFirst();
  return (row?.[column] as Uint8Array | null | undefined) ?? null;
}
