import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { openEmbeddedStore, openPostgresStore, type Store, type StoreKind } from '../src/db/store.js';
import { createLogger, OneLineRequestLog } from '../src/http/logger.js';
import { buildServer, type ClaimGuardServer } from '../src/http/server.js';
import { AuditService } from '../src/modules/audit/audit.service.js';
import { SYSTEM_ACTOR } from '../src/modules/audit/audit-event.js';
import { COUNTY_DIVISIONS } from '../src/modules/claims/administrative-divisions.js';
import { INCIDENT, seedClaimsWorld, ZHANG_SAN } from '../src/modules/claims/claims-test-kit.js';
import { CustomerService } from '../src/modules/claims/customers.service.js';
import { makeResidentId } from '../src/modules/claims/resident-id.js';
import { SystemRepository } from '../src/modules/system/system.repository.js';
import { VaultService } from '../src/modules/vault/vault.service.js';
import { RecordingAudit } from '../src/test-support/recording-audit.js';
import { signInAs } from '../src/test-support/staff-session.js';
import type { TestServer } from '../src/test-support/test-server.js';
import { testVaultKeys } from '../src/test-support/vault-fixtures.js';
import {
  type BenchGroup,
  type Comparison,
  type LoadComparison,
  postgresUnreachable,
  type Sample,
} from './bench-kit.js';

