import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';

/** SQL for the system module: the installation row and the applied-migration ledger. */
export class SystemRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the installation id, creating it on first start (safe when several processes start at once). */
  async ensureInstallationId(): Promise<string> {
    await this.db
      .insertInto('installation')
      .values({ id: randomUUID() })
      .onConflict((conflict) => conflict.column('singleton').doNothing())
      .execute();
    const row = await this.db.selectFrom('installation').select('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /** How many of the given migrations the store has applied: one round trip, also proving it answers. */
  async countAppliedMigrations(names: readonly string[]): Promise<number> {
    const result = await sql<{ applied: number }>`
      select count(*)::int as applied from kysely_migration where name = any(${sql.val(names)})
    `.execute(this.db);
    return result.rows[0]?.applied ?? 0;
  }
}
