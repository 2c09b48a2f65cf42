import { type Kysely, sql } from 'kysely';

// Forward-only (see 2026-11-24T0900-installation.ts). The personal-data vault: data keys per data subject
// and the record of key rotations.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vault_subjects')
    .addColumn('subject_id', 'uuid', (col) => col.primaryKey())
    .addColumn('wrapped_dek', 'bytea')
    .addColumn('kek_id', 'text', (col) => col.notNull())
    .addColumn('dek_version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('rewrapped_at', 'timestamptz')
    .addColumn('shredded_at', 'timestamptz')
    .addColumn('shred_key_hash', 'text')
    // A subject either has a wrapped key or has been shredded, never both, never neither.
    .addCheckConstraint(
      'vault_subjects_key_or_shredded',
      sql`(wrapped_dek is null) = (shredded_at is not null)`,
    )
    .execute();
  // Rotation and status look up the live subjects by KEK.
  await db.schema
    .createIndex('vault_subjects_live_by_kek')
    .on('vault_subjects')
    .columns(['kek_id', 'subject_id'])
    .where(sql.ref('shredded_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('vault_key_rotations')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('target_kek_id', 'text')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('subjects_rewrapped', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('started_by', 'text')
    .execute();
  // At most one running rotation, even with several processes starting one at once.
  await sql`create unique index vault_key_rotations_one_running on vault_key_rotations ((true)) where finished_at is null`.execute(
    db,
  );
}
