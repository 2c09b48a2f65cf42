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

/** How many statement texts are remembered at most (their run counts and names); then it starts again. */
const MAX_TEXTS = 10_000;

export function withNamedStatements(pool: pg.Pool, options: NamedStatementOptions = {}): PostgresPool {
  const threshold = options.threshold ?? 3;
  const perConnection = options.perConnection ?? 200;
  const texts = new Map<string, { runs: number; name: string | null }>();
  // Per physical connection: the names it has prepared (pg itself skips Parse for a name it has parsed).
  const prepared = new WeakMap<pg.PoolClient, Set<string> | 'off'>();
  /** Counts a run of `text`; its name once it has run `threshold` times. */
  const nameAfterRun = (text: string): string | null => {
    let entry = texts.get(text);
    if (!entry) {
      if (texts.size >= MAX_TEXTS) texts.clear();
      entry = { runs: 0, name: null };
      texts.set(text, entry);
    }
    entry.runs += 1;
    if (entry.runs >= threshold)
      entry.name ??= `cg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    return entry.name;
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
        if (state === 'off' || values.length === 0) return client.query<R & pg.QueryResultRow>(text, values);
        const candidate = nameAfterRun(text);
        const name = candidate && (state.has(candidate) || state.size < perConnection) ? candidate : null;
        if (!name) return client.query<R & pg.QueryResultRow>(text, values);
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
