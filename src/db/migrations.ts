import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

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

/**
 * Reads the migrations folder. Kysely's FileMigrationProvider would do the same, but its `import()` runs
 * inside node_modules, where neither the test runner nor tsx can load a .ts file; this one imports from
 * our own code, so the same TypeScript files run in tests, under tsx and (compiled) in production.
 */
const provider: MigrationProvider = {
  async getMigrations() {
    const files = (await fs.readdir(MIGRATIONS_FOLDER))
      .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts') && !file.includes('.test.'))
      .sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const module = (await import(pathToFileURL(path.join(MIGRATIONS_FOLDER, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, '')] = module;
    }
    return migrations;
  },
};

/**
 * The migrator, with its bookkeeping tables pinned to the connection's current schema. Left unpinned,
 * Kysely looks for them in every schema and, finding another schema's, skips creating its own: two
 * installations (or two test runs) in one database would then trip over each other.
 */
async function migratorFor(db: AnyKysely): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider, migrationTableSchema: rows[0]?.schema ?? 'public' });
}

/** The migrations this build ships, in the order they run. */
export async function shippedMigrationNames(): Promise<string[]> {
  return Object.keys(await provider.getMigrations()).sort();
}

export async function migrationStatus(db: AnyKysely): Promise<MigrationStatus> {
  const migrations = await (await migratorFor(db)).getMigrations();
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
  const { error, results } = await (await migratorFor(db)).migrateToLatest();
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
