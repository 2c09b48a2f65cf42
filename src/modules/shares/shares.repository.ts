import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { ClaimSharesTable } from './shares.tables.js';

/** The only SQL of the shares module. The token hash is selected only where a token is looked up. */
type Db = Kysely<Database>;

export type ShareRow = {
  id: string;
  claim_id: string;
  party_name: string;
  party_kind: ClaimSharesTable['party_kind'];
  fields: string[];
  expires_at: Date;
  created_by: string;
  created_by_role: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  end_reason: ClaimSharesTable['end_reason'];
  last_opened_at: Date | null;
  open_count: number;
};

const SHARE_COLUMNS = [
  'id',
  'claim_id',
  'party_name',
  'party_kind',
  'fields',
  'expires_at',
  'created_by',
  'created_by_role',
  'created_at',
  'revoked_at',
  'revoked_by',
  'end_reason',
  'last_opened_at',
  'open_count',
] as const;

export async function insertShare(
  db: Db,
  row: Omit<
    ShareRow,
    'created_at' | 'revoked_at' | 'revoked_by' | 'end_reason' | 'last_opened_at' | 'open_count'
  > & {
    token_hash: Uint8Array;
  },
  documentIds: readonly string[],
): Promise<void> {
  await db
    .insertInto('claim_shares')
    .values({ ...row, fields: JSON.stringify(row.fields) as unknown as string[] })
    .execute();
  if (documentIds.length > 0)
    await db
      .insertInto('claim_share_documents')
      .values(documentIds.map((documentId) => ({ share_id: row.id, document_id: documentId })))
      .execute();
}

export async function findShare(db: Db, id: string): Promise<ShareRow | undefined> {
  return db.selectFrom('claim_shares').select(SHARE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The share a token opens, locked for the opening's bookkeeping. */
export async function findShareByTokenHash(db: Db, tokenHash: Uint8Array): Promise<ShareRow | undefined> {
  return db
    .selectFrom('claim_shares')
    .select(SHARE_COLUMNS)
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function sharesOf(db: Db, claimId: string): Promise<ShareRow[]> {
  return db
    .selectFrom('claim_shares')
    .select(SHARE_COLUMNS)
    .where('claim_id', '=', claimId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** The chosen documents of each share, in the order they were chosen (by id for ties). */
export async function documentIdsOf(db: Db, shareIds: readonly string[]): Promise<Map<string, string[]>> {
  const byShare = new Map<string, string[]>(shareIds.map((id) => [id, []]));
  if (shareIds.length === 0) return byShare;
  const rows = await db
    .selectFrom('claim_share_documents')
    .select(['share_id', 'document_id'])
    .where('share_id', 'in', [...shareIds])
    .orderBy('document_id')
    .execute();
  for (const row of rows) byShare.get(row.share_id)?.push(row.document_id);
  return byShare;
}

export async function markRevoked(db: Db, id: string, by: string): Promise<void> {
  await db
    .updateTable('claim_shares')
    .set({ revoked_at: new Date(), revoked_by: by, end_reason: 'revoked' })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every share of a claim that has not ended yet; returns their ids. */
export async function endSharesOfClaim(db: Db, claimId: string): Promise<string[]> {
  const rows = await db
    .updateTable('claim_shares')
    .set({ revoked_at: new Date(), end_reason: 'claim-finished' })
    .where('claim_id', '=', claimId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export async function markOpened(db: Db, id: string, countOpening: boolean): Promise<void> {
  await db
    .updateTable('claim_shares')
    .set({
      last_opened_at: new Date(),
      ...(countOpening ? { open_count: sql<number>`open_count + 1` } : {}),
    })
    .where('id', '=', id)
    .execute();
}
