import { randomBytes, randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/db/database-schema.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { openPostgresStore, type Store } from '../src/db/store.js';
import { abilityFor } from '../src/modules/access/abilities.js';
import type { StaffPrincipal } from '../src/modules/access/principal.js';
import type {
  AffectedSubjectsSource,
  BreachNoticeSources,
} from '../src/modules/breach-notices/affected-subjects.js';
import { BreachNoticeSender } from '../src/modules/breach-notices/breach-notice-sender.js';
import {
  type BreachNoticeCaller,
  BreachNoticesService,
} from '../src/modules/breach-notices/breach-notices.service.js';
import {
  addAffected,
  categoriesFor,
  createAffectedTable,
  SAMPLE_TEXTS,
  seedBulkCustomers,
} from '../src/modules/breach-notices/breach-notices-test-kit.js';
import { CustomerService } from '../src/modules/claims/customers.service.js';
import { NotificationService } from '../src/modules/notifications/notifications.service.js';
import { VaultService } from '../src/modules/vault/vault.service.js';
import { RecordingAudit } from '../src/test-support/recording-audit.js';
import { testVaultKeys } from '../src/test-support/vault-fixtures.js';
import { type BenchGroup, type LoadComparison, postgresUnreachable, type Sample } from './bench-kit.js';

/**
 * Issue 5, section 9: "Generating and queueing notices for 1,000,000 affected customers: under 2 minutes,
 * with memory use" (S4.2), on PostgreSQL. The measured side is the real job (BreachNoticeSender: keyset
 * pages of affected subjects, languages through CustomerService.languagesOf, one unnest insert per page
 * with on conflict (dedupe_key) do nothing, the cursor moved in the page's transaction) over
 * BENCH_NOTICE_SUBJECTS customers (default 100,000 so that it runs in seconds; 1000000 for the target) and
 * BENCH_NOTICE_CHANNELS channels (default 3: in-app, sms, email). The baseline is ONE plain
 * INSERT ... SELECT of the same rows in the database (no paging, no resumability), the floor of what the
 * database can do. Rows: notice rows per second; p50 = p99 = the run's wall time. Peak RSS and heap of this
 * process during the measured run are sampled every 25 ms and printed, and put into the row's name.
 * The time target (2 min for 1,000,000) is scaled to the number of subjects.
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SUBJECTS = Number(process.env.BENCH_NOTICE_SUBJECTS ?? 100_000);
const CHANNELS = (['in-app', 'sms', 'email'] as const).slice(
  0,
  Number(process.env.BENCH_NOTICE_CHANNELS ?? 3),
);
const PAGE = Number(process.env.BENCH_NOTICE_PAGE ?? 2_000);
const TARGET_MS = 120_000 * (SUBJECTS / 1_000_000);
const MB = 1024 * 1024;

type Db = Kysely<Database>;

/** Every subject of `test_breach_affected`, whatever the incident (each run is a new incident). */
class WholeTableSource implements AffectedSubjectsSource {
  async affectedSubjects(db: Db, _incidentId: string, after: string | null, limit: number) {
    const result = await sql<{ subject_id: string; categories: string }>`
      select subject_id, categories from test_breach_affected
      where (${after}::uuid is null or subject_id > ${after}::uuid)
      order by subject_id limit ${limit}`.execute(db);
    return result.rows.map((row) => ({ subjectId: row.subject_id, categories: row.categories.split(',') }));
  }

  async countAffectedSubjects(db: Db) {
    const result = await sql<{ count: string }>`select count(*) as count from test_breach_affected`.execute(
      db,
    );
    return Number(result.rows[0]?.count ?? 0);
  }
}

function officer(): BreachNoticeCaller {
  const principal: StaffPrincipal = {
    kind: 'staff',
    userId: randomUUID(),
    role: 'security_officer',
    branch: null,
    sessionId: randomUUID(),
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: '',
  };
  return {
    context: { principal, requestId: null, ip: null, userAgent: 'bench' },
    ability: abilityFor(principal),
  };
}

/** Samples this process's memory while `work` runs; returns the peaks in MB. */
async function withMemoryPeaks<T>(
  work: () => Promise<T>,
): Promise<{ result: T; rssMb: number; heapMb: number }> {
  let rss = process.memoryUsage.rss();
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  }, 25);
  try {
    const result = await work();
    return { result, rssMb: rss / MB, heapMb: heap / MB };
  } finally {
    clearInterval(timer);
  }
}

