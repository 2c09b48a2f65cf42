import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import lockfile from 'proper-lockfile';
import type { Database } from './database-schema.js';
import { withNamedStatements } from './named-statements.js';
import { PGliteDialect } from './pglite-dialect.js';
import { StoreLockedError, StoreUnavailableError } from './store-errors.js';

/**
 * The store: one Kysely handle over either the embedded PGlite database (default) or PostgreSQL
 * (when DATABASE_URL is set). Both speak the same SQL dialect, and both return the same JavaScript
 * types for the same column types, so nothing above this file knows which one it has.
 */
export type StoreKind = 'embedded' | 'postgres';

export type Store = {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  /** Where the data lives, safe to print: never contains credentials. */
  readonly location: string;
  /** Resolves when the store answers a query; throws {@link StoreUnavailableError} otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: the rows of a query as PostgreSQL's binary COPY stream (parse with `binaryCopyRows`),
   * for reads of a whole table that must go fast. Absent on the embedded store.
   */
  copyOutBinary?: (query: string) => AsyncIterable<Buffer>;
  /**
   * PostgreSQL only: a connection of its own, outside the pool, in the store's schema, for session-level
   * state that must live exactly as long as the connection (a session advisory lock, LISTEN). The caller
   * ends it. Absent on the embedded store, which has one session and one process.
   */
  openSession?: (applicationName: string) => Promise<pg.Client>;
};

const PG_INT8 = 20;
const PG_DATE = 1082;

/** int8 becomes a number while it is exact and a bigint beyond that (PGlite's own rule, applied to both). */
function parseInt8(value: string): number | bigint {
  const big = BigInt(value);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
}

/** Calendar dates stay 'YYYY-MM-DD' strings: a Date would shift them by the process's time zone. */
const parseDate = (value: string): string => value;

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8) return parseInt8;
    if (oid === PG_DATE) return parseDate;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

const pgliteParsers = { [PG_INT8]: parseInt8, [PG_DATE]: parseDate };

export type PostgresStoreOptions = {
  url: string;
  poolSize?: number;
  /** Prepares frequently run statements on each connection (default on; see named-statements.ts). */
  namedStatements?: boolean;
  /** Puts every table in this schema (tests use one schema each to run side by side in one database). */
  schema?: string;
};

/** Describes a PostgreSQL URL without user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = parsed.pathname.replace(/^\//, '') || '(default database)';
    return `PostgreSQL at ${parsed.hostname || 'local socket'}:${parsed.port || '5432'}/${database}`;
  } catch {
    return 'PostgreSQL (unparseable DATABASE_URL)';
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const location = describePostgresUrl(options.url);
  const schemaOption = options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {};
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    application_name: 'claimguard',
    types: pgTypes,
    ...schemaOption,
  });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: options.namedStatements === false ? pool : withNamedStatements(pool),
    }),
  });
  const store: Store = {
    kind: 'postgres',
    db,
    location,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw new StoreUnavailableError(`cannot reach ${location}: ${describeConnectionError(error)}`);
      }
    },
    close: closeOnce(() => db.destroy()),
    async *copyOutBinary(query: string) {
      const client = await pool.connect();
      try {
        const stream = client.query(copyTo(`copy (${query}) to stdout (format binary)`));
        for await (const chunk of stream) yield chunk as Buffer;
      } finally {
        client.release();
      }
    },
    async openSession(applicationName: string) {
      const client = new pg.Client({
        connectionString: options.url,
        connectionTimeoutMillis: 5_000,
        application_name: applicationName,
        types: pgTypes,
        ...schemaOption,
      });
      // Until the caller attaches its own handler, a dropped connection must not crash the process.
      client.on('error', () => {});
      await client.connect();
      return client;
    },
  };
  try {
    await store.ping();
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
  return store;
}

export type EmbeddedStoreOptions = {
  /** Directory for the store's files; omitted, the store lives in memory (tests). */
  dataDir?: string;
};

/**
 * Opens the embedded store. A persistent data directory is locked for this process: PGlite has no
 * protection of its own against a second process writing the same files, which would corrupt them.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions = {}): Promise<Store> {
  let releaseLock: (() => Promise<void>) | null = null;
  let location = 'embedded store in memory';
  let pgliteDir: string | undefined;
  if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    location = `embedded store in ${dataDir}`;
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new StoreUnavailableError(
        `cannot create ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    releaseLock = await lockDataDir(dataDir);
    pgliteDir = join(dataDir, 'pglite');
  }
  let client: PGlite;
  try {
    client = await PGlite.create(pgliteDir, { parsers: pgliteParsers });
  } catch (error) {
    await releaseLock?.();
    throw new StoreUnavailableError(`cannot open the ${location}: ${(error as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    kind: 'embedded',
    db,
    location,
    async ping() {
      if (client.closed) throw new StoreUnavailableError(`the ${location} is closed`);
      await sql`select 1`.execute(db);
    },
    close: closeOnce(async () => {
      await db.destroy();
      if (!client.closed) await client.close();
      await releaseLock?.();
    }),
  };
}

async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, 'claimguard.lock'),
      realpath: false,
      // A crashed holder's lock is taken over once it has not been refreshed for this long.
      stale: 15_000,
      update: 5_000,
      retries: 0,
      onCompromised: (error) => {
        // SECURITY: going on without the lock could let two processes write one store; stop instead.
        process.stderr.write(`claimguard: lost the lock on ${dataDir} (${error.message}); stopping.\n`);
        process.exit(5);
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StoreLockedError(
        `the embedded store in ${dataDir} is in use by another ClaimGuard process; stop that process, or set CLAIMGUARD_DATA_DIR to another directory`,
      );
    }
    throw new StoreUnavailableError(`cannot lock ${dataDir}: ${(error as Error).message}`);
  }
}

/** Opens the store the configuration selects. */
export async function openStore(config: {
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databaseNamedStatements?: 'on' | 'off';
  dataDir: string;
}): Promise<Store> {
  if (config.databaseUrl) {
    return openPostgresStore({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      namedStatements: config.databaseNamedStatements !== 'off',
    });
  }
  return openEmbeddedStore({ dataDir: config.dataDir });
}

/** Closing twice (a failed start, then shutdown) must neither fail nor release a lock twice. */
function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= close();
    return closing;
  };
}

function describeConnectionError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused (is PostgreSQL running?)';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'ETIMEDOUT') return 'connection timed out';
  if (code === '3D000') return 'database does not exist';
  if (code === '28P01' || code === '28000') return 'authentication failed';
  if (error instanceof AggregateError && error.errors.length > 0)
    return describeConnectionError(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  // pg's messages name hosts and databases, never passwords; still keep them short.
  return message.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('schema names are lower-case letters, digits and _');
  return name;
}
