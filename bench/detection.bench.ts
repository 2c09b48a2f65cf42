import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { openEmbeddedStore, openPostgresStore, type Store, type StoreKind } from '../src/db/store.js';
import { createLogger } from '../src/http/logger.js';
import { buildServer, type ClaimGuardServer } from '../src/http/server.js';
import { AuditService } from '../src/modules/audit/audit.service.js';
import { INCIDENT, seedClaimsWorld } from '../src/modules/claims/claims-test-kit.js';
import { DetectionEngine } from '../src/modules/detection/detection-engine.js';
import { SystemRepository } from '../src/modules/system/system.repository.js';
import { signInAs } from '../src/test-support/staff-session.js';
import type { TestServer } from '../src/test-support/test-server.js';
import { testVaultKeys } from '../src/test-support/vault-fixtures.js';
import { type BenchGroup, type LoadComparison, postgresUnreachable, type Sample } from './bench-kit.js';

/**
 * Detection latency (S2.3, issue 5 section 9): from the moment an access is on the record (its audit event
 * committed to the inbox, as a request's transaction commits it) to the moment its alert is committed, with
 * the server wired as start-server.ts wires it (sequencer nudged after each response and every 200 ms,
 * detection engine woken by the sequencer and, on PostgreSQL, by NOTIFY). Each probe is a touch of a
 * planted honeytoken by a new actor (so each raises an alert of its own), polled every 2 ms.
 *
 * Measured: the probes while autocannon keeps GET /claims/:id busy (BENCH_DETECTION_CONNECTIONS, default
 * 16) in a worker thread; baseline: the same probes with no other load. Target: p99 < 1 s. The rows' ops/s
 * is 1000 / p50 (how many alerts a second one evaluator could raise one after another). The default run
 * is short: BENCH_DETECTION_PROBES (default 25) probes per side and round, two rounds.
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROBES = Number(process.env.BENCH_DETECTION_PROBES ?? 25);
const CONNECTIONS = Number(process.env.BENCH_DETECTION_CONNECTIONS ?? 16);
const GAP_MS = 40;

export function detectionLatencyGroup(kind: StoreKind): BenchGroup {
  const label = kind === 'embedded' ? 'PGlite' : 'PostgreSQL';
  let dropDatabase: (() => Promise<void>) | null = null;
  let dataDir: string;
  let store: Store;
  let audit: AuditService;
  let app: ClaimGuardServer;
  let engine: DetectionEngine;
  return {
    title: `detection: latency from audit append to alert (${label})`,
    ...(kind === 'postgres' ? { skipReason: () => postgresUnreachable(ADMIN_URL) } : {}),
    async setup() {
      dataDir = mkdtempSync(join(tmpdir(), 'claimguard-bench-detection-'));
      let databaseUrl: string | undefined;
      if (kind === 'postgres') {
        const name = `claimguard_bench_detection_${process.pid}`;
        await adminQuery(`create database ${name}`);
        dropDatabase = () => adminQuery(`drop database if exists ${name} with (force)`);
        const url = new URL(ADMIN_URL);
        url.pathname = `/${name}`;
        databaseUrl = url.toString();
      }
      const config = loadConfig({
        CLAIMGUARD_DATA_DIR: dataDir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      });
      store = databaseUrl
        ? await openPostgresStore({ url: databaseUrl, poolSize: config.databasePoolSize })
        : await openEmbeddedStore();
      await migrateToLatest(store.db);
      const installationId = await new SystemRepository(store.db).ensureInstallationId();
      audit = AuditService.fromConfig(store, config, {
        logName: installationId,
        onError: (error: unknown) => process.stderr.write(`  audit sequencing failed: ${String(error)}\n`),
      });
      audit.start();
      const identityKey = randomBytes(32);
      app = await buildServer({
        config: { ...config, rateLimit: 1_000_000_000 },
        store,
        logger: createLogger('info', new Writable({ write: (_chunk, _encoding, callback) => callback() })),
        audit,
        auditService: audit,
        identityKey,
        vaultKeys: testVaultKeys(),
      });
      app.addHook('onResponse', async () => {
        audit.nudge();
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      engine = new DetectionEngine({
        store,
        service: app.detection.service,
        onError: (error: unknown) => process.stderr.write(`  detection failed: ${String(error)}\n`),
      });
      audit.onSequenced(() => engine.wake());
      engine.start();

      // The claim-read load: a supervisor of the branch reading a claim over HTTP.
      const testServer = { app, store, identityKey } as unknown as TestServer;
      const world = await seedClaimsWorld(testServer);
      const intake = await signInAs(testServer, 'claims_intake');
      const reported = await intake.request('POST', '/api/v1/claims', {
        policyNumber: world.motorNumber,
        claimantId: world.zhang,
        incidentDate: world.yesterday,
        description: INCIDENT.description,
      });
      if (reported.statusCode !== 201) throw new Error(`could not report the claim: ${reported.body}`);
      const claimId = (reported.json() as { id: string }).id;
      const supervisor = await signInAs(testServer, 'claims_supervisor', { branch: 'beijing' });
      // The rules run with their shipped settings, but for off hours: at night it would alert on the load.
      await app.detection.service.updateRule(officerContext(), 'off-hours', { enabled: false });

      // The honeytoken the probes touch.
      const honeytokens = app.detection.honeytokens;
      if (!honeytokens) throw new Error('no honeytokens without vault keys');
      const decoy = await honeytokens.plant(officerContext(), {
        kind: 'customer',
        recipient: { kind: 'none' },
      });

      const detailUrl = `http://127.0.0.1:${portOf(app)}/api/v1/claims/${claimId}`;
      const headers = { cookie: supervisor.cookie, accept: 'application/json' };

      /** One probe: a touch of the decoy on the record, then the time until its alert is committed. */
      const probe = async (): Promise<number> => {
        const actorId = randomUUID();
        const started = performance.now();
        await store.db.transaction().execute((trx) =>
          audit.record(trx, {
            actor: {
              type: 'staff',
              id: actorId,
              role: 'adjuster',
              sessionId: null,
              ip: '192.0.2.1',
              userAgent: 'bench',
            },
            action: 'personal-data.read',
            resource: { type: 'customers', id: decoy.subjectId },
            dataSubjectId: decoy.subjectId,
            fields: ['customer.name'],
            purpose: 'claim-handling',
            outcome: 'success',
            requestId: randomUUID(),
          }),
        );
        audit.nudge();
        for (;;) {
          const { rows } = await sql`select 1 from detection_alerts where actor_id = ${actorId}`.execute(
            store.db,
          );
          if (rows.length > 0) return performance.now() - started;
          if (performance.now() - started > 10_000) throw new Error('no alert within 10 s');
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      };
      const probes = async (): Promise<number[]> => {
        const latencies: number[] = [];
        for (let i = 0; i < PROBES; i++) {
          latencies.push(await probe());
          await new Promise((resolve) => setTimeout(resolve, GAP_MS));
        }
        return latencies;
      };
      const sample = (latencies: number[]): Sample => {
        const sorted = [...latencies].sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
        return { ops: 1000 / at(0.5), p50: at(0.5), p99: at(0.99) };
      };

      const comparison: LoadComparison = {
        kind: 'load',
        name: `append → alert, GET /claims/:id load at ${CONNECTIONS} conns (${label})`,
        baselineName: `append → alert, no other load (${label})`,
        p99TargetMs: 1_000,
        rounds: 2,
        measured: async () => {
          const seconds = Math.max(2, Math.ceil((PROBES * (GAP_MS + 60)) / 1000) + 1);
          const load = autocannon({
            url: detailUrl,
            connections: CONNECTIONS,
            duration: seconds,
            workers: 1,
            timeout: 10,
            headers,
          });
          await new Promise((resolve) => setTimeout(resolve, 500));
          const latencies = await probes();
          const result = await load;
          if (result.errors > 0 || result.non2xx > 0)
            throw new Error(`claim reads failed: ${result.errors} errors, ${result.non2xx} non-2xx`);
          const measured = sample(latencies);
          process.stderr.write(
            `  under load: ${Math.round(result.requests.total / result.duration)} claim reads/s; alert p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms\n`,
          );
          await audit.flush();
          return measured;
        },
        baseline: async () => {
          const measured = sample(await probes());
          process.stderr.write(
            `  idle: alert p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms\n`,
          );
          return measured;
        },
      };
      return [comparison];
    },
    async teardown() {
      await engine?.stop();
      await app?.close();
      await audit?.stop();
      await store?.close();
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function officerContext() {
  return {
    principal: {
      kind: 'staff' as const,
      userId: randomUUID(),
      role: 'security_officer' as const,
      branch: null,
      sessionId: randomUUID(),
      sessionState: 'active' as const,
      mustChangePassword: false,
      secondFactorAt: new Date(),
      csrfToken: 'bench',
    },
    requestId: randomUUID(),
    ip: null,
    userAgent: 'bench',
  };
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

function portOf(server: ClaimGuardServer): number {
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return address.port;
}
