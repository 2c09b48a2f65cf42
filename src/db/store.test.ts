import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrations.js';
import { describePostgresUrl, openEmbeddedStore, openPostgresStore } from './store.js';
import { StoreLockedError, StoreUnavailableError } from './store-errors.js';

describe('embedded store on disk', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-store-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a second opener of the same directory and keeps the data', async () => {
    const first = await openEmbeddedStore({ dataDir });
    await migrateToLatest(first.db);
    await sql`create table kept (v text)`.execute(first.db);
    await sql`insert into kept values ('still here')`.execute(first.db);

    const second = await openEmbeddedStore({ dataDir }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(StoreLockedError);
    expect((second as Error).message).toContain('in use by another ClaimGuard process');
    expect((second as Error).message).toContain('CLAIMGUARD_DATA_DIR');

    await first.close();
    const reopened = await openEmbeddedStore({ dataDir });
    const { rows } = await sql<{ v: string }>`select v from kept`.execute(reopened.db);
    expect(rows).toEqual([{ v: 'still here' }]);
    await reopened.close();
  });

  it('closes twice without error and releases the lock once', async () => {
    const store = await openEmbeddedStore({ dataDir });
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('PostgreSQL store that cannot be reached', () => {
  it('fails with one clear message that carries no password', async () => {
    const url = 'postgres://claims:hunter2-secret@127.0.0.1:1/claimguard';
    const error = await openPostgresStore({ url }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message).toBe(
      'cannot reach PostgreSQL at 127.0.0.1:1/claimguard: connection refused (is PostgreSQL running?)',
    );
    expect(message).not.toContain('hunter2');
  });

  it('describes URLs without credentials', () => {
    expect(describePostgresUrl('postgresql://u:p@db.internal:6432/claims')).toBe(
      'PostgreSQL at db.internal:6432/claims',
    );
    expect(describePostgresUrl('postgres://u:p@db/claims')).toBe('PostgreSQL at db:5432/claims');
  });
});
