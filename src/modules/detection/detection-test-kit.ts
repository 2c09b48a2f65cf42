import { sql } from 'kysely';
import type { Store } from '../../db/store.js';
import type { StaffRole } from '../access/roles.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import { testAuditService } from '../audit/audit-test-kit.js';
import { DetectionService } from './detection.service.js';

/**
 * Fixtures for the detection tests (imported by tests only). Events are put in the audit inbox with the
 * time they say they happened, so that windows of hours and days can be tested in milliseconds; the real
 * sequencer then appends them to the log, as it would any recorded event.
 */
export type TimedEvent = { at: Date | string; event: AuditEventInput };

export async function appendAt(
  store: Store,
  audit: AuditService,
  events: readonly TimedEvent[],
): Promise<void> {
  for (let at = 0; at < events.length; at += 500) {
    const chunk = events.slice(at, at + 500);
    await sql`insert into audit_inbox (event, occurred_at) select * from unnest(${chunk.map((entry) =>
      JSON.stringify(entry.event),
    )}::jsonb[], ${chunk.map((entry) => new Date(entry.at).toISOString())}::timestamptz[])`.execute(store.db);
  }
  await audit.flush();
}

let counter = 0;

/** An event by a staff user; everything not given is a masked read of one customer's name. */
export function staffEvent(
  actorId: string,
  role: StaffRole,
  overrides: Partial<Omit<AuditEventInput, 'actor'>> & { ip?: string } = {},
): AuditEventInput {
  counter += 1;
  const { ip, ...rest } = overrides;
  return {
    actor: {
      type: 'staff',
      id: actorId,
      role,
      sessionId: `session-${actorId}`,
      ip: ip ?? '192.0.2.10',
      userAgent: 'test',
    },
    action: 'personal-data.read',
    resource: { type: 'customers', id: null },
    dataSubjectId: `subject-${counter}`,
    fields: ['customer.name'],
    purpose: 'claim-handling',
    outcome: 'success',
    requestId: `req-${counter}`,
    ...rest,
  };
}

/** A failed staff sign-in (the actor is nobody yet: the system, with the caller's address). */
export function failedLogin(accountId: string | null, ip: string): AuditEventInput {
  counter += 1;
  return {
    actor: { type: 'system', id: null, role: null, sessionId: null, ip, userAgent: 'test' },
    action: 'auth.login',
    resource: { type: 'staff-user', id: accountId },
    dataSubjectId: null,
    fields: [],
    purpose: null,
    outcome: 'failure',
    requestId: `req-${counter}`,
    details: { reason: 'bad-password' },
  };
}

/** `count` events spread evenly from `start`, `stepMs` apart. */
export function spread(
  start: Date | string,
  stepMs: number,
  events: readonly AuditEventInput[],
): TimedEvent[] {
  const from = new Date(start).getTime();
  return events.map((event, index) => ({ at: new Date(from + index * stepMs), event }));
}

export type DetectionWorld = {
  store: Store;
  audit: AuditService;
  detection: DetectionService;
  officers: string[];
};

/** A detection service over a store, with a staff directory of the given users. */
export function detectionWorld(
  store: Store,
  users: { id: string; role: StaffRole; branch?: string | null }[] = [],
): DetectionWorld {
  const { audit } = testAuditService(store);
  const detection = new DetectionService(store.db, {
    audit,
    staff: {
      async listUsers() {
        return users.map((user) => ({
          id: user.id,
          role: user.role,
          status: 'active' as const,
          branch: user.branch ?? null,
        }));
      },
    },
  });
  return {
    store,
    audit,
    detection,
    officers: users.filter((user) => user.role === 'security_officer').map((user) => user.id),
  };
}

/** Alerts as comparable facts: everything but ids and clock times of the writes. */
export async function alertFacts(detection: DetectionService) {
  const { items } = await detection.listAlerts({}, { limit: 200, offset: 0 });
  return items
    .map((alert) => ({
      rule: alert.ruleId,
      severity: alert.severity,
      actor: alert.actor.id,
      windowStart: alert.windowStart.toISOString(),
      firstSeq: alert.firstSeq,
      lastSeq: alert.lastSeq,
      hits: alert.hitCount,
      evidence: alert.evidenceSeqs,
      details: alert.details,
    }))
    .sort((a, b) => a.firstSeq - b.firstSeq || a.rule.localeCompare(b.rule));
}