export function breachNoticesGroup(): BenchGroup {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let store: Store | undefined;
  return {
    title: `breach notices: queue ${SUBJECTS.toLocaleString('en-US')} customers x ${CHANNELS.length} channels (postgres)`,
    skipReason: () => postgresUnreachable(ADMIN_URL),
    async setup() {
      const name = `claimguard_bench_notices_${process.pid}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      database = {
        url: url.toString(),
        drop: async () => {
          const cleanup = new pg.Client({ connectionString: ADMIN_URL });
          await cleanup.connect();
          await cleanup.query(`drop database if exists ${name} with (force)`);
          await cleanup.end();
        },
      };
      store = await openPostgresStore({ url: database.url, poolSize: 4 });
      const db = store.db;
      await migrateToLatest(db);
      await createAffectedTable(db);

      const started = performance.now();
      const subjects = await seedBulkCustomers(db, SUBJECTS);
      await addAffected(
        db,
        'bench',
        subjects.map((id, index) => ({ id, categories: categoriesFor(index) })),
      );
      await sql`analyze`.execute(db);
      process.stderr.write(
        `  seeded ${SUBJECTS.toLocaleString('en-US')} customers and affected subjects in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );

      const audit = new RecordingAudit();
      const notifications = new NotificationService({
        secretKey: randomBytes(32),
        publicUrl: 'https://x.example',
      });
      const customers = new CustomerService(new VaultService({ keys: testVaultKeys(), audit }), audit);
      const affected = new WholeTableSource();
      const sources: BreachNoticeSources = {
        affected,
        incidents: {
          async incidentSummary(_db, incidentId) {
            return {
              reference: `INC-${incidentId.slice(0, 8)}`,
              title: 'bench',
              isDrill: false,
              status: 'open',
            };
          },
        },
      };
      const service = new BreachNoticesService(db, {
        sources,
        notifications,
        customers,
        audit,
        publicUrl: 'https://x.example',
      });
      const sender = new BreachNoticeSender({ notifications, affected, customers, pageSize: PAGE });
      const rows = SUBJECTS * CHANNELS.length;
      const emptyOutbox = () => sql`truncate notifications`.execute(db);
      const count = async (batchId: string) =>
        Number(
          (
            await sql<{
              count: string;
            }>`select count(*) as count from notifications where batch_id = ${batchId}`.execute(db)
          ).rows[0]?.count,
        );

      const comparison: LoadComparison = {
        kind: 'load',
        name: 'queue breach notices (job)',
        baselineName: `one INSERT ... SELECT of the same ${rows.toLocaleString('en-US')} rows`,
        rounds: 2,
        p99TargetMs: TARGET_MS,
        async measured(): Promise<Sample> {
          await emptyOutbox();
          const incident = randomUUID();
          const draft = await service.create(officer(), incident, {
            channels: [...CHANNELS],
            texts: SAMPLE_TEXTS,
          });
          await service.approve(officer(), draft.id, draft.version);
          await service.start(officer(), draft.id);
          const began = performance.now();
          const { result, rssMb, heapMb } = await withMemoryPeaks(() => sender.runCampaign(db, draft.id));
          const ms = performance.now() - began;
          if (result !== 'done' || (await count(draft.id)) !== rows)
            throw new Error('the job did not queue every notice');
          process.stderr.write(
            `  job: ${(ms / 1000).toFixed(1)} s, ${Math.round((rows / ms) * 1000).toLocaleString('en-US')} rows/s, peak RSS ${rssMb.toFixed(0)} MB, peak heap ${heapMb.toFixed(0)} MB\n`,
          );
          comparison.name = `queue breach notices (job, pages of ${PAGE}; peak RSS ${rssMb.toFixed(0)} MB, heap ${heapMb.toFixed(0)} MB)`;
          return { ops: (rows / ms) * 1000, p50: ms, p99: ms };
        },
        async baseline(): Promise<Sample> {
          await emptyOutbox();
          const batch = randomUUID();
          const reference = `INC-${batch.slice(0, 8)}`;
          const began = performance.now();
          await sql`
            insert into notifications
              (id, recipient_kind, recipient_id, channel, language, template_id, params, next_attempt_at, dedupe_key, batch_id)
            select gen_random_uuid(), 'customer', a.subject_id, c.channel, cu.language, 'breach.notice',
              jsonb_build_object('incident', ${reference}::text, 'categories', a.categories,
                'link', ${`/portal/compensation/${reference}`}::text),
              now(), 'breach:' || ${batch}::text || ':' || a.subject_id || ':' || c.channel, ${batch}::uuid
            from test_breach_affected a
              join customers cu on cu.id = a.subject_id
              cross join unnest(${[...CHANNELS]}::text[]) as c(channel)
            on conflict (dedupe_key) do nothing`.execute(db);
          const ms = performance.now() - began;
          if ((await count(batch)) !== rows) throw new Error('the baseline did not insert every row');
          process.stderr.write(
            `  baseline: ${(ms / 1000).toFixed(1)} s, ${Math.round((rows / ms) * 1000).toLocaleString('en-US')} rows/s\n`,
          );
          return { ops: (rows / ms) * 1000, p50: ms, p99: ms };
        },
      };
      return [comparison];
    },
    async teardown() {
      await store?.close();
      await database?.drop();
    },
  };
}
