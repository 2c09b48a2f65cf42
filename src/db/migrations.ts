import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, type Kysely, Migrator } from 'kysely';

/**
 * Schema migrations: forward-only, timestamp-named TypeScript files in `./migrations`, run by Kysely's
 * Migrator. Kysely takes a lock around a run (an advisory lock on PostgreSQL), so several processes
 * starting at once apply each migration exactly once.
 */
const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// biome-ignore lint/suspicious/noExplicitAny: migrations run before and below the typed schema
type AnyKysely = Kysely<any>;

export type MigrationStatus = {
  applied: number;
  pending: number;
  latest: string | null;
  pendingNames: string[];
};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const provider = new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_FOLDER });

function migratorFor(db: AnyKysely): Migrator {
  return new Migrator({ db, provider });
}

/** The migrations this build ships, in the order they run. */
export async function shippedMigrationNames(): Promise<string[]> {
  return Object.keys(await provider.getMigrations()).sort();
}

export async function migrationStatus(db: AnyKysely): Promise<MigrationStatus> {
  const migrations = await migratorFor(db).getMigrations();
  const applied = migrations.filter((migration) => migration.executedAt !== undefined);
  const pending = migrations.filter((migration) => migration.executedAt === undefined);
  return {
    applied: applied.length,
    pending: pending.length,
    latest: applied.at(-1)?.name ?? null,
    pendingNames: pending.map((migration) => migration.name),
  };
}

/** Applies every pending migration; returns the names applied in this run. */
export async function migrateToLatest(db: AnyKysely): Promise<string[]> {
  const { error, results } = await migratorFor(db).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new MigrationError(
      failed ? `migration ${failed} failed: ${reason}` : `migrations failed: ${reason}`,
    );
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
