import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import { testAuditService } from '../audit/audit-test-kit.js';
import { type CanonicalEvent, decodeCanonicalEvent } from '../audit/canonical-event.js';
import { isPersonalDataFieldId, PERSONAL_DATA_CATALOGUE } from '../vault/personal-data-catalogue.js';
import { openIncidentExport, type ScopeCriteria } from './blast-radius.js';
import { IncidentsService } from './incidents.service.js';
import { staffCaller } from './incidents-test-kit.js';

/**
 * The blast radius is exact (S4.1): for several kinds of criteria, the scope computed in SQL is compared with
 * a brute-force pass over EVERY event of the log, decoded from its canonical bytes in JavaScript.
 */
const DAY = 86_400_000;
const NOW = Date.now();

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const users = Array.from({ length: 6 }, () => randomUUID());
const tokens = Array.from({ length: 2 }, () => randomUUID());
const customers = Array.from({ length: 60 }, () => randomUUID());
const sessions = users.flatMap((user) => [`${user.slice(0, 8)}-s1`, `${user.slice(0, 8)}-s2`]);
const ips = ['198.51.100.1', '198.51.100.2', '203.0.113.9', '2001:db8::7'];
const FIELDS = [
  'customer.name',
  'customer.id_number',
  'customer.phone',
  'customer.email',
  'bank_account.number',
  'claim.diagnosis',
  'claim.incident_location',
  'legacy.notes',
];
const ACTIONS = [
  'personal-data.read',
  'personal-data.read',
  'personal-data.read',
  'personal-data.unmask',
  'personal-data.compare',
  'personal-data.write',
  'share.open',
  'claim.transition',
];

function seedEvents(count: number): { event: AuditEventInput; occurredAt: Date }[] {
  const next = random(20261125);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return Array.from({ length: count }, (_, n) => {
    const kind = next();
    const user = pick(users);
    const actor =
      kind < 0.8
        ? {
            type: 'staff' as const,
            id: user,
            role: 'adjuster',
            sessionId: pick(sessions),
            ip: pick(ips),
            userAgent: 'ua',
          }
        : kind < 0.9
          ? {
              type: 'api-token' as const,
              id: pick(tokens),
              role: 'finance',
              sessionId: null,
              ip: pick(ips),
              userAgent: 'ua',
            }
          : {
              type: 'external-party' as const,
              id: randomUUID(),
              role: null,
              sessionId: null,
              ip: pick(ips),
              userAgent: null,
            };
    const fields = FIELDS.filter(() => next() < 0.25);
    return {
      event: {
        actor,
        action: pick(ACTIONS),
        resource: { type: 'claim', id: `claim-${Math.floor(next() * 10)}` },
        dataSubjectId: next() < 0.9 ? pick(customers) : null,
        fields,
        purpose: 'claim-handling',
        outcome: next() < 0.85 ? 'success' : pick(['denied', 'failure'] as const),
        requestId: `req-${n}`,
      },
      occurredAt: new Date(NOW - Math.floor(next() * 40 * DAY)),
    };
  });
}

type Expected = Map<string, { fields: Set<string>; unmasked: Set<string>; events: number }>;

/** The definition, applied by hand to every event: a successful disclosure naming the subject and fields. */
const EXPOSING = new Set([
  'personal-data.read',
  'personal-data.unmask',
  'personal-data.export',
  'personal-data.download',
  'share.open',
]);

function matches(event: CanonicalEvent, criteria: ScopeCriteria): boolean {
  const at = Date.parse(event.ts);
  if (at < criteria.from.getTime() || at >= criteria.to.getTime()) return false;
  const actorIds = [...criteria.userIds, ...criteria.apiTokenIds];
  const actorNamed = actorIds.length + criteria.sessionIds.length + criteria.ipAddresses.length > 0;
  const actorMatch =
    (event.actor.id !== null && actorIds.includes(event.actor.id)) ||
    (event.actor.sessionId !== null && criteria.sessionIds.includes(event.actor.sessionId)) ||
    (event.actor.ip !== null && criteria.ipAddresses.includes(event.actor.ip));
  if (actorNamed && !actorMatch) return false;
  if (
    criteria.resources.length > 0 &&
    !criteria.resources.some((r) => r.type === event.resource.type && r.id === event.resource.id)
  )
    return false;
  return true;
}

