import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, openTestStore } from '../test-support/test-stores.js';
import { migrateToLatest, migrationStatus, shippedMigrationNames } from './migrations.js';
import { prepareQuery } from './prepared-query.js';
import type { Store } from './store.js';

/**
 * The storage contract: what every module may rely on, whichever store runs underneath. The same
 * assertions run on the embedded store and on PostgreSQL.
 */
describeEachStore('storage contract', (kind) => {
  let store: Store;

  beforeEach(async () => {
    store = await openTestStore(kind, { migrate: false });
  });

  afterEach(async () => {
    await store.close();
  });

  it('applies every shipped migration once, then reports nothing pending', async () => {
    const shipped = await shippedMigrationNames();
    expect(shipped.length).toBeGreaterThan(0);
    const before = await migrationStatus(store.db);
    expect(before).toMatchObject({
      applied: 0,
      pending: shipped.length,
      latest: null,
      pendingNames: shipped,
    });

    expect(await migrateToLatest(store.db)).toEqual(shipped);
    expect(await migrateToLatest(store.db)).toEqual([]);
    expect(await migrationStatus(store.db)).toEqual({
      applied: shipped.length,
      pending: 0,
      latest: shipped.at(-1),
      pendingNames: [],
    });
  });

  it('returns the same JavaScript types for the same column types', async () => {
    const { rows } = await sql<{
      big: unknown;
      huge: unknown;
      money: unknown;
      day: unknown;
      moment: unknown;
      doc: unknown;
      flag: unknown;
      bytes: unknown;
    }>`select 42::int8 as big, 9007199254740993::int8 as huge, 12.30::numeric(10,2) as money,
        '2024-02-29'::date as day, '2024-02-29T12:00:00Z'::timestamptz as moment,
        '{"a":[1,"x"]}'::jsonb as doc, true as flag, '\\x0102ff'::bytea as bytes`.execute(store.db);
    const row = rows[0];
    expect(row?.big).toBe(42);
    expect(row?.huge).toBe(9007199254740993n);
    expect(row?.money).toBe('12.30');
    expect(row?.day).toBe('2024-02-29');
    expect(row?.moment).toEqual(new Date('2024-02-29T12:00:00Z'));
    expect(row?.doc).toEqual({ a: [1, 'x'] });
    expect(row?.flag).toBe(true);
    expect(row?.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from((row?.bytes ?? []) as Uint8Array)).toEqual([1, 2, 255]);
  });

  it('commits a transaction and rolls back a failed one', async () => {
    await sql`create table contract_items (id int primary key, label text not null)`.execute(store.db);
    await store.db.transaction().execute(async (trx) => {
      await sql`insert into contract_items values (1, 'kept')`.execute(trx);
    });
    await expect(
      store.db.transaction().execute(async (trx) => {
        await sql`insert into contract_items values (2, 'lost')`.execute(trx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const { rows } = await sql<{ id: number }>`select id from contract_items order by id`.execute(store.db);
    expect(rows.map((row) => row.id)).toEqual([1]);
  });

  it('keeps concurrent transactions apart: a rollback takes only its own rows', async () => {
    await sql`create table contract_events (id int primary key)`.execute(store.db);
    const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
    const attempts = Array.from({ length: 10 }, (_, id) =>
      store.db.transaction().execute(async (trx) => {
        await pause();
        await sql`insert into contract_events values (${id})`.execute(trx);
        await pause();
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from contract_events`.execute(
          trx,
        );
        // Inside its own transaction a writer sees its row; interleaved sessions would break this.
        expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
        if (id % 2 === 1) throw new Error('rolled back on purpose');
      }),
    );
    const outcomes = await Promise.allSettled(attempts);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    const { rows } = await sql<{ id: number }>`select id from contract_events order by id`.execute(store.db);
    expect(rows.map((row) => row.id)).toEqual([0, 2, 4, 6, 8]);
  });

  it('reports affected rows and constraint violations alike', async () => {
    await migrateToLatest(store.db);
    await sql`create table contract_people (id int primary key, city text)`.execute(store.db);
    await sql`insert into contract_people values (1, 'a'), (2, 'a'), (3, 'b')`.execute(store.db);
    const update = await store.db
      .updateTable('contract_people' as never)
      .set({ city: 'c' } as never)
      .where('city' as never, '=', 'a' as never)
      .executeTakeFirst();
    expect(update.numUpdatedRows).toBe(2n);
    const failure = await sql`insert into contract_people values (1, 'dup')`
      .execute(store.db)
      .catch((error) => error);
    expect((failure as { code?: string }).code).toBe('23505');
  });

  it('gives one installation id to concurrent first starts', async () => {
    await migrateToLatest(store.db);
    const { SystemRepository } = await import('../modules/system/system.repository.js');
    const repository = new SystemRepository(store.db);
    const ids = await Promise.all(Array.from({ length: 5 }, () => repository.ensureInstallationId()));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('runs a prepared query with new values each time, inside and outside transactions', async () => {
    await migrateToLatest(store.db);
    await sql`create table contract_claims (id int primary key, status text not null)`.execute(store.db);
    await sql`insert into contract_claims values (1, 'reported'), (2, 'closed'), (3, 'closed')`.execute(
      store.db,
    );
    const db = store.db as unknown as Kysely<{ contract_claims: { id: number; status: string } }>;
    const byStatusAbove = prepareQuery(2, (status: string, above: number) =>
      db
        .selectFrom('contract_claims')
        .select('id')
        .where('status', '=', status)
        .where('id', '>', above)
        .orderBy('id'),
    );
    expect((await byStatusAbove.execute(db, 'closed', 0)).rows).toEqual([{ id: 2 }, { id: 3 }]);
    expect((await byStatusAbove.execute(db, 'closed', 2)).rows).toEqual([{ id: 3 }]);
    await db.transaction().execute(async (trx) => {
      expect(await byStatusAbove.executeTakeFirst(trx, 'reported', 0)).toEqual({ id: 1 });
    });
    // An argument that never becomes a parameter would silently be ignored: refused at preparation.
    expect(() => prepareQuery(1, (_unused: string) => db.selectFrom('contract_claims').select('id'))).toThrow(
      /did not become SQL parameters/,
    );
  });
});
