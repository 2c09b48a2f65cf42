import { type Kysely, sql } from 'kysely';

// Migrations are forward-only: there is no `down`, a mistake is mended by the next migration.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('installation')
    // A boolean key that can only be true keeps the table at one row, even with several processes.
    .addColumn('singleton', 'boolean', (col) => col.primaryKey().defaultTo(true).check(sql`singleton`))
    .addColumn('id', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}
