import {
  type Compilable,
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import type { Database } from './database-schema.js';

/** Builds SQL only (never connects): for queries compiled once at load with {@link prepareQuery}. */
export const sqlBuilder = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * A query compiled once and run many times with new values: for hot paths (session lookup, audit
 * appends, point reads), where building and compiling the query on every call costs more than the
 * embedded store takes to answer it (see bench/storage.bench.ts).
 *
 * `build` receives placeholder values and must produce the same SQL whatever the values are: no
 * branching on them, no `in (list)` whose length varies. Each placeholder must reach the SQL exactly as a
 * parameter; {@link prepareQuery} checks that and refuses otherwise.
 */
export type PreparedQuery<Args extends unknown[], Row> = {
  readonly sql: string;
  execute(db: QueryExecutor, ...args: Args): Promise<QueryResult<Row>>;
  executeTakeFirst(db: QueryExecutor, ...args: Args): Promise<Row | undefined>;
};

/** A Kysely instance or a transaction: anything that runs a compiled query. */
export type QueryExecutor = Pick<Kysely<unknown>, 'executeQuery'>;

class Placeholder {
  constructor(readonly index: number) {}
}

export function prepareQuery<Args extends unknown[], Row>(
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
): PreparedQuery<Args, Row> {
  const placeholders = Array.from({ length: arity }, (_, index) => new Placeholder(index)) as unknown as Args;
  const compiled = build(...placeholders).compile();
  const slots = compiled.parameters.map((parameter) =>
    parameter instanceof Placeholder ? parameter.index : -1,
  );
  const used = new Set(slots.filter((slot) => slot >= 0));
  if (used.size !== arity) {
    throw new Error(`prepareQuery: ${arity - used.size} argument(s) did not become SQL parameters`);
  }
  const bind = (args: Args): CompiledQuery<Row> =>
    CompiledQuery.raw(
      compiled.sql,
      compiled.parameters.map((parameter, position) => {
        const slot = slots[position] ?? -1;
        return slot >= 0 ? args[slot] : parameter;
      }),
    );
  return {
    sql: compiled.sql,
    execute: (db, ...args) => db.executeQuery<Row>(bind(args)),
    async executeTakeFirst(db, ...args) {
      const result = await db.executeQuery<Row>(bind(args));
      return result.rows[0];
    },
  };
}
