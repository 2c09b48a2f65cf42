import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrations.js';
import { openPostgresStore, type Store } from '../src/db/store.js';
import { EXPOSURE_ACTIONS } from '../src/modules/audit/audit-exposures.js';
import { IncidentsService } from '../src/modules/incidents/incidents.service.js';
import { staffCaller } from '../src/modules/incidents/incidents-test-kit.js';
import { RecordingAudit } from '../src/test-support/recording-audit.js';
import { type BenchGroup, type LoadComparison, postgresUnreachable, type Sample } from './bench-kit.js';

/**
 * The blast radius on PostgreSQL (issue 5, section 9; S4.1): one suspect user over 30 days in an audit log
 * of BENCH_BLAST_EVENTS events (default 200,000; set 10000000 for the figure), through
 * IncidentsService.computeScope (aggregate into the scope tables, counts by field, category and
 * sensitivity, save the version), against a hand-written SQL query giving the same answer (subjects with
 * their fields), both in this process. Target: p99 under 2 s.
 *
 * The log is seeded in SQL with generate_series (canonical JSON built by format(), as the sequencer would
 * store it) over 90 days. Staff users number events / 20,000 (at least 10), so the suspect has about
 * 20,000 events whatever the size: the per-user load of 10,000,000 events among 500 staff. The query reads
 * the suspect's events through the (actor_id, seq) index, so its cost follows the suspect's events; the
 * log's size adds only index depth.
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_BLAST_EVENTS ?? 200_000);
const USERS = Math.max(10, Math.round(EVENTS / 20_000));
const SUBJECTS = Math.max(1_000, Math.round(EVENTS / 20));
const DAYS = 90;
const START = Date.parse('2026-08-01T00:00:00Z');

const FIELD_SETS = [
  '["customer.name"]',
  '["customer.id_number","customer.name"]',
  '["customer.phone"]',
  '["bank_account.number","claim.diagnosis"]',
  '[]',
];

async function seed(pool: pg.Pool): Promise<void> {
  const chunk = 500_000;
  const stepMs = (DAYS * 86_400_000) / EVENTS;
  for (let from = 0; from < EVENTS; from += chunk) {
    const to = Math.min(from + chunk, EVENTS) - 1;
    await pool.query(
      `insert into audit_events (seq, canonical, leaf_hash, occurred_at, actor_type, actor_id, action,
         resource_type, resource_id, data_subject_id, outcome)
       select g, c, sha256('\\x00'::bytea || c), ts, 'staff', actor, action, 'claim', 'claim-' || (g % 50000),
              subject, outcome
       from (
         select g, ts, actor, action, subject, outcome, convert_to(format(
           '{"action":"%s","actor":{"id":"%s","ip":"198.51.100.%s","role":"adjuster","sessionId":"s-%s","type":"staff","userAgent":null},"dataSubjectId":"%s","details":{},"fields":%s,"outcome":"%s","purpose":"claim-handling","requestId":null,"resource":{"id":"claim-%s","type":"claim"},"seq":%s,"ts":"%s","v":1}',
           action, actor, g % 250, g % 997, subject, fields, outcome, g % 50000, g,
           to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'UTF8') as c
         from (
           select g,
             to_timestamp(($3::double precision + g * $4::double precision) / 1000) as ts,
             'staff-' || (g % $5) as actor,
             case when g % 10 < 7 then 'personal-data.read' when g % 10 < 9 then 'personal-data.unmask'
                  else 'claim.transition' end as action,
             'customer-' || ((g * 7919 + g / 13) % $6) as subject,
             case when g % 23 = 0 then 'denied' else 'success' end as outcome,
             ($7::text[])[1 + (g / 7) % 5] as fields
           from generate_series($1::bigint, $2::bigint) g
         ) s
       ) t`,
      [from, to, START, stepMs, USERS, SUBJECTS, FIELD_SETS],
    );
    process.stderr.write(`  seeded ${(to + 1).toLocaleString('en-US')} events\n`);
  }
  await pool.query('analyze audit_events');
}

/** The same answer written by hand: exposed subjects of one actor in a window, with their fields. */
const HAND_WRITTEN = `
  select e.data_subject_id, array_agg(distinct f.field order by f.field) as fields, count(distinct e.seq) as events
  from audit_events e
  cross join lateral jsonb_array_elements_text(convert_from(e.canonical, 'UTF8')::jsonb -> 'fields') as f(field)
  where e.actor_id = $1 and e.occurred_at >= $2 and e.occurred_at < $3
    and e.outcome = 'success' and e.data_subject_id is not null and e.action = any($4::text[])
  group by e.data_subject_id`;

const RUNS = 3;

async function timed(work: () => Promise<unknown>): Promise<Sample> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((sum, time) => sum + time, 0);
  return { ops: (RUNS / total) * 1000, p50: times[Math.floor(RUNS / 2)] ?? 0, p99: times.at(-1) ?? 0 };
}

export function blastRadiusGroup(): BenchGroup {
  const database = `claimguard_bench_blast_${process.pid}`;
  let admin: pg.Pool;
  let store: Store;
  let pool: pg.Pool;
  return {
    title: `blast radius: PostgreSQL, ${EVENTS.toLocaleString('en-US')} audit events`,
    skipReason: () => postgresUnreachable(ADMIN_URL),
    async setup() {
      admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
      await admin.query(`create database ${database}`);
      const url = new URL(ADMIN_URL);
      url.pathname = `/${database}`;
      store = await openPostgresStore({ url: url.toString(), poolSize: 4 });
      await migrateToLatest(store.db);
      pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
      const started = performance.now();
      await seed(pool);
      process.stderr.write(
        `  seeded in ${Math.round(performance.now() - started)} ms (${USERS} staff users)\n`,
      );

      const incidents = new IncidentsService(store.db, new RecordingAudit());
      const officer = staffCaller('security_officer', randomUUID());
      const incident = await incidents.declare(officer, {
        title: 'Benchmark: bulk reads',
        kind: 'insider-misuse',
      });
      const to = new Date(START + DAYS * 86_400_000);
      const from = new Date(to.getTime() - 30 * 86_400_000);
      const suspect = 'staff-7';
      const criteria = {
        userIds: [suspect],
        apiTokenIds: [],
        sessionIds: [],
        ipAddresses: [],
        resources: [],
        from,
        to,
      };
      const handWritten = () => pool.query(HAND_WRITTEN, [suspect, from, to, [...EXPOSURE_ACTIONS]]);

      // Same answer, checked once before timing anything.
      const scope = await incidents.computeScope(officer, incident.id, criteria);
      const expected = await handWritten();
      if (scope.subjects !== expected.rowCount)
        throw new Error(`blast radius ${scope.subjects} subjects, hand-written SQL ${expected.rowCount}`);
      process.stderr.write(
        `  suspect: ${scope.events.toLocaleString('en-US')} exposure events, ${scope.subjects.toLocaleString('en-US')} subjects in 30 days\n`,
      );

      // Each side runs RUNS times per round (a second or less each: tinybench's minimum of 64 iterations
      // would take minutes), rounds alternate which goes first.
      const comparison: LoadComparison = {
        kind: 'load',
        name: `IncidentsService.computeScope, 1 user, 30 days (${scope.subjects.toLocaleString('en-US')} subjects, saved)`,
        baselineName: 'hand-written SQL, same answer, rows to the client',
        p99TargetMs: 2_000,
        rounds: 2,
        measured: () => timed(() => incidents.computeScope(officer, incident.id, criteria)),
        baseline: () => timed(handWritten),
      };
      return [comparison];
    },
    async teardown() {
      await pool?.end();
      await store?.close();
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}
