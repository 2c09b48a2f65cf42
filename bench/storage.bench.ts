import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from '../src/db/pglite-dialect.js';
import { prepareQuery } from '../src/db/prepared-query.js';
import { type BenchGroup, type Comparison, postgresUnreachable } from './bench-kit.js';

/**
 * A parameterised point query through the storage layer (Kysely, our dialect, our type parsers) against
 * the raw driver running the same SQL. Target: the layer costs under 10 % (ratio >= 0.90).
 */
const ROWS = 10_000;
const CREATE =
  'create table bench_claims (id int primary key, claim_number text not null, status text not null)';
const FILL = `insert into bench_claims select g, 'CLM' || lpad(g::text, 8, '0'), 'registered' from generate_series(1, ${ROWS}) g`;
const QUERY = 'select "id", "claim_number", "status" from "bench_claims" where "id" = $1';

type BenchDatabase = { bench_claims: { id: number; claim_number: string; status: string } };

let next = 0;
const nextId = () => (next = (next % ROWS) + 1);

function comparisons(
  label: string,
  kysely: Kysely<BenchDatabase>,
  raw: (id: number) => Promise<unknown>,
): Comparison[] {
  const pointQuery = (id: number) =>
    kysely.selectFrom('bench_claims').select(['id', 'claim_number', 'status']).where('id', '=', id);
  const prepared = prepareQuery(1, pointQuery);
  return [
    {
      name: `point query via storage layer, prepared (${label})`,
      baselineName: `point query via raw driver (${label})`,
      target: 0.9,
      measured: () => prepared.executeTakeFirst(kysely, nextId()),
      baseline: () => raw(nextId()),
    },
    {
      // No target: shows what building and compiling the query on each call adds.
      name: `point query via storage layer, built per call (${label})`,
      baselineName: `point query via raw driver (${label})`,
      measured: () => pointQuery(nextId()).executeTakeFirst(),
      baseline: () => raw(nextId()),
    },
  ];
}

export function embeddedStorageGroup(): BenchGroup {
  let client: PGlite;
  let kysely: Kysely<BenchDatabase>;
  return {
    title: 'storage: embedded (PGlite)',
    async setup() {
      client = await PGlite.create();
      await client.exec(CREATE);
      await client.exec(FILL);
      kysely = new Kysely<BenchDatabase>({ dialect: new PGliteDialect(client) });
      return comparisons('PGlite', kysely, (id) => client.query(QUERY, [id]));
    },
    async teardown() {
      await kysely.destroy();
      await client.close();
    },
  };
}

export function postgresStorageGroup(): BenchGroup {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const schema = `bench_${process.pid}`;
  let pool: pg.Pool;
  let kysely: Kysely<BenchDatabase>;
  return {
    title: 'storage: PostgreSQL',
    skipReason: () => postgresUnreachable(url),
    async setup() {
      // One connection each, so the comparison measures the layer and not pool contention.
      pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
      await pool.query(`create schema if not exists ${schema}`);
      await pool.query(CREATE);
      await pool.query(FILL);
      kysely = new Kysely<BenchDatabase>({ dialect: new PostgresDialect({ pool }) });
      await sql`select 1`.execute(kysely);
      return comparisons('PostgreSQL', kysely, (id) => pool.query(QUERY, [id]));
    },
    async teardown() {
      await pool.query(`drop schema if exists ${schema} cascade`);
      await kysely.destroy();
    },
  };
}
