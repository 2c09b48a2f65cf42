import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../src/cli/claimguard.js';
import { loadConfig } from '../src/config/config.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { openPostgresStore, type Store } from '../src/db/store.js';
import { AuditService } from '../src/modules/audit/audit.service.js';
import type { AuditEventInput } from '../src/modules/audit/audit-event.js';
import { MemoryTree } from '../src/modules/audit/merkle-tree.js';
import { SystemService } from '../src/modules/system/system.service.js';
import { type BenchGroup, type Comparison, type Measurement, postgresUnreachable } from './bench-kit.js';

/**
 * The audit log on PostgreSQL:
 * (a) 32 concurrent writers each recording one event (its own transaction), then sequencing until the
 *     inbox is empty, against the same 32 writers inserting the same rows into a plain table with the
 *     same columns and indexes and no chain. Target: ratio >= 0.5. A second row compares with one
 *     multi-row INSERT of the 32 rows (no target: it shows what batching alone would give).
 * (b) full verification (fetch + recompute + checkpoints) of BENCH_AUDIT_EVENTS events (default
 *     1,000,000), seeded in bulk. Target: >= 200,000 events/s.
 * (c) `claimguard audit verify` on that log, in process, store opening included (p50 is its time).
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WRITERS = 32;
const VERIFY_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);

function event(n: number): AuditEventInput {
  return {
    actor: {
      type: 'staff',
      id: `staff-${n % 50}`,
      role: 'adjuster',
      sessionId: `s-${n % 97}`,
      ip: '192.0.2.1',
      userAgent: 'bench',
    },
    action: 'personal-data.read',
    resource: { type: 'claim', id: `claim-${n % 1000}` },
    dataSubjectId: `customer-${n % 5000}`,
    fields: ['customer.id_number'],
    purpose: 'claim-assessment',
    outcome: 'success',
    requestId: `req-${n}`,
    details: { n },
  };
}

const PLAIN_TABLE = `
  create table bench_plain_events (
    id bigserial primary key, canonical bytea not null, occurred_at timestamptz not null default now(),
    actor_type text not null, actor_id text, action text not null, resource_type text not null,
    resource_id text, data_subject_id text, outcome text not null);
  create index on bench_plain_events (actor_id, id);
  create index on bench_plain_events (data_subject_id, id);
  create index on bench_plain_events (resource_type, resource_id, id);
  create index on bench_plain_events (action, id);
  create index on bench_plain_events (outcome, id) where outcome <> 'success';
  create index on bench_plain_events (occurred_at, id);`;
const PLAIN_COLUMNS =
  'canonical, actor_type, actor_id, action, resource_type, resource_id, data_subject_id, outcome';

function plainValues(n: number): unknown[] {
  const e = event(n);
  return [
    Buffer.from(JSON.stringify(e)),
    e.actor.type,
    e.actor.id,
    e.action,
    e.resource.type,
    e.resource.id,
    e.dataSubjectId,
    e.outcome,
  ];
}

const reachable = () => postgresUnreachable(ADMIN_URL);

/** Seeds `count` canonical events in SQL, then the stored subtrees in one pass, then a checkpoint. */
async function seedLog(pool: pg.Pool, audit: AuditService, count: number): Promise<void> {
  const chunk = 100_000;
  for (let from = 0; from < count; from += chunk) {
    const to = Math.min(from + chunk, count) - 1;
    await pool.query(
      `insert into audit_events (seq, canonical, leaf_hash, occurred_at, actor_type, actor_id, action,
         resource_type, resource_id, data_subject_id, outcome)
       select g, c, sha256('\\x00'::bytea || c), ts, 'staff', 'staff-' || (g % 50), 'personal-data.read',
         'claim', 'claim-' || (g % 1000), 'customer-' || (g % 5000), 'success'
       from (select g, ts, convert_to(format(
         '{"action":"personal-data.read","actor":{"id":"staff-%s","ip":null,"role":"adjuster","sessionId":null,"type":"staff","userAgent":null},"dataSubjectId":"customer-%s","details":{"n":%s},"fields":["customer.id_number"],"outcome":"success","purpose":"claim-assessment","requestId":null,"resource":{"id":"claim-%s","type":"claim"},"seq":%s,"ts":"%s","v":1}',
         g % 50, g % 5000, g, g % 1000, g, to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'UTF8') as c
         from (select g, timestamptz '2026-01-01T00:00:00Z' + g * interval '1 second' as ts
               from generate_series($1::bigint, $2::bigint) g) s) t`,
      [from, to],
    );
    process.stderr.write(`  seeded ${to + 1} events\n`);
  }
  const tree = new MemoryTree();
  for (let from = 0; from < count; from += chunk) {
    const { rows } = await pool.query<{ leaf_hash: Buffer }>(
      'select leaf_hash from audit_events where seq >= $1 order by seq limit $2',
      [from, chunk],
    );
    for (const row of rows) tree.append(row.leaf_hash);
  }
  for (let level = 1; level < tree.height; level++) {
    for (let from = 0; from < tree.levelSize(level); from += 20_000) {
      const to = Math.min(from + 20_000, tree.levelSize(level));
      const indexes = Array.from({ length: to - from }, (_, i) => from + i);
      await pool.query(
        'insert into audit_tree_nodes (level, idx, hash) select $1::smallint, * from unnest($2::bigint[], $3::bytea[])',
        [level, indexes, indexes.map((index) => tree.node(level, index))],
      );
    }
  }
  await audit.createCheckpoint();
}

