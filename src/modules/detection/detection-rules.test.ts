import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { localHourAndDay, networkOf } from './detection-evaluator.js';
import {
  alertFacts,
  appendAt,
  type DetectionWorld,
  detectionWorld,
  failedLogin,
  spread,
  staffEvent,
  type TimedEvent,
} from './detection-test-kit.js';

/**
 * Every detection rule (S2.3, S13.5) with an event stream that triggers it and one, as close as possible,
 * that does not. Times are chosen in the events (see detection-test-kit.ts), the evaluation is the engine's.
 */
const ADJUSTER = '00000000-0000-4000-8000-0000000000a1';
const SUPERVISOR = '00000000-0000-4000-8000-0000000000b1';
const OFFICER = '00000000-0000-4000-8000-0000000000c1';
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** A Wednesday, 10:00 in Shanghai (02:00 UTC). */
const WEDNESDAY_10 = '2026-11-18T02:00:00.000Z';

it('knows Shanghai time and networks', () => {
  expect(localHourAndDay(Date.parse(WEDNESDAY_10), 'Asia/Shanghai')).toEqual({ hour: 10, weekday: 3 });
  expect(localHourAndDay(Date.parse('2026-11-21T15:30:00Z'), 'Asia/Shanghai')).toEqual({
    hour: 23,
    weekday: 6,
  });
  expect(networkOf('198.51.100.77')).toBe('198.51.100.0/24');
  expect(networkOf('::ffff:198.51.100.77')).toBe('198.51.100.0/24');
  expect(networkOf('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd:12::/64');
  expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(networkOf(null)).toBeNull();
});

describeEachStore('detection rules', (kind) => {
  let store: Store;
  let world: DetectionWorld;

  beforeEach(async () => {
    store = await openTestStore(kind);
    world = detectionWorld(store, [
      { id: ADJUSTER, role: 'adjuster' },
      { id: SUPERVISOR, role: 'claims_supervisor' },
      { id: OFFICER, role: 'security_officer' },
    ]);
  });
  afterEach(async () => {
    await store.close();
  });

  async function run(events: readonly TimedEvent[]) {
    await appendAt(store, world.audit, events);
    await world.detection.evaluateAll({ batchSize: 97 });
    return alertFacts(world.detection);
  }

  const reads = (
    actor: string,
    role: 'adjuster' | 'claims_supervisor',
    subjects: number,
    sameSubject = false,
  ) =>
    Array.from({ length: subjects }, (_, index) =>
      staffEvent(
        actor,
        role,
        sameSubject ? { dataSubjectId: 'subject-same' } : { dataSubjectId: `s-${actor}-${index}` },
      ),
    );

  it('bulk access: more distinct data subjects in the window than the role allows', async () => {
    // 61 customers in 30 minutes: the adjuster's limit is 60 an hour.
    const alerts = await run(spread(WEDNESDAY_10, 30_000, reads(ADJUSTER, 'adjuster', 61)));
    const bulk = alerts.filter((alert) => alert.rule === 'bulk-access');
    expect(bulk).toHaveLength(1);
    expect(bulk[0]).toMatchObject({ actor: ADJUSTER, severity: 'high', hits: 1 });
    expect(bulk[0]?.details).toMatchObject({ distinctSubjects: 61, limit: 60, windowMinutes: 60 });
    // The evidence is the 61 reads, one per customer.
    expect(bulk[0]?.evidence).toHaveLength(61);
  });

  it('bulk access: not at the limit, not spread over hours, not for a role with a higher limit', async () => {
    const atLimit = reads(ADJUSTER, 'adjuster', 60);
    const spreadOut = spread('2026-11-18T04:00:00Z', 3 * MINUTE + 10_000, reads(ADJUSTER, 'adjuster', 61));
    const supervisor = spread(WEDNESDAY_10, 10_000, reads(SUPERVISOR, 'claims_supervisor', 150));
    const alerts = await run([...spread(WEDNESDAY_10, 30_000, atLimit), ...spreadOut, ...supervisor]);
    expect(alerts.filter((alert) => alert.rule === 'bulk-access')).toEqual([]);
  });

  it('bulk access: later reads in the window add to the open alert; a dismissed one gives way to a new one', async () => {
    const first = spread(WEDNESDAY_10, 20_000, reads(ADJUSTER, 'adjuster', 65));
    let alerts = await run(first);
    let bulk = alerts.filter((alert) => alert.rule === 'bulk-access');
    expect(bulk).toHaveLength(1);
    expect(bulk[0]?.hits).toBe(5);
    const [open] = (await world.detection.listAlerts({ ruleId: 'bulk-access' }, { limit: 10, offset: 0 }))
      .items;
    await world.detection.dismiss(
      { principal: staffPrincipal(OFFICER), requestId: 'r', ip: null, userAgent: null },
      open?.id as string,
      'a known migration job',
    );
    alerts = await run(spread('2026-11-18T02:30:00Z', 1_000, reads(ADJUSTER, 'adjuster', 3)));
    bulk = alerts.filter((alert) => alert.rule === 'bulk-access');
    expect(bulk.map((alert) => alert.hits)).toEqual([5, 3]);
  });

  it('bulk access: the roles a rule watches are a setting', async () => {
    await world.detection.updateRule(officerContext(), 'bulk-access', { roles: ['finance'] });
    const alerts = await run(spread(WEDNESDAY_10, 30_000, reads(ADJUSTER, 'adjuster', 61)));
    expect(alerts.filter((alert) => alert.rule === 'bulk-access')).toEqual([]);
    await world.detection.updateRule(officerContext(), 'bulk-access', {
      roles: ['adjuster'],
      thresholds: { defaultLimit: 100, limits: { adjuster: 10 } },
    });
    const later = await run(spread('2026-11-19T02:00:00Z', 1_000, reads(ADJUSTER, 'adjuster', 11)));
    expect(later.filter((alert) => alert.rule === 'bulk-access')).toHaveLength(1);
  });

  it('baseline: far above the user’s own rolling average per active hour', async () => {
    // Ten active hours over the past days with 5 reads each (baseline 5 an hour), then 60 in one hour.
    const history = Array.from({ length: 10 }, (_, hour) =>
      spread(
        new Date(Date.parse(WEDNESDAY_10) - (hour + 2) * 7 * HOUR),
        MINUTE,
        reads(ADJUSTER, 'adjuster', 5, true),
      ),
    ).flat();
    const burst = spread(WEDNESDAY_10, 30_000, reads(ADJUSTER, 'adjuster', 60, true));
    const alerts = await run([...history, ...burst]);
    const baseline = alerts.filter((alert) => alert.rule === 'baseline-deviation');
    expect(baseline).toHaveLength(1);
    expect(baseline[0]?.details).toMatchObject({ baselinePerHour: 5, factor: 5 });
    expect(baseline[0]?.details.events).toBeGreaterThan(25);
  });

  it('baseline: not when the user usually works at that pace, nor without history', async () => {
    const history = Array.from({ length: 10 }, (_, hour) =>
      spread(
        new Date(Date.parse(WEDNESDAY_10) - (hour + 2) * 7 * HOUR),
        MINUTE / 2,
        reads(ADJUSTER, 'adjuster', 40, true),
      ),
    ).flat();
    const burst = spread(WEDNESDAY_10, 30_000, reads(ADJUSTER, 'adjuster', 60, true));
    // The supervisor has no history at all.
    const newcomer = spread(WEDNESDAY_10, 30_000, reads(SUPERVISOR, 'claims_supervisor', 60, true));
    const alerts = await run([...history, ...burst, ...newcomer]);
    expect(alerts.filter((alert) => alert.rule === 'baseline-deviation')).toEqual([]);
  });

  it('off hours: personal data at night or on the weekend (Asia/Shanghai), not in working hours', async () => {
    const alerts = await run([
      { at: WEDNESDAY_10, event: staffEvent(ADJUSTER, 'adjuster') },
      { at: '2026-11-18T09:59:00Z', event: staffEvent(ADJUSTER, 'adjuster') }, // 17:59 local
      { at: '2026-11-18T15:00:00Z', event: staffEvent(ADJUSTER, 'adjuster') }, // 23:00 local
      { at: '2026-11-18T15:30:00Z', event: staffEvent(ADJUSTER, 'adjuster') }, // 23:30, same night
      { at: '2026-11-21T03:00:00Z', event: staffEvent(SUPERVISOR, 'claims_supervisor') }, // Saturday 11:00
      // A sign-in at night is not personal data.
      {
        at: '2026-11-18T15:40:00Z',
        event: staffEvent(SUPERVISOR, 'claims_supervisor', { action: 'auth.login', dataSubjectId: null }),
      },
    ]);
    const offHours = alerts.filter((alert) => alert.rule === 'off-hours');
    expect(offHours.map((alert) => [alert.actor, alert.hits])).toEqual([
      [ADJUSTER, 2],
      [SUPERVISOR, 1],
    ]);
    expect(offHours[0]?.details).toMatchObject({ localHour: 23, weekday: 3, timeZone: 'Asia/Shanghai' });
  });

  it('off hours: working hours and time zone are settings', async () => {
    await world.detection.updateRule(officerContext(), 'off-hours', {
      thresholds: {
        timeZone: 'Europe/London',
        startHour: 0,
        endHour: 16,
        workdays: [1, 2, 3, 4, 5, 6, 7],
        minEvents: 1,
      },
    });
    const alerts = await run([
      { at: '2026-11-18T15:00:00Z', event: staffEvent(ADJUSTER, 'adjuster') }, // 15:00 in London: working
      { at: '2026-11-18T17:00:00Z', event: staffEvent(ADJUSTER, 'adjuster') }, // 17:00 in London: not
    ]);
    expect(alerts.filter((alert) => alert.rule === 'off-hours').map((alert) => alert.hits)).toEqual([1]);
    await expect(
      world.detection.updateRule(officerContext(), 'off-hours', {
        thresholds: { timeZone: 'Mars/Olympus', startHour: 9, endHour: 18, workdays: [1], minEvents: 1 },
      }),
    ).rejects.toMatchObject({ code: 'validation-failed', extensions: { fields: ['thresholds.timeZone'] } });
  });

  it('repeated denials on claims not assigned to the user', async () => {
    const denial = (claim: number) =>
      staffEvent(ADJUSTER, 'adjuster', {
        action: 'claim.read',
        resource: { type: 'claim', id: `claim-${claim}` },
        outcome: 'denied',
        details: { reason: 'outside-duty' },
      });
    const alerts = await run([
      // Four refusals in 30 minutes: within the limit.
      ...spread(WEDNESDAY_10, 5 * MINUTE, [1, 2, 3, 4].map(denial)),
      // Five the next day: an alert.
      ...spread('2026-11-19T02:00:00Z', MINUTE, [1, 2, 3, 4, 5].map(denial)),
    ]);
    const denials = alerts.filter((alert) => alert.rule === 'repeated-denials');
    expect(denials).toHaveLength(1);
    expect(denials[0]?.details).toMatchObject({ denials: 5, claims: 5, limit: 4 });
    expect(denials[0]?.evidence).toHaveLength(5);
  });

  it('unmask spikes above the role limit', async () => {
    const unmask = () =>
      staffEvent(ADJUSTER, 'adjuster', { action: 'personal-data.unmask', fields: ['customer.id_number'] });
    const alerts = await run([
      ...spread(WEDNESDAY_10, MINUTE, Array.from({ length: 20 }, unmask)),
      ...spread('2026-11-19T02:00:00Z', MINUTE, Array.from({ length: 21 }, unmask)),
    ]);
    const spikes = alerts.filter((alert) => alert.rule === 'unmask-spike');
    expect(spikes).toHaveLength(1);
    expect(spikes[0]?.details).toMatchObject({ unmasks: 21, limit: 20 });
  });

  it('export spikes: too many exports, or too many rows, in the window', async () => {
    const exporting = (rows: number) =>
      staffEvent(SUPERVISOR, 'claims_supervisor', {
        action: 'claim.export',
        resource: { type: 'claim-list', id: null },
        dataSubjectId: null,
        details: { format: 'xlsx', rows },
      });
    const alerts = await run([
      ...spread(WEDNESDAY_10, 5 * MINUTE, [100, 100, 100].map(exporting)), // three small ones: fine
      ...spread('2026-11-19T02:00:00Z', 5 * MINUTE, [100, 100, 100, 100].map(exporting)), // four
      { at: '2026-11-20T02:00:00Z', event: exporting(5_001) }, // one very large one
    ]);
    const spikes = alerts.filter((alert) => alert.rule === 'export-spike');
    expect(spikes.map((alert) => [alert.details.exports, alert.details.rows])).toEqual([
      [4, 400],
      [1, 5_001],
    ]);
  });

  it('a dormant account active again, not a regular one nor a first activity', async () => {
    const alerts = await run([
      { at: '2026-09-01T02:00:00Z', event: staffEvent(ADJUSTER, 'adjuster') },
      {
        at: '2026-10-15T02:00:00Z',
        event: staffEvent(ADJUSTER, 'adjuster', { action: 'auth.login', dataSubjectId: null }),
      }, // 44 days
      { at: '2026-10-25T02:00:00Z', event: staffEvent(ADJUSTER, 'adjuster') }, // 10 days: fine
      { at: '2026-10-26T02:00:00Z', event: staffEvent(SUPERVISOR, 'claims_supervisor') }, // first ever: fine
    ]);
    const dormant = alerts.filter((alert) => alert.rule === 'dormant-account');
    expect(dormant).toHaveLength(1);
    expect(dormant[0]).toMatchObject({ actor: ADJUSTER });
    expect(dormant[0]?.details).toMatchObject({ idleDays: 44, dormantDays: 30, action: 'auth.login' });
  });

  it('failed sign-in bursts per account and per network', async () => {
    const alerts = await run([
      // Five failures on the adjuster's account: the limit; six on the supervisor's: one too many.
      ...spread(
        WEDNESDAY_10,
        30_000,
        Array.from({ length: 5 }, () => failedLogin(ADJUSTER, '198.51.100.7')),
      ),
      ...spread(
        WEDNESDAY_10,
        30_000,
        Array.from({ length: 6 }, () => failedLogin(SUPERVISOR, '192.0.2.50')),
      ),
      // Twenty-one failures from one /24 on unknown names (password spraying).
      ...spread(
        '2026-11-18T03:00:00Z',
        10_000,
        Array.from({ length: 21 }, (_, i) => failedLogin(null, `203.0.113.${i + 1}`)),
      ),
    ]);
    const bursts = alerts.filter((alert) => alert.rule === 'failed-login-burst');
    expect(bursts.map((alert) => [alert.actor, alert.details.scope, alert.details.failures])).toEqual([
      [SUPERVISOR, 'account', 6],
      [null, 'network', 21],
    ]);
    expect(bursts[1]?.details.network).toBe('203.0.113.0/24');
  });

  it('a sign-in from a new network, not from a known one nor the first sign-in', async () => {
    const login = (actor: string, ip: string) =>
      staffEvent(actor, 'adjuster', {
        action: 'auth.login',
        dataSubjectId: null,
        resource: { type: 'staff-session', id: 's' },
        ip,
      });
    const alerts = await run([
      { at: '2026-11-10T01:00:00Z', event: login(ADJUSTER, '198.51.100.5') }, // first: fine
      { at: '2026-11-11T01:00:00Z', event: login(ADJUSTER, '198.51.100.77') }, // same /24: fine
      { at: '2026-11-12T01:00:00Z', event: login(ADJUSTER, '203.0.113.9') }, // new: alert
      { at: '2026-11-13T01:00:00Z', event: login(ADJUSTER, '203.0.113.10') }, // known by now
    ]);
    const fresh = alerts.filter((alert) => alert.rule === 'new-network');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.details).toMatchObject({ network: '203.0.113.0/24', knownNetworks: 1 });
  });

  it('privilege changes: role grants, break-glass and API tokens; not other account changes', async () => {
    const admin = '00000000-0000-4000-8000-0000000000d1';
    const event = (action: string, details: Record<string, string | number>, resourceId = ADJUSTER) =>
      staffEvent(admin, 'admin', {
        action,
        resource: { type: 'staff-user', id: resourceId },
        dataSubjectId: null,
        details,
      });
    const alerts = await run([
      { at: WEDNESDAY_10, event: event('user.updated', { status: 'disabled' }) },
      {
        at: WEDNESDAY_10,
        event: event('user.updated', { fromRole: 'adjuster', toRole: 'claims_supervisor' }),
      },
      {
        at: '2026-11-18T03:00:00Z',
        event: staffEvent(SUPERVISOR, 'claims_supervisor', {
          action: 'access.break-glass.opened',
          resource: { type: 'break-glass-grant', id: 'g' },
          dataSubjectId: null,
          details: { minutes: 30, justificationLength: 40 },
        }),
      },
    ]);
    const changes = alerts.filter((alert) => alert.rule === 'privilege-change');
    expect(changes.map((alert) => [alert.actor, alert.details.change])).toEqual([
      [ADJUSTER, 'role'],
      [SUPERVISOR, 'break-glass'],
    ]);
    expect(changes[0]?.details).toMatchObject({ toRole: 'claims_supervisor', by: admin });
  });

  it('a rule switched off raises nothing', async () => {
    await world.detection.updateRule(officerContext(), 'bulk-access', { enabled: false });
    const alerts = await run(spread(WEDNESDAY_10, 1_000, reads(ADJUSTER, 'adjuster', 80)));
    expect(alerts.filter((alert) => alert.rule === 'bulk-access')).toEqual([]);
  });

  it('audits every change of a rule and of an alert', async () => {
    await world.detection.updateRule(officerContext(), 'unmask-spike', { severity: 'critical' });
    await run(spread(WEDNESDAY_10, 1_000, reads(ADJUSTER, 'adjuster', 61)));
    const [alert] = (await world.detection.listAlerts({ ruleId: 'bulk-access' }, { limit: 1, offset: 0 }))
      .items;
    await world.detection.acknowledge(officerContext(), alert?.id as string);
    await world.detection.assign(officerContext(), alert?.id as string, OFFICER);
    const { items } = await world.audit.query({ actorId: OFFICER });
    expect(items.map((record) => record.event.action)).toEqual([
      'detection.rule.updated',
      'detection.alert.acknowledged',
      'detection.alert.assigned',
    ]);
    const raised = await world.audit.query({ action: 'detection.alert.raised' });
    expect(raised.items.map((record) => record.event.details)).toEqual([
      expect.objectContaining({ rule: 'bulk-access', severity: 'high' }),
    ]);
  });
});

function staffPrincipal(userId: string) {
  return {
    kind: 'staff' as const,
    userId,
    role: 'security_officer' as const,
    branch: null,
    sessionId: 'session',
    sessionState: 'active' as const,
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: 'csrf',
  };
}

function officerContext() {
  return { principal: staffPrincipal(OFFICER), requestId: 'request', ip: null, userAgent: null };
}
