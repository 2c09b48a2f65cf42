import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { migrateToLatest } from '../db/migrations.js';
import { openEmbeddedStore, openPostgresStore, type Store, type StoreKind } from '../db/store.js';

/**
 * Stores for tests. Each PostgreSQL store gets a schema of its own in the run's database, so test files
 * run side by side without seeing each other's rows; closing the store drops the schema.
 */
export function postgresTestUrl(): string {
  return inject('postgresUrl');
}

/** The store every storage-backed test uses by default: PostgreSQL when DATABASE_URL is set. */
export function primaryStoreKind(): StoreKind {
  return process.env.DATABASE_URL ? 'postgres' : 'embedded';
}

export async function openTestStore(
  kind: StoreKind = primaryStoreKind(),
  options: { migrate?: boolean } = {},
): Promise<Store> {
  const store = kind === 'embedded' ? await openEmbeddedStore() : await openPostgresTestStore();
  if (options.migrate !== false) await migrateToLatest(store.db);
  return store;
}

async function openPostgresTestStore(): Promise<Store> {
  const url = postgresTestUrl();
  if (!url) throw new Error('no PostgreSQL for tests; see src/test-support/global-setup.ts');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const store = await openPostgresStore({ url, schema, poolSize: 4 });
  return {
    ...store,
    async close() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      try {
        await cleanup.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * CLAIMGUARD_TEST_STORES narrows what the store-pinned suites below register:
 * - `postgres`: `describeEachStore` leaves its embedded leg out;
 * - `primary-only` (CI's second run, with DATABASE_URL set): neither `describeEachStore` nor
 *   `describeOnPostgres` registers anything: the first run (embedded store primary, PostgreSQL reachable) has
 *   run every pinned suite on both stores already; what is left is the tests on the primary store (.ci/run
 *   passes only the files that have them, see .ci/primary-store-tests.mjs).
 */
const storesOption = process.env.CLAIMGUARD_TEST_STORES;

/**
 * Runs a suite once per store: the embedded store always, PostgreSQL when the run has one. A skipped
 * PostgreSQL leg shows up as skipped in the report (and fails the run under CI, see global-setup).
 */
export function describeEachStore(name: string, suite: (kind: StoreKind) => void): void {
  if (storesOption === 'primary-only') return;
  if (storesOption !== 'postgres') describe(`${name} [embedded]`, () => suite('embedded'));
  describeOnPostgres(`${name} [postgres]`, () => suite('postgres'));
}

/**
 * A suite for PostgreSQL only (e.g. several processes sharing the store, which PGlite cannot do): skipped
 * when the run has no PostgreSQL, not registered under CLAIMGUARD_TEST_STORES=primary-only.
 */
export function describeOnPostgres(name: string, suite: () => void): void {
  if (storesOption === 'primary-only') return;
  (postgresTestUrl() !== '' ? describe : describe.skip)(name, suite);
}