export function auditGroup(): BenchGroup {
  let adminPool: pg.Pool;
  let writeStore: Store;
  let writeAudit: AuditService;
  let writePool: pg.Pool;
  let verifyStore: Store;
  let dataDir: string;
  const suffix = `${process.pid}`;
  const database = `claimguard_bench_audit_${suffix}`;
  let next = 0;
  return {
    title: 'audit: PostgreSQL',
    skipReason: reachable,
    async setup() {
      adminPool = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
      await adminPool.query(`create database ${database}`);
      const url = new URL(ADMIN_URL);
      url.pathname = `/${database}`;
      dataDir = mkdtempSync(join(tmpdir(), 'claimguard-bench-audit-'));
      const env = {
        DATABASE_URL: url.toString(),
        CLAIMGUARD_DATA_DIR: dataDir,
        CLAIMGUARD_DB_POOL_SIZE: '40',
      };
      const config = loadConfig(env);

      // (a) appends: a database of its own, so the verify log below stays as seeded.
      await adminPool.query(`create database ${database}_appends`);
      const appendsUrl = new URL(ADMIN_URL);
      appendsUrl.pathname = `/${database}_appends`;
      writeStore = await openPostgresStore({ url: appendsUrl.toString(), poolSize: WRITERS + 2 });
      await migrateToLatest(writeStore.db);
      writePool = new pg.Pool({ connectionString: appendsUrl.toString(), max: WRITERS });
      await writePool.query(PLAIN_TABLE);
      writeAudit = AuditService.fromConfig(
        writeStore,
        { ...config, auditCheckpointDir: join(dataDir, 'appends-checkpoints') },
        { logName: 'bench-appends' },
      );

      // (b), (c) verification of a large seeded log, in the public schema `audit verify` uses.
      verifyStore = await openPostgresStore({ url: url.toString(), poolSize: 4 });
      await migrateToLatest(verifyStore.db);
      const system = await SystemService.create(verifyStore, { version: 'bench', defaultLanguage: 'en-US' });
      const verifyAudit = AuditService.fromConfig(verifyStore, config, {
        logName: (await system.status()).installationId,
      });
      const seedPool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      const started = performance.now();
      await seedLog(seedPool, verifyAudit, VERIFY_EVENTS);
      await seedPool.end();
      process.stderr.write(
        `  seeded ${VERIFY_EVENTS} events in ${Math.round(performance.now() - started)} ms\n`,
      );

      const appends: Comparison = {
        name: `(a) audit record + sequence, ${WRITERS} writers (${WRITERS} events/op)`,
        baselineName: `(a) plain INSERT, same rows, ${WRITERS} writers (${WRITERS} rows/op)`,
        target: 0.5,
        measured: async () => {
          const base = next;
          next += WRITERS;
          await Promise.all(
            Array.from({ length: WRITERS }, (_, i) => writeAudit.record(writeStore.db, event(base + i))),
          );
          await writeAudit.flush();
        },
        baseline: async () => {
          const base = next;
          next += WRITERS;
          await Promise.all(
            Array.from({ length: WRITERS }, (_, i) =>
              writePool.query(
                `insert into bench_plain_events (${PLAIN_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
                plainValues(base + i),
              ),
            ),
          );
        },
      };
      const batched: Comparison = {
        name: `(a) audit record + sequence, ${WRITERS} writers (${WRITERS} events/op) `,
        baselineName: `(a) one multi-row INSERT of the same ${WRITERS} rows`,
        measured: appends.measured,
        baseline: async () => {
          const base = next;
          next += WRITERS;
          const values: unknown[] = [];
          const tuples: string[] = [];
          for (let i = 0; i < WRITERS; i++) {
            const row = plainValues(base + i);
            tuples.push(`(${row.map((_, j) => `$${values.length + j + 1}`).join(', ')})`);
            values.push(...row);
          }
          await writePool.query(
            `insert into bench_plain_events (${PLAIN_COLUMNS}) values ${tuples.join(', ')}`,
            values,
          );
        },
      };
      const verifyThroughput: Measurement = {
        kind: 'absolute',
        name: `(b) full verification, ${VERIFY_EVENTS.toLocaleString('en-US')} events`,
        unit: 'events',
        unitsPerOp: VERIFY_EVENTS,
        target: 200_000,
        runs: 3,
        measured: async () => {
          const report = await verifyAudit.verify();
          if (!report.intact || report.events !== VERIFY_EVENTS) {
            throw new Error(`bench log does not verify: ${JSON.stringify(report.problems.slice(0, 3))}`);
          }
        },
      };
      const verifyCli: Measurement = {
        kind: 'absolute',
        name: `(c) claimguard audit verify, ${VERIFY_EVENTS.toLocaleString('en-US')} events (p50 = its time)`,
        unit: 'events',
        unitsPerOp: VERIFY_EVENTS,
        runs: 1,
        measured: async () => {
          let out = '';
          const code = await runCli(['audit', 'verify'], {
            out: (text) => (out += text),
            err: (text) => process.stderr.write(text),
            env,
          });
          if (code !== 0) throw new Error(`audit verify exited ${code}: ${out}`);
        },
      };
      return [appends, batched, verifyThroughput, verifyCli];
    },
    async teardown() {
      await writeAudit?.stop();
      await writePool?.end();
      await writeStore?.close();
      await verifyStore?.close();
      await adminPool.query(`drop database if exists ${database} with (force)`);
      await adminPool.query(`drop database if exists ${database}_appends with (force)`);
      await adminPool.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
