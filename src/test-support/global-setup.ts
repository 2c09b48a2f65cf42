import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Finds the PostgreSQL the storage tests run on besides the embedded store:
 * - DATABASE_URL when set (CI's second run: then the tests on the primary store use it as well);
 * - otherwise a throw-away database created on the local server (CLAIMGUARD_TEST_PG_ADMIN_URL, by default
 *   postgres://postgres@127.0.0.1:5432/postgres) and dropped after the run.
 * Without a reachable server the PostgreSQL legs are skipped and the run says so; under CI=true that is a
 * failure, because CI must prove both stores.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function tryConnect(url: string): Promise<pg.Client | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => {});
    return null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const explicit = process.env.DATABASE_URL;
  if (explicit) {
    const client = await tryConnect(explicit);
    if (!client) throw new Error('DATABASE_URL is set but PostgreSQL does not answer there');
    await client.end();
    project.provide('postgresUrl', explicit);
    return async () => {};
  }

  const adminUrl = process.env.CLAIMGUARD_TEST_PG_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const admin = await tryConnect(adminUrl);
  if (!admin) {
    const message = `PostgreSQL is not reachable at ${new URL(adminUrl).host}: the PostgreSQL legs of the storage tests are SKIPPED (set DATABASE_URL or CLAIMGUARD_TEST_PG_ADMIN_URL to run them).`;
    if (process.env.CI === 'true') throw new Error(`${message} Under CI a skip is a failure.`);
    process.stderr.write(`\n⚠ ${message}\n\n`);
    project.provide('postgresUrl', '');
    return async () => {};
  }
  const database = `claimguard_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  project.provide('postgresUrl', url.toString());
  return async () => {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  };
}
