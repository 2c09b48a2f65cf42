import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeOnPostgres, postgresTestUrl } from '../test-support/test-stores.js';
import { withNamedStatements } from './named-statements.js';

/** PostgreSQL only: the embedded store parses in-process and has no use for this (issue 4 §11). */
describeOnPostgres('named statements on PostgreSQL', () => {
  let schema: string;
  let pool: pg.Pool;
  let db: Kysely<Record<string, never>>;

  const open = (options?: Parameters<typeof withNamedStatements>[1]) => {
    // One connection, so pg_prepared_statements (per session) shows what this pool prepared.
    pool = new pg.Pool({ connectionString: postgresTestUrl(), max: 1, options: `-c search_path=${schema}` });
    db = new Kysely({ dialect: new PostgresDialect({ pool: withNamedStatements(pool, options) }) });
  };
  const prepared = async () =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements`.execute(db)
    ).rows;

  beforeEach(async () => {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresTestUrl() });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
  });

  afterEach(async () => {
    await db?.destroy();
    const admin = new pg.Client({ connectionString: postgresTestUrl() });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it('prepares a statement once it has run three times, and answers the same', async () => {
    open();
    const answers: number[] = [];
    for (let run = 1; run <= 5; run += 1) {
      answers.push((await sql<{ n: number }>`select ${run}::int + 1 as n`.execute(db)).rows[0]?.n ?? 0);
      const named = (await prepared()).filter((row) => row.statement.includes('+ 1 as n'));
      expect(named).toHaveLength(run >= 3 ? 1 : 0);
      if (run >= 3) expect(named[0]?.name).toMatch(/^cg_[0-9a-f]{24}$/);
    }
    expect(answers).toEqual([2, 3, 4, 5, 6]);
  });

  it('names at most perConnection texts per connection and runs the rest unnamed', async () => {
    open({ threshold: 1, perConnection: 2 });
    for (let text = 0; text < 4; text += 1) {
      const result = await sql<{ n: number }>`select ${text}::int as ${sql.ref(`n${text}`)}`.execute(db);
      expect(Object.values(result.rows[0] ?? {})).toEqual([text]);
    }
    expect(
      (await prepared()).map((row) => row.statement).filter((text) => text.includes('::int as')),
    ).toHaveLength(2);
  });

  it('retries unnamed when a migration changed a prepared statement’s result type', async () => {
    open({ threshold: 1 });
    await sql`create table parcels (id int primary key)`.execute(db);
    await sql`insert into parcels values (1)`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from parcels where id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1 }]);
    await sql`alter table parcels add column weight int default 7`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, weight: 7 }]);
    expect((await read()).rows).toEqual([{ id: 1, weight: 7 }]);
  });
});
