import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openPostgresStore, type Store } from '../../db/store.js';
import {
  describeEachStore,
  describeOnPostgres,
  openTestStore,
  postgresTestUrl,
} from '../../test-support/test-stores.js';
import { DetectionService } from './detection.service.js';
import { DETECTION_LEADER_LOCK, DetectionEngine } from './detection-engine.js';
import {
  appendAt,
  type DetectionWorld,
  detectionWorld,
  failedLogin,
  spread,
  staffEvent,
  type TimedEvent,
} from './detection-test-kit.js';

/**
 * The engine (S2.3): alerts and the cursor commit together, so a crash or a stop in the middle of the stream
 * and a restart give exactly the alerts of an uninterrupted run, none missed and none twice; it wakes as
 * events are sequenced; on PostgreSQL one process evaluates and another takes over when it dies.
 */
const ADJUSTER = '00000000-0000-4000-8000-0000000000a1';
const SUPERVISOR = '00000000-0000-4000-8000-0000000000b1';
const USERS = [
  { id: ADJUSTER, role: 'adjuster' as const },
  { id: SUPERVISOR, role: 'claims_supervisor' as const },
];

/** A stream that triggers several rules, several times, across many batches. */
function stream(tag: string): TimedEvent[] {
  const reads = Array.from({ length: 70 }, (_, i) =>
    staffEvent(ADJUSTER, 'adjuster', { dataSubjectId: `s-${i}`, requestId: `${tag}-read-${i}` }),
  );
  const denials = Array.from({ length: 6 }, (_, i) =>
    staffEvent(SUPERVISOR, 'claims_supervisor', {
      action: 'claim.read',
      resource: { type: 'claim', id: `c-${i}` },
      outcome: 'denied',
      requestId: `${tag}-deny-${i}`,
    }),
  );
  const failures = Array.from({ length: 8 }, (_, i) => ({
    ...failedLogin(SUPERVISOR, '198.51.100.9'),
    requestId: `${tag}-fail-${i}`,
  }));
  const night = Array.from({ length: 4 }, (_, i) =>
    staffEvent(SUPERVISOR, 'claims_supervisor', { requestId: `${tag}-night-${i}` }),
  );
  return [
    ...spread('2026-11-18T02:00:00Z', 20_000, reads),
    ...spread('2026-11-18T03:00:00Z', 60_000, denials),
    ...spread('2026-11-18T04:00:00Z', 10_000, failures),
    ...spread('2026-11-18T15:00:00Z', 60_000, night),
    ...spread(
      '2026-11-18T16:00:00Z',
      20_000,
      reads.map((event, i) => ({ ...event, requestId: `${tag}-again-${i}` })),
    ),
  ];
}

