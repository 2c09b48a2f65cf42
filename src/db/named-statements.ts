import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/**
 * Server-side prepared statements for the queries this process runs again and again (session lookup,
 * claim detail, audit append, key reads), as pgJDBC's `prepareThreshold` does: a statement text run
 * {@link NamedStatementOptions.threshold} times is then sent as a named statement, so PostgreSQL parses
 * and plans it once per connection instead of on every call. Measured on the claim detail read (issue 4
 * §11): PostgreSQL's CPU per request fell by half (bench/claims.bench.ts).
 *
 * Bounds: each connection names at most `perConnection` texts (then runs the rest unnamed, never evicting),
 * so a statement whose text varies (an `in (...)` list, a multi-row insert) cannot fill the server's memory.
 * A named statement whose result type a migration has since changed fails with SQLSTATE 0A000 ("cached plan
 * must not change result type"); that connection then stops naming and the call is retried once unnamed.
 * Behind a transaction-mode pooler that cannot keep named statements (PgBouncer before 1.21), turn this off
 * with `CLAIMGUARD_DB_NAMED_STATEMENTS=off`.
 */
export type NamedStatementOptions = { threshold?: number; perConnection?: number };

type Counts = Map<string, number>;
const MAX_COUNTED_TEXTS = 10_000;

export function withNamedStatements(pool: pg.Pool, options: NamedStatementOptions = {}): PostgresPool {
  const threshold = options.threshold ?? 3;
  const perConnection = options.perConnection ?? 200;
  const counts: Counts = new Map();
  // Per physical connection: the names it has prepared (pg itself skips Parse for a name it has parsed).
  const prepared = new WeakMap<pg.PoolClient, Set<string> | 'off'>();
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `cg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      if (names.size >= MAX_COUNTED_TEXTS) names.clear();
      names.set(text, name);
    }
    return name;
  };
  const seen = (text: string): number => {
    const count = (counts.get(text) ?? 0) + 1;
    if (counts.size >= MAX_COUNTED_TEXTS && count === 1) counts.clear();
    counts.set(text, count);
    return count;
  };

  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = async <R>(text: string, parameters: ReadonlyArray<unknown>) => {
        const values = [...parameters];
        let state = prepared.get(client);
        if (!state) {
          state = new Set();
          prepared.set(client, state);
        }
        const name =
          values.length > 0 && state !== 'off' && seen(text) >= threshold
            ? state.has(nameOf(text)) || state.size < perConnection
              ? nameOf(text)
              : null
            : null;
        if (!name || state === 'off') return client.query<R & pg.QueryResultRow>(text, values);
        try {
          const result = await client.query<R & pg.QueryResultRow>({ name, text, values });
          state.add(name);
          return result;
        } catch (error) {
          if ((error as { code?: string }).code !== '0A000') throw error;
          prepared.set(client, 'off');
          return client.query<R & pg.QueryResultRow>(text, values);
        }
      };
      return {
        query: ((textOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) =>
          typeof textOrCursor === 'string'
            ? (query(textOrCursor, parameters ?? []) as Promise<PostgresQueryResult<unknown>>)
            : client.query(textOrCursor as never)) as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
