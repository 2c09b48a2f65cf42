import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { prepareQuery, sqlBuilder } from '../../db/prepared-query.js';

/**
 * The vault's SQL, and the only place that touches `vault_subjects` and `vault_key_rotations`. Every
 * function takes the caller's `db`, which is usually a transaction: reads of a subject's key, the work
 * done with it and the audit record commit or roll back together.
 */
type Db = Kysely<Database>;

export type SubjectKeyRow = {
  subject_id: string;
  wrapped_dek: Uint8Array | null;
  kek_id: string;
  dek_version: number;
  shredded_at: Date | null;
};

// Every read and write of personal data starts with this point query: prepared (see prepared-query.ts).
const findSubjectKeyQuery = prepareQuery(1, (subjectId: string) =>
  sqlBuilder
    .selectFrom('vault_subjects')
    .select(['subject_id', 'wrapped_dek', 'kek_id', 'dek_version', 'shredded_at'])
    .where('subject_id', '=', subjectId),
);

export async function insertSubject(
  db: Db,
  subject: { subjectId: string; wrappedDek: Uint8Array; kekId: string },
): Promise<void> {
  await db
    .insertInto('vault_subjects')
    .values({ subject_id: subject.subjectId, wrapped_dek: subject.wrappedDek, kek_id: subject.kekId })
    .execute();
}

export async function findSubjectKey(db: Db, subjectId: string): Promise<SubjectKeyRow | undefined> {
  return findSubjectKeyQuery.executeTakeFirst(db, subjectId);
}

/**
 * A subject's key row, and in the same statement the audit event of the read it serves, written only when
 * the key is live (not shredded): one round trip, one implicit transaction (see StatementAuditRecorder).
 */
export async function releaseSubjectKeyRecorded(
  db: Db,
  subjectId: string,
  event: { json: string; insertSql: (parameter: string) => string },
): Promise<SubjectKeyRow | undefined> {
  const { rows } = await db.executeQuery<SubjectKeyRow>(
    CompiledQuery.raw(
      `with subject_key as (
        select subject_id, wrapped_dek, kek_id, dek_version, shredded_at from vault_subjects where subject_id = $1
      ), recorded as (
        ${event.insertSql('$2')}
        where exists (select 1 from subject_key where shredded_at is null and wrapped_dek is not null)
      )
      select subject_id, wrapped_dek, kek_id, dek_version, shredded_at from subject_key`,
      [subjectId, event.json],
    ),
  );
  return rows[0];
}

export async function findSubjectKeys(db: Db, subjectIds: readonly string[]): Promise<SubjectKeyRow[]> {
  if (subjectIds.length === 0) return [];
  return db
    .selectFrom('vault_subjects')
    .select(['subject_id', 'wrapped_dek', 'kek_id', 'dek_version', 'shredded_at'])
    .where('subject_id', '=', sql<string>`any(${sql.val(subjectIds)}::uuid[])`)
    .execute();
}

/** Locks the subject's row for a shred, so a concurrent rotation cannot rewrap a key being destroyed. */
export async function lockSubjectKey(
  db: Db,
  subjectId: string,
): Promise<(SubjectKeyRow & { shred_key_hash: string | null }) | undefined> {
  return db
    .selectFrom('vault_subjects')
    .select(['subject_id', 'wrapped_dek', 'kek_id', 'dek_version', 'shredded_at', 'shred_key_hash'])
    .where('subject_id', '=', subjectId)
    .forUpdate()
    .executeTakeFirst();
}

export async function markShredded(db: Db, subjectId: string, keyHash: string, at: Date): Promise<void> {
  await db
    .updateTable('vault_subjects')
    .set({ wrapped_dek: null, shredded_at: at, shred_key_hash: keyHash })
    .where('subject_id', '=', subjectId)
    .where('shredded_at', 'is', null)
    .execute();
}

// --- key rotation ------------------------------------------------------------------------------------

/**
 * The next live subjects not yet under `targetKekId`, locked for this batch. SKIP LOCKED: a subject a
 * running request holds (a shred, say) is left for a later batch instead of making the rotation wait.
 */
export async function lockSubjectsToRewrap(
  db: Db,
  targetKekId: string,
  limit: number,
): Promise<SubjectKeyRow[]> {
  return db
    .selectFrom('vault_subjects')
    .select(['subject_id', 'wrapped_dek', 'kek_id', 'dek_version', 'shredded_at'])
    .where('shredded_at', 'is', null)
    .where('kek_id', '<>', targetKekId)
    .orderBy('subject_id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function updateWrappedKey(
  db: Db,
  row: { subjectId: string; fromKekId: string; wrappedDek: Uint8Array; kekId: string; at: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('vault_subjects')
    .set({ wrapped_dek: row.wrappedDek, kek_id: row.kekId, rewrapped_at: row.at })
    .where('subject_id', '=', row.subjectId)
    .where('kek_id', '=', row.fromKekId)
    .where('shredded_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function countRemaining(db: Db, targetKekId: string): Promise<number> {
  const row = await db
    .selectFrom('vault_subjects')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('shredded_at', 'is', null)
    .where('kek_id', '<>', targetKekId)
    .executeTakeFirst();
  return row?.n ?? 0;
}

/** Live subjects per KEK id (shredded ones hold no key, so they use none). */
export async function countLiveSubjectsByKek(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('vault_subjects')
    .select(['kek_id', sql<number>`count(*)::int`.as('n')])
    .where('shredded_at', 'is', null)
    .groupBy('kek_id')
    .execute();
  return new Map(rows.map((row) => [row.kek_id, row.n]));
}

export async function countShreddedSubjects(db: Db): Promise<number> {
  const row = await db
    .selectFrom('vault_subjects')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('shredded_at', 'is not', null)
    .executeTakeFirst();
  return row?.n ?? 0;
}

export type RotationRow = {
  id: string;
  target_kek_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  subjects_rewrapped: number;
};

const ROTATION_COLUMNS = ['id', 'target_kek_id', 'started_at', 'finished_at', 'subjects_rewrapped'] as const;

export async function findRunningRotation(db: Db): Promise<RotationRow | undefined> {
  return db
    .selectFrom('vault_key_rotations')
    .select(ROTATION_COLUMNS)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
}

export async function findLastFinishedRotation(db: Db): Promise<RotationRow | undefined> {
  return db
    .selectFrom('vault_key_rotations')
    .select(ROTATION_COLUMNS)
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Starts a rotation; false when another one is running (the unique index decides, across processes). */
export async function insertRotation(
  db: Db,
  rotation: { id: string; startedBy: string | null },
): Promise<boolean> {
  const result = await db
    .insertInto('vault_key_rotations')
    .values({ id: rotation.id, started_by: rotation.startedBy })
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function setRotationTarget(db: Db, rotationId: string, targetKekId: string): Promise<void> {
  await db
    .updateTable('vault_key_rotations')
    .set({ target_kek_id: targetKekId })
    .where('id', '=', rotationId)
    .execute();
}

export async function addRewrapped(db: Db, rotationId: string, count: number): Promise<void> {
  await db
    .updateTable('vault_key_rotations')
    .set((eb) => ({ subjects_rewrapped: eb('subjects_rewrapped', '+', count) }))
    .where('id', '=', rotationId)
    .execute();
}

export async function finishRotation(db: Db, rotationId: string, at: Date): Promise<void> {
  await db.updateTable('vault_key_rotations').set({ finished_at: at }).where('id', '=', rotationId).execute();
}