/** Alerts as facts that do not depend on seq numbers: events are named by their request ids. */
async function facts(world: DetectionWorld) {
  const log = await world.audit.query({}, { limit: 1_000 });
  const requestOf = new Map(log.items.map((record) => [record.seq, record.event.requestId]));
  const { items } = await world.detection.listAlerts({}, { limit: 200, offset: 0 });
  return items
    .map((alert) => ({
      rule: alert.ruleId,
      actor: alert.actor.id,
      windowStart: alert.windowStart.toISOString(),
      first: requestOf.get(alert.firstSeq),
      last: requestOf.get(alert.lastSeq),
      hits: alert.hitCount,
      evidence: alert.evidenceSeqs.map((seq) => requestOf.get(seq)),
      details: alert.details,
    }))
    .sort((a, b) => `${a.rule}${a.first}`.localeCompare(`${b.rule}${b.first}`));
}

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeEachStore('detection engine', (kind) => {
  const stores: Store[] = [];
  const engines: DetectionEngine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
    for (const store of stores.splice(0)) await store.close();
  });
  async function world(): Promise<DetectionWorld> {
    const store = await openTestStore(kind);
    stores.push(store);
    return detectionWorld(store, USERS);
  }

  it('after a crash mid-stream, a restart gives exactly the alerts of an uninterrupted run', async () => {
    const reference = await world();
    await appendAt(reference.store, reference.audit, stream('x'));
    await reference.detection.evaluateAll({ batchSize: 7 });
    const expected = await facts(reference);
    // Two windows of bulk reads (the second after midnight in Shanghai), refusals, a sign-in burst, a night.
    expect(expected.map((alert) => alert.rule).sort()).toEqual([
      'bulk-access',
      'bulk-access',
      'failed-login-burst',
      'off-hours',
      'off-hours',
      'repeated-denials',
    ]);

    const crashed = await world();
    await appendAt(crashed.store, crashed.audit, stream('x'));
    let batches = 0;
    const crash = async () => {
      batches += 1;
      // The fourth batch has written its alerts and moved the cursor, and the process dies before commit.
      if (batches === 4) throw new Error('simulated crash');
    };
    await expect(
      (async () => {
        for (;;) {
          const result = await crashed.detection.evaluateNext({ batchSize: 7, beforeCommit: crash });
          if (result.evaluated === 0) return;
        }
      })(),
    ).rejects.toThrow('simulated crash');
    expect((await crashed.detection.progress()).evaluatedUpTo).toBe(3 * 7 - 1);

    // A new process (a new service, other batch sizes) picks up where the committed cursor is.
    const restarted = new DetectionService(crashed.store.db, {
      audit: crashed.audit,
      staff: {
        listUsers: async () => USERS.map((user) => ({ ...user, status: 'active' as const, branch: null })),
      },
    });
    await restarted.evaluateAll({ batchSize: 11 });
    expect(await facts({ ...crashed, detection: restarted })).toEqual(expected);
  });

  it('stopped mid-stream and started again, the engine neither misses nor repeats an alert', async () => {
    const reference = await world();
    const events = stream('y');
    await appendAt(reference.store, reference.audit, events);
    await reference.detection.evaluateAll({ batchSize: 5 });
    const expected = await facts(reference);

    const interrupted = await world();
    const first = new DetectionEngine({
      store: interrupted.store,
      service: interrupted.detection,
      batchSize: 5,
    });
    engines.push(first);
    interrupted.audit.onSequenced(() => first.wake());
    first.start();
    await appendAt(interrupted.store, interrupted.audit, events.slice(0, 80));
    await waitFor(
      () => interrupted.detection.progress(),
      (progress) => progress.evaluatedUpTo >= 79,
    );
    await first.stop();
    await appendAt(interrupted.store, interrupted.audit, events.slice(80));
    const second = new DetectionEngine({
      store: interrupted.store,
      service: interrupted.detection,
      batchSize: 3,
    });
    engines.push(second);
    second.start();
    await waitFor(
      () => interrupted.detection.progress(),
      (progress) => progress.lag === 0,
    );
    expect(await facts(interrupted)).toEqual(expected);
  });

  it('wakes when events are sequenced: the alert exists well within a second', async () => {
    const w = await world();
    // The poll is a minute: only the wake-up can make it in time.
    const engine = new DetectionEngine({ store: w.store, service: w.detection, pollMs: 60_000 });
    engines.push(engine);
    w.audit.onSequenced(() => engine.wake());
    engine.start();
    await waitFor(async () => engine.isLeader, Boolean);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await appendAt(w.store, w.audit, [
      {
        at: new Date(),
        event: staffEvent(SUPERVISOR, 'claims_supervisor', {
          action: 'access.break-glass.opened',
          resource: { type: 'break-glass-grant', id: 'g' },
          dataSubjectId: null,
        }),
      },
    ]);
    const alerts = await waitFor(
      () => w.detection.listAlerts({ ruleId: 'privilege-change' }, { limit: 5, offset: 0 }),
      (page) => page.items.length > 0,
      5_000,
    );
    expect(alerts.items[0]?.actor.id).toBe(SUPERVISOR);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describeOnPostgres('detection engine on PostgreSQL with several processes', () => {
  const stores: Store[] = [];
  const engines: DetectionEngine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
    // The second handle first: the test store's close drops the schema.
    for (const store of stores.splice(0).reverse()) await store.close();
  });

  async function twoProcesses() {
    const primary = await openTestStore('postgres');
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(primary.db);
    const schema = rows[0]?.schema as string;
    const secondary = await openPostgresStore({ url: postgresTestUrl(), schema, poolSize: 4 });
    stores.push(primary, secondary);
    const processes = [primary, secondary].map((store) => {
      const w = detectionWorld(store, USERS);
      const engine = new DetectionEngine({ store, service: w.detection, pollMs: 60_000, leaderRetryMs: 100 });
      engines.push(engine);
      w.audit.onSequenced(() => engine.wake());
      return { ...w, engine };
    });
    return { schema, processes: processes as [(typeof processes)[0], (typeof processes)[0]] };
  }

  const breakGlass = (requestId: string): TimedEvent => ({
    at: new Date(),
    event: staffEvent(SUPERVISOR, 'claims_supervisor', {
      action: 'access.break-glass.opened',
      resource: { type: 'break-glass-grant', id: requestId },
      dataSubjectId: null,
      requestId,
    }),
  });

  it('one process leads; an append in the other wakes it (NOTIFY); each alert is raised once', async () => {
    const { processes } = await twoProcesses();
    const [a, b] = processes;
    a.engine.start();
    await waitFor(async () => a.engine.isLeader, Boolean);
    b.engine.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect([a.engine.isLeader, b.engine.isLeader]).toEqual([true, false]);

    // Appended by B's sequencer, whose own engine is not the leader: A hears of it through NOTIFY.
    const started = Date.now();
    await appendAt(b.store, b.audit, [breakGlass('first')]);
    const page = await waitFor(
      () => a.detection.listAlerts({ ruleId: 'privilege-change' }, { limit: 5, offset: 0 }),
      (result) => result.items.length > 0,
      5_000,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(page.total).toBe(1);
  });

  it('when the leader’s connection dies, the other process takes over and goes on from the cursor', async () => {
    const { schema, processes } = await twoProcesses();
    const [a, b] = processes;
    a.engine.start();
    await waitFor(async () => a.engine.isLeader, Boolean);
    b.engine.start();
    await appendAt(a.store, a.audit, [breakGlass('before')]);
    await waitFor(
      () => a.detection.progress(),
      (progress) => progress.lag === 0,
    );

    // The leader's session ends (a crashed process, a network cut): PostgreSQL releases its lock.
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_locks
      where locktype = 'advisory' and granted and objsubid = 2 and classid = ${DETECTION_LEADER_LOCK}::oid
        and objid = ((hashtext(${schema})::bigint + 4294967296) % 4294967296)::oid`.execute(a.store.db);
    expect(rows).toHaveLength(1);
    await sql`select pg_terminate_backend(${rows[0]?.pid})`.execute(a.store.db);
    await waitFor(async () => !a.engine.isLeader, Boolean, 5_000);
    // That process is gone for good (its engine would otherwise compete for the lock again).
    await a.engine.stop();
    await waitFor(async () => b.engine.isLeader, Boolean, 5_000);

    await appendAt(a.store, a.audit, [breakGlass('after')]);
    await waitFor(
      () => b.detection.progress(),
      (progress) => progress.lag === 0,
    );
    // Two events, two windows' worth of the same actor... in one window: one alert with both hits.
    const page = await b.detection.listAlerts({ ruleId: 'privilege-change' }, { limit: 5, offset: 0 });
    expect(page.items.map((alert) => alert.hitCount).reduce((sum, hits) => sum + hits, 0)).toBe(2);
    const raised = await b.audit.query({ action: 'detection.alert.raised' });
    expect(raised.items.length).toBe(page.total);
  });
});