/**
 * The claims module's speed targets:
 * (a) GET /api/v1/claims/:id over HTTP on PostgreSQL, 64 connections (autocannon in a worker thread of
 *     this process): session authentication, CASL policy, policy + claim read, decrypt + mask of the
 *     claimant's fields, audit append (sequenced in the background as a running server does), against a
 *     bare Fastify route with the same server options answering a small JSON body. Targets: requests/s
 *     ratio >= 0.25, p99 < 50 ms.
 * (b) CustomerService.findIds by ID number among BENCH_CUSTOMERS customers (default 1,000,000) on both
 *     stores, for existing and missing numbers, against the same queries by primary key. Target: p99 <
 *     20 ms. Customers are seeded in bulk SQL: real blind indexes of valid resident ID numbers, random
 *     bytes of the real ciphertexts' sizes in the other columns (the lookup reads none of them).
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECTIONS = 64;
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const SEED_BATCH = 20_000;

const postgresReachable = () => postgresUnreachable(ADMIN_URL);

/** A throw-away database on the benchmark's PostgreSQL server; `drop` removes it. */
async function throwAwayDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** One autocannon run of GET `url`; refuses any error or non-2xx answer. */
async function load(
  url: string,
  headers: Record<string, string>,
  { connections = CONNECTIONS, seconds = HTTP_SECONDS } = {},
): Promise<Sample> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    // The load generator gets its own thread (and event loop), so it does not queue behind the server.
    workers: 1,
    timeout: 10,
    headers,
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  return {
    ops: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

export function claimDetailHttpGroup(): BenchGroup {
  let database: Awaited<ReturnType<typeof throwAwayDatabase>>;
  let dataDir: string;
  let store: Store;
  let audit: AuditService;
  let app: ClaimGuardServer;
  let bare: FastifyInstance;
  let report = async () => {};
  return {
    title: 'claims: GET /claims/:id over HTTP (PostgreSQL)',
    skipReason: postgresReachable,
    async setup() {
      database = await throwAwayDatabase(`claimguard_bench_claims_http_${process.pid}`);
      dataDir = mkdtempSync(join(tmpdir(), 'claimguard-bench-claims-'));
      const config = loadConfig({
        DATABASE_URL: database.url,
        CLAIMGUARD_DATA_DIR: dataDir,
        ...(process.env.CLAIMGUARD_DB_POOL_SIZE
          ? { CLAIMGUARD_DB_POOL_SIZE: process.env.CLAIMGUARD_DB_POOL_SIZE }
          : {}),
        ...(process.env.CLAIMGUARD_DB_NAMED_STATEMENTS
          ? { CLAIMGUARD_DB_NAMED_STATEMENTS: process.env.CLAIMGUARD_DB_NAMED_STATEMENTS }
          : {}),
      });
      store = await openPostgresStore({
        url: database.url,
        poolSize: config.databasePoolSize,
        namedStatements: config.databaseNamedStatements !== 'off',
      });
      await migrateToLatest(store.db);

      // The audit log as start-server.ts runs it: the real service, sequencing in the background, nudged
      // after every response.
      const installationId = await new SystemRepository(store.db).ensureInstallationId();
      audit = AuditService.fromConfig(store, config, {
        logName: installationId,
        onError: (error: unknown) => process.stderr.write(`  audit sequencing failed: ${String(error)}\n`),
      });
      audit.start();
      // Logs are written as in production (request lines included), to a sink, so their cost is counted.
      const logger: FastifyBaseLogger = createLogger('info', sink());
      const identityKey = randomBytes(32);
      app = await buildServer({
        // One client address sends everything: the rate limit stays installed but cannot trip.
        config: { ...config, rateLimit: 1_000_000_000 },
        store,
        logger,
        audit,
        auditService: audit,
        identityKey,
        vaultKeys: testVaultKeys(),
      });
      app.addHook('onResponse', async () => {
        audit.nudge();
      });
      // The floor of every signed-in request on this server: the same plugins, logging and session check as
      // the claim detail, then nothing (no claim, no key, no audit event). Registered here only.
      app.get(
        '/api/v1/bench/signed-in',
        { config: { access: { authenticated: true } } },
        async (request) => ({
          userId: request.principal?.kind === 'staff' ? request.principal.userId : null,
        }),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });

      // A claim of branch beijing, reported by intake, read by a claims supervisor of that branch (CASL
      // condition on the branch) signed in with a cookie session and a second factor.
      // seedClaimsWorld and signInAs use only these parts of a test server.
      const testServer = { app, store, identityKey } as unknown as TestServer;
      const world = await seedClaimsWorld(testServer);
      const intake = await signInAs(testServer, 'claims_intake');
      const reported = await intake.request('POST', '/api/v1/claims', {
        policyNumber: world.motorNumber,
        claimantId: world.zhang,
        incidentDate: world.yesterday,
        amountClaimed: '8600.00',
        description: INCIDENT.description,
        incidentLocation: INCIDENT.location,
      });
      if (reported.statusCode !== 201) throw new Error(`could not report the claim: ${reported.body}`);
      const claimId = (reported.json() as { id: string }).id;
      const supervisor = await signInAs(testServer, 'claims_supervisor', { branch: 'beijing' });
      const check = await supervisor.request('GET', `/api/v1/claims/${claimId}`);
      const body = check.json() as { claimant: { fields: Record<string, { masked: boolean }> } };
      if (check.statusCode !== 200 || !body.claimant.fields.idNumber?.masked)
        throw new Error(`the supervisor cannot read the claim masked: ${check.statusCode}`);

      bare = Fastify({
        loggerInstance: logger,
        bodyLimit: config.bodyLimit,
        trustProxy: config.trustProxy,
        genReqId: () => randomUUID(),
        logController: new OneLineRequestLog({ requestIdLogLabel: 'requestId' }),
        return503OnClosing: true,
        routerOptions: { maxParamLength: 200 },
      });
      bare.get('/claims/:id', async (request) => ({
        id: (request.params as { id: string }).id,
        state: 'reported',
        claimant: { name: '张**' },
      }));
      await bare.listen({ port: 0, host: '127.0.0.1' });

      const detailUrl = `http://127.0.0.1:${portOf(app)}/api/v1/claims/${claimId}`;
      const bareUrl = `http://127.0.0.1:${portOf(bare)}/claims/${claimId}`;
      const headers = { cookie: supervisor.cookie, accept: 'application/json' };
      let maxBacklog = 0;
      const inbox = async () =>
        Number(
          (await sql<{ n: string }>`select count(*)::int as n from audit_inbox`.execute(store.db)).rows[0]?.n,
        );
      const before = Number(
        (await sql<{ n: string }>`select count(*)::int as n from audit_events`.execute(store.db)).rows[0]?.n,
      );
      let requests = 0;
      const measured = (connections: number) => async () => {
        const sample = await load(detailUrl, headers, { connections });
        requests += Math.round(sample.ops * HTTP_SECONDS);
        const backlog = await inbox();
        maxBacklog = Math.max(maxBacklog, backlog);
        process.stderr.write(
          `  detail, ${connections} conns: ${Math.round(sample.ops)} req/s, p99 ${sample.p99} ms, audit inbox after the run: ${backlog}\n`,
        );
        await audit.flush();
        return sample;
      };
      const baseline = (connections: number) => async () => {
        const sample = await load(bareUrl, {}, { connections });
        process.stderr.write(
          `  bare, ${connections} conns: ${Math.round(sample.ops)} req/s, p99 ${sample.p99} ms\n`,
        );
        return sample;
      };
      process.stderr.write('  warming up ...\n');
      await load(bareUrl, {}, { seconds: 2 });
      await load(detailUrl, headers, { seconds: 2 });
      await audit.flush();

      const full: LoadComparison = {
        kind: 'load',
        name: `GET /claims/:id, full path, ${CONNECTIONS} conns (PostgreSQL, pool ${config.databasePoolSize})`,
        baselineName: `GET bare Fastify route, ${CONNECTIONS} conns`,
        target: 0.25,
        p99TargetMs: 50,
        measured: measured(CONNECTIONS),
        baseline: baseline(CONNECTIONS),
      };
      // No target: what any signed-in request costs here, so the claim detail's own share can be told apart.
      const signedInUrl = `http://127.0.0.1:${portOf(app)}/api/v1/bench/signed-in`;
      const floor: LoadComparison = {
        kind: 'load',
        name: `GET a signed-in route that only checks the session, ${CONNECTIONS} conns (the floor)`,
        baselineName: `GET bare Fastify route, ${CONNECTIONS} conns`,
        rounds: 2,
        measured: async () => {
          const sample = await load(signedInUrl, headers);
          process.stderr.write(`  signed-in floor: ${Math.round(sample.ops)} req/s, p99 ${sample.p99} ms\n`);
          return sample;
        },
        baseline: baseline(CONNECTIONS),
      };
      // No target: one connection shows what a single request costs when nothing queues.
      const single: LoadComparison = {
        kind: 'load',
        name: 'GET /claims/:id, full path, 1 conn (PostgreSQL)',
        baselineName: 'GET bare Fastify route, 1 conn',
        rounds: 2,
        measured: measured(1),
        baseline: baseline(1),
      };
      report = async () => {
        const after = Number(
          (await sql<{ n: string }>`select count(*)::int as n from audit_events`.execute(store.db)).rows[0]
            ?.n,
        );
        process.stderr.write(
          `  audit: ${after - before} events sequenced during the run (about ${requests} detail requests), largest inbox backlog at the end of a run: ${maxBacklog}\n`,
        );
      };
      return [full, floor, single];
    },
    async teardown() {
      await report().catch(() => {});
      await bare?.close();
      await app?.close();
      await audit?.stop();
      await store?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function portOf(server: FastifyInstance | ClaimGuardServer): number {
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

/** A valid resident ID number: a random county, birth date from 1940 to 2006, order code and sex. */
function randomResidentId(): string {
  const division = COUNTY_DIVISIONS[Math.floor(Math.random() * COUNTY_DIVISIONS.length)];
  const born = new Date(Date.UTC(1940, 0, 1) + Math.floor(Math.random() * 67 * 365.25) * 86_400_000);
  return makeResidentId({
    regionCode: division?.code ?? '110105',
    birthDate: born.toISOString().slice(0, 10),
    sequence: Math.floor(Math.random() * 500),
    sex: Math.random() < 0.5 ? 'male' : 'female',
  });
}

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T;

export function customerLookupGroup(kind: StoreKind): BenchGroup {
  const label = kind === 'embedded' ? 'PGlite' : 'PostgreSQL';
  let database: Awaited<ReturnType<typeof throwAwayDatabase>> | null = null;
  let store: Store;
  return {
    title: `claims: customer lookup by ID number (${label})`,
    ...(kind === 'postgres' ? { skipReason: postgresReachable } : {}),
    async setup() {
      if (kind === 'postgres') {
        database = await throwAwayDatabase(`claimguard_bench_claims_lookup_${process.pid}`);
        store = await openPostgresStore({ url: database.url, poolSize: 4 });
      } else {
        store = await openEmbeddedStore();
      }
      await migrateToLatest(store.db);
      const vault = new VaultService({ keys: testVaultKeys(), audit: new RecordingAudit() });
      const customers = new CustomerService(vault, new RecordingAudit());
      const db = store.db;

      // One real customer, for the sizes of real ciphertexts.
      const real = await customers.createCustomer(
        db,
        { ...ZHANG_SAN, branch: 'beijing' },
        { actor: SYSTEM_ACTOR, requestId: null },
      );
      const sizes = (
        await sql<
          Record<string, number>
        >`select octet_length(name_ct) as name, octet_length(id_number_ct) as id,
            octet_length(phone_ct) as phone, octet_length(email_ct) as email, octet_length(address_ct) as address
          from customers where id = ${real}`.execute(db)
      ).rows[0] as Record<'name' | 'id' | 'phone' | 'email' | 'address', number>;
      const longest = Math.max(...Object.values(sizes)) + 16;
      const md5Repeats = Math.ceil(longest / 16);

      process.stderr.write(
        `  computing ${CUSTOMERS.toLocaleString('en-US')} ID numbers and blind indexes ...\n`,
      );
      const started = performance.now();
      const numbers: string[] = [];
      const seen = new Set<string>([ZHANG_SAN.idNumber]);
      while (numbers.length < CUSTOMERS) {
        const number = randomResidentId();
        if (seen.has(number)) continue;
        seen.add(number);
        numbers.push(number);
      }
      const ids = numbers.map(() => randomUUID());
      const indexes = numbers.map((number) => vault.blindIndex('customer.id_number', number).toString('hex'));
      const computed = performance.now();

      // Multi-row inserts from arrays, in large batches; the other columns are random bytes of the real
      // sizes (md5 of the row id, repeated), each blind-indexed column with an index to maintain.
      for (let from = 0; from < CUSTOMERS; from += SEED_BATCH) {
        const to = Math.min(from + SEED_BATCH, CUSTOMERS);
        await sql`insert into customers (id, name_ct, id_type, id_number_ct, id_number_bi, phone_ct, phone_bi,
              email_ct, email_bi, address_ct, language, branch)
            select t.id, substring(r.b from 1 for ${sizes.name}), 'resident-id', substring(r.b from 2 for ${sizes.id}),
              decode(t.bi, 'hex'), substring(r.b from 3 for ${sizes.phone}), substring(r.b from 4 for 16),
              substring(r.b from 5 for ${sizes.email}), substring(r.b from 6 for 16),
              substring(r.b from 7 for ${sizes.address}), 'zh-CN', 'beijing'
            from unnest(${ids.slice(from, to)}::uuid[], ${indexes.slice(from, to)}::text[]) as t(id, bi),
              lateral (select decode(repeat(md5(t.id::text), ${md5Repeats}), 'hex') as b) r`.execute(db);
        if (to % 200_000 === 0 || to === CUSTOMERS)
          process.stderr.write(`  seeded ${to.toLocaleString('en-US')} customers\n`);
      }
      await sql`analyze customers`.execute(db);
      const seeded = performance.now();
      const seedNote = `${CUSTOMERS.toLocaleString('en-US')} customers seeded in ${((seeded - started) / 1000).toFixed(1)} s`;
      process.stderr.write(
        `  ${seedNote} (${((computed - started) / 1000).toFixed(1)} s ID numbers + HMACs, ${((seeded - computed) / 1000).toFixed(1)} s SQL)\n`,
      );

      const missing: string[] = [];
      while (missing.length < 10_000) {
        const number = randomResidentId();
        if (!seen.has(number)) missing.push(number);
      }
      seen.clear();
      // The lookups must find what they should before they are timed.
      const probe = Math.floor(Math.random() * CUSTOMERS);
      const found = await customers.findIds(db, { idNumber: numbers[probe] as string });
      const notFound = await customers.findIds(db, { idNumber: pick(missing) });
      if (found.length !== 1 || found[0] !== ids[probe] || notFound.length !== 0)
        throw new Error('the blind-index lookup does not find the seeded customers');

      // The baseline runs findIds' two queries (resident ID and passport normalisers) by primary key.
      const byId = (id: string) =>
        db.selectFrom('customers').select('id').where('id', '=', id).limit(50).execute();
      const lookup = (idNumber: string) => customers.findIds(db, { idNumber });
      const existing: Comparison = {
        name: `findIds by ID number, existing (${label})`,
        baselineName: `same 2 queries by primary key, 1 hit (${label}; ${seedNote})`,
        p99TargetMs: 20,
        measured: () => lookup(pick(numbers)),
        baseline: () => Promise.all([byId(pick(ids)), byId(randomUUID())]),
      };
      const absent: Comparison = {
        name: `findIds by ID number, missing (${label})`,
        baselineName: `same 2 queries by primary key, no hit (${label})`,
        p99TargetMs: 20,
        measured: () => lookup(pick(missing)),
        baseline: () => Promise.all([byId(randomUUID()), byId(randomUUID())]),
      };
      return [existing, absent];
    },
    async teardown() {
      await store?.close();
      await database?.drop();
    },
  };
}