function bruteForce(events: readonly CanonicalEvent[], criteria: ScopeCriteria): Expected {
  const expected: Expected = new Map();
  for (const event of events) {
    if (!matches(event, criteria)) continue;
    if (event.outcome !== 'success' || !event.dataSubjectId || !EXPOSING.has(event.action)) continue;
    if (event.fields.length === 0) continue;
    const entry = expected.get(event.dataSubjectId) ?? { fields: new Set(), unmasked: new Set(), events: 0 };
    entry.events += 1;
    for (const field of event.fields) {
      entry.fields.add(field);
      if (event.action !== 'personal-data.read') entry.unmasked.add(field);
    }
    expected.set(event.dataSubjectId, entry);
  }
  return expected;
}

const window = (days: number) => ({ from: new Date(NOW - days * DAY), to: new Date(NOW + 60_000) });
const none = { userIds: [], apiTokenIds: [], sessionIds: [], ipAddresses: [], resources: [] };

describeEachStore('blast radius', (kind) => {
  let store: Store;
  let audit: AuditService;
  let incidents: IncidentsService;
  let log: CanonicalEvent[];
  const officer = staffCaller('security_officer');

  beforeAll(async () => {
    store = await openTestStore(kind);
    audit = testAuditService(store).audit;
    incidents = new IncidentsService(store.db, audit, { auditLog: audit });
    const seeded = seedEvents(1_500);
    for (let at = 0; at < seeded.length; at += 250) {
      await store.db
        .insertInto('audit_inbox')
        .values(
          seeded
            .slice(at, at + 250)
            .map((entry) => ({ event: JSON.stringify(entry.event), occurred_at: entry.occurredAt })),
        )
        .execute();
    }
    await audit.flush();
    const rows = await store.db.selectFrom('audit_events').select(['canonical']).orderBy('seq').execute();
    log = rows.map((row) => decodeCanonicalEvent(row.canonical));
    expect(log.length).toBe(1_500);
  }, 120_000);

  afterAll(async () => {
    await audit.stop();
    await store.close();
  });

  const cases: [string, () => ScopeCriteria][] = [
    ['one suspect user over 30 days', () => ({ ...none, userIds: [users[0] as string], ...window(30) })],
    [
      'two users and an API token over the whole log',
      () => ({
        ...none,
        userIds: [users[1] as string, users[2] as string],
        apiTokenIds: [tokens[0] as string],
        ...window(41),
      }),
    ],
    ['one session over 20 days', () => ({ ...none, sessionIds: [sessions[3] as string], ...window(20) })],
    [
      'two IP addresses over 10 days',
      () => ({ ...none, ipAddresses: [ips[2] as string, ips[3] as string], ...window(10) }),
    ],
    [
      'resources only (anyone who opened two claims)',
      () => ({
        ...none,
        resources: [
          { type: 'claim', id: 'claim-3' },
          { type: 'claim', id: 'claim-7' },
        ],
        ...window(41),
      }),
    ],
    [
      'a user on one claim',
      () => ({
        ...none,
        userIds: [users[4] as string],
        resources: [{ type: 'claim', id: 'claim-5' }],
        ...window(41),
      }),
    ],
  ];

  for (const [name, criteriaOf] of cases) {
    it(`matches a brute-force pass over every event: ${name}`, async () => {
      const criteria = criteriaOf();
      const expected = bruteForce(log, criteria);
      expect(expected.size).toBeGreaterThan(0);
      const incident = await incidents.declare(officer, { title: `Scope ${name}`, kind: 'insider-misuse' });
      const scope = await incidents.computeScope(officer, incident.id, criteria);
      expect(scope.subjects).toBe(expected.size);
      expect(scope.events).toBe([...expected.values()].reduce((sum, entry) => sum + entry.events, 0));

      const actual = new Map<string, { fields: string[]; unmasked: string[]; events: number }>();
      for await (const page of incidents.streamAffectedSubjects(store.db, incident.id, { pageSize: 7 })) {
        expect(page.length).toBeLessThanOrEqual(7);
        for (const subject of page)
          actual.set(subject.subjectId, {
            fields: subject.fields,
            unmasked: subject.unmaskedFields,
            events: subject.events,
          });
      }
      expect(new Set(actual.keys())).toEqual(new Set(expected.keys()));
      for (const [subject, entry] of expected) {
        expect(actual.get(subject)).toEqual({
          fields: [...entry.fields].sort(),
          unmasked: [...entry.unmasked].sort(),
          events: entry.events,
        });
      }

      // Counts by field, by catalogue category (distinct people) and by sensitivity.
      const byCategory = new Map<string, Set<string>>();
      let sensitive = 0;
      for (const [subject, entry] of expected) {
        for (const field of entry.fields) {
          const category = isPersonalDataFieldId(field)
            ? PERSONAL_DATA_CATALOGUE[field].category
            : 'uncatalogued';
          byCategory.set(category, (byCategory.get(category) ?? new Set()).add(subject));
        }
        if (
          [...entry.fields].some(
            (field) => isPersonalDataFieldId(field) && PERSONAL_DATA_CATALOGUE[field].sensitive,
          )
        )
          sensitive += 1;
      }
      expect(
        Object.fromEntries(scope.summary.byCategory.map((entry) => [entry.category, entry.subjects])),
      ).toEqual(Object.fromEntries([...byCategory].map(([category, set]) => [category, set.size])));
      expect(scope.summary.bySensitivity).toEqual({ sensitive, other: expected.size - sensitive });
      for (const entry of scope.summary.byField) {
        const people = [...expected.values()].filter((value) => value.fields.has(entry.field)).length;
        expect(entry.subjects, entry.field).toBe(people);
      }
    });
  }

  it('keeps every version when the scope is widened, and the forensic timeline lists all their events', async () => {
    const incident = await incidents.declare(officer, { title: 'Widening', kind: 'stolen-credentials' });
    const narrow = { ...none, userIds: [users[5] as string], ...window(7) };
    const wide = {
      ...none,
      userIds: [users[5] as string],
      sessionIds: [sessions[0] as string],
      ...window(41),
    };
    const v1 = await incidents.computeScope(officer, incident.id, narrow);
    const v2 = await incidents.computeScope(officer, incident.id, wide);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.subjects).toBeGreaterThanOrEqual(v1.subjects);
    expect((await incidents.scope(incident.id, 1)).subjects).toBe(bruteForce(log, narrow).size);
    expect((await incidents.scopes(incident.id)).map((scope) => scope.version)).toEqual([1, 2]);
    expect((await incidents.scope(incident.id)).version).toBe(2);
    const detail = await incidents.detail(incident.id);
    expect(detail.assessment.subjects).toMatchObject({
      count: v2.subjects,
      source: 'scope',
      scopeVersion: 2,
    });

    // Forensic timeline: every event of the suspects in the window, any action, any outcome, in log order.
    const seen: number[] = [];
    let after: number | null = null;
    for (;;) {
      const page = await incidents.forensicTimeline(incident.id, 2, { afterSeq: after, limit: 50 });
      seen.push(...page.items.map((event) => event.seq));
      if (page.nextCursor === null) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual(log.filter((event) => matches(event, wide)).map((event) => event.seq));
    const entries = (await incidents.timeline(incident.id)).filter((entry) => entry.entry === 'scope-saved');
    expect(entries.map((entry) => entry.details.version)).toEqual([1, 2]);
  });

  it('leaves honeytoken customers out of the people affected and counts them apart (S2.3, S4.1)', async () => {
    const criteria = { ...none, userIds: [users[0] as string], ...window(30) };
    const expected = bruteForce(log, criteria);
    const decoys = [...expected.keys()].slice(0, 2);
    expect(decoys).toHaveLength(2);
    const withDecoys = new IncidentsService(store.db, audit, {
      auditLog: audit,
      decoys: { decoySubjectIds: async () => [...decoys, randomUUID()] },
    });
    const incident = await withDecoys.declare(officer, { title: 'Decoys', kind: 'insider-misuse' });
    const scope = await withDecoys.computeScope(officer, incident.id, criteria);
    expect(scope.subjects).toBe(expected.size - 2);
    expect(scope.summary.decoySubjects).toBe(2);
    const listed = new Set<string>();
    for await (const page of withDecoys.streamAffectedSubjects(store.db, incident.id, { pageSize: 50 }))
      for (const subject of page) listed.add(subject.subjectId);
    expect(listed.size).toBe(expected.size - 2);
    for (const decoy of decoys) expect(listed.has(decoy)).toBe(false);
  });

  it('exports the affected list encrypted (AES-256-GCM, scrypt), openable only with the password', async () => {
    const incident = await incidents.declare(officer, { title: 'Export', kind: 'external-intrusion' });
    const criteria = { ...none, ipAddresses: [ips[0] as string], ...window(41) };
    const scope = await incidents.computeScope(officer, incident.id, criteria);
    const file = await incidents.exportScope(
      officer,
      incident.id,
      scope.version,
      'correct horse battery staple',
    );
    const chunks: Buffer[] = [];
    for await (const chunk of file.chunks) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    // Nothing readable inside but the header.
    for (const subject of bruteForce(log, criteria).keys())
      expect(bytes.includes(Buffer.from(subject))).toBe(false);
    const opened = await openIncidentExport(bytes, 'correct horse battery staple');
    expect(opened.header).toMatchObject({
      format: 'claimguard-export-v1',
      cipher: 'aes-256-gcm',
      scopeVersion: 1,
    });
    const lines = opened.jsonl
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { subjectId: string });
    expect(new Set(lines.map((line) => line.subjectId))).toEqual(new Set(bruteForce(log, criteria).keys()));
    await expect(openIncidentExport(bytes, 'wrong password')).rejects.toThrow();
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 40] = (tampered[tampered.length - 40] as number) ^ 1;
    await expect(openIncidentExport(tampered, 'correct horse battery staple')).rejects.toThrow();
    expect((await incidents.timeline(incident.id)).at(-1)).toMatchObject({ entry: 'scope-exported' });
  });

  it('gives the regulator-report facts from the latest scope', async () => {
    const incident = await incidents.declare(officer, { title: 'Facts', kind: 'insider-misuse' });
    const scope = await incidents.computeScope(officer, incident.id, {
      ...none,
      userIds: [users[3] as string],
      ...window(41),
    });
    const facts = await incidents.incidentFacts(store.db, incident.id);
    expect(facts.affected).toMatchObject({ total: scope.subjects, source: 'scope', scopeVersion: 1 });
    expect(facts.affected.byCategory).toEqual(scope.summary.byCategory);
    expect(facts.affected.sensitiveCategories.length).toBeGreaterThan(0);
    expect(facts.severity.level).toBe('high');
    expect(facts.timeline.map((entry) => entry.entry)).toEqual(['declared', 'scope-saved']);
  });

  it('refuses criteria that name nobody or an empty window', async () => {
    const incident = await incidents.declare(officer, { title: 'Bad criteria', kind: 'insider-misuse' });
    await expect(
      incidents.computeScope(officer, incident.id, { ...none, ...window(3) }),
    ).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(
      incidents.computeScope(officer, incident.id, {
        ...none,
        userIds: [users[0] as string],
        from: new Date(NOW),
        to: new Date(NOW - DAY),
      }),
    ).rejects.toMatchObject({ code: 'bad-request' });
  });
});
