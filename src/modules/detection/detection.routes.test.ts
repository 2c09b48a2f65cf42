import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import type { AlertDetail, AlertView, RiskSummary, RuleView } from './detection.service.js';
import type { LookupMatch, PlantedHoneytoken } from './honeytokens.service.js';

/**
 * The detection API over HTTP (S2.3, S13.4, S13.5): rules, honeytokens (planted through the claims
 * services, listed to their one recipient only, named by a value found outside, alerting on any touch),
 * alerts and what officers do with them, and the risk view.
 */
describe('detection API', () => {
  let server: TestServer;
  let officer: StaffSession;
  let auditor: StaffSession;
  let recipient: StaffSession;
  let colleague: StaffSession;
  let supervisor: StaffSession;
  let decoy: PlantedHoneytoken;
  let outsideDecoy: PlantedHoneytoken;

  const evaluate = async () => {
    await server.auditService.flush();
    await server.app.detection.service.evaluateAll();
  };
  const alerts = async (query = '') =>
    (await officer.request('GET', `/api/v1/detection/alerts${query}`)).json() as {
      items: AlertView[];
      total: number;
    };

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    await seedClaimsWorld(server);
    officer = await signInAs(server, 'security_officer');
    auditor = await signInAs(server, 'internal_auditor');
    recipient = await signInAs(server, 'adjuster', { branch: 'beijing' });
    colleague = await signInAs(server, 'adjuster', { branch: 'beijing' });
    supervisor = await signInAs(server, 'claims_supervisor', { branch: 'beijing' });
    // Off hours has its own tests; here it would make the counts depend on the time of day the test runs.
    await officer.request('PATCH', '/api/v1/detection/rules/off-hours', { enabled: false });
    await evaluate();
  }, 300_000);

  afterAll(async () => {
    await server.close();
  });

  it('lists the rules to officers and auditors; officers change them with a fresh second factor', async () => {
    const rules = (await officer.request('GET', '/api/v1/detection/rules')).json() as { items: RuleView[] };
    expect(rules.items.map((rule) => rule.id)).toEqual([
      'bulk-access',
      'baseline-deviation',
      'off-hours',
      'repeated-denials',
      'unmask-spike',
      'export-spike',
      'dormant-account',
      'failed-login-burst',
      'new-network',
      'privilege-change',
      'honeytoken',
    ]);
    expect((await auditor.request('GET', '/api/v1/detection/rules')).statusCode).toBe(200);
    expect(
      (await auditor.request('PATCH', '/api/v1/detection/rules/export-spike', { enabled: false })).statusCode,
    ).toBe(403);

    const changed = await officer.request('PATCH', '/api/v1/detection/rules/export-spike', {
      severity: 'critical',
      thresholds: { maxExports: 2, maxRows: 1_000 },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      severity: 'critical',
      thresholds: { maxExports: 2, maxRows: 1_000 },
    });
    const refused = await officer.request('PATCH', '/api/v1/detection/rules/export-spike', {
      thresholds: { maxExports: -1, maxRows: 1_000 },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ fields: ['thresholds.maxExports'] });
    expect((await officer.request('PATCH', '/api/v1/detection/rules/no-such-rule', {})).statusCode).toBe(404);
  });

  it('plants a decoy claim for one handler through the claims services, without an alert for the planting', async () => {
    const planted = await officer.request('POST', '/api/v1/detection/honeytokens', {
      kind: 'claim',
      recipient: { kind: 'staff', userId: recipient.userId },
      note: 'Q4 canary, Beijing motor',
    });
    expect(planted.statusCode).toBe(201);
    decoy = planted.json() as PlantedHoneytoken;
    expect(decoy).toMatchObject({ kind: 'claim', recipient: { kind: 'staff', userId: recipient.userId } });
    expect(decoy.claimNumber).toMatch(/^CL\d{10}$/);
    expect(decoy.decoy.phone).toMatch(/^1\d{10}$/);
    expect(decoy.decoy.idNumber).toMatch(/^\d{17}[\dX]$/);

    const outside = await officer.request('POST', '/api/v1/detection/honeytokens', {
      kind: 'claim',
      recipient: { kind: 'external', label: 'Huaxia Loss Adjusters', partyKind: 'loss-adjuster' },
      branch: 'beijing',
    });
    expect(outside.statusCode).toBe(201);
    outsideDecoy = outside.json() as PlantedHoneytoken;

    // Nobody else may plant one, nor see them.
    expect(
      (
        await supervisor.request('POST', '/api/v1/detection/honeytokens', {
          kind: 'customer',
          recipient: { kind: 'none' },
        })
      ).statusCode,
    ).toBe(403);
    expect((await auditor.request('GET', '/api/v1/detection/honeytokens')).statusCode).toBe(403);

    await evaluate();
    expect((await alerts('?ruleId=honeytoken')).total).toBe(0);
    // The decoy's (fictitious) claimant is sent nothing.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from notifications where recipient_id = ${decoy.subjectId}`.execute(
      server.store.db,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('lists a decoy claim to its one recipient only, and not in anyone else’s work queue', async () => {
    const numbersOf = async (session: StaffSession) =>
      (
        (await session.request('GET', '/api/v1/claims?limit=200')).json() as { items: { number: string }[] }
      ).items.map((claim) => claim.number);
    expect(await numbersOf(recipient)).toContain(decoy.claimNumber);
    expect(await numbersOf(colleague)).not.toContain(decoy.claimNumber);
    expect(await numbersOf(supervisor)).not.toContain(decoy.claimNumber);
    expect(await numbersOf(officer)).not.toContain(decoy.claimNumber);
    expect(await numbersOf(supervisor)).not.toContain(outsideDecoy.claimNumber);
    // Being listed to its recipient is how it is shown: no alert for that.
    await evaluate();
    expect((await alerts('?ruleId=honeytoken')).total).toBe(0);
  });

  it('raises a critical alert at once for any touch of a decoy, naming who touched it', async () => {
    // A colleague tries the claim (refused: not theirs), the supervisor opens it (branch duty), and the
    // recipient opens it: every one is a touch.
    expect((await colleague.request('GET', `/api/v1/claims/${decoy.claimId}`)).statusCode).toBe(403);
    expect((await supervisor.request('GET', `/api/v1/claims/${decoy.claimId}`)).statusCode).toBe(200);
    expect((await recipient.request('GET', `/api/v1/claims/${decoy.claimId}`)).statusCode).toBe(200);
    await evaluate();
    const page = await alerts('?ruleId=honeytoken&severity=critical&status=open');
    expect(page.items.map((alert) => alert.actor.id).sort()).toEqual(
      [colleague.userId, supervisor.userId, recipient.userId].sort(),
    );
    for (const alert of page.items) expect(alert.honeytokenId).toBe(decoy.id);
    const byRecipient = page.items.find((alert) => alert.actor.id === recipient.userId);
    expect(byRecipient?.details).toMatchObject({ recipient: 'recipient' });

    // The officers were told in-app and by email, with no personal data in the notice.
    const { rows } = await sql<{ channel: string; params: unknown }>`
      select channel, params from notifications
      where recipient_id = ${officer.userId} and template_id = 'detection.alert'`.execute(server.store.db);
    expect(rows.filter((row) => row.channel === 'in-app')).toHaveLength(3);
    expect(rows.filter((row) => row.channel === 'email')).toHaveLength(3);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(decoy.decoy.phone);
    expect(stored).not.toContain(decoy.decoy.name);
  });

  it('names the decoy and whom it was shown to from a value found outside', async () => {
    const lookup = async (value: string) =>
      (
        (await officer.request('POST', '/api/v1/detection/honeytokens/lookup', { value })).json() as {
          items: LookupMatch[];
        }
      ).items;
    expect(await lookup(` ${decoy.claimNumber?.toLowerCase()} `)).toEqual([
      expect.objectContaining({
        matchedOn: 'claim-number',
        honeytoken: expect.objectContaining({
          id: decoy.id,
          recipient: { kind: 'staff', userId: recipient.userId },
        }),
      }),
    ]);
    expect(await lookup(`+86 ${decoy.decoy.phone}`)).toEqual([
      expect.objectContaining({ matchedOn: 'phone', honeytoken: expect.objectContaining({ id: decoy.id }) }),
    ]);
    expect(await lookup(outsideDecoy.decoy.idNumber)).toEqual([
      expect.objectContaining({
        matchedOn: 'id-number',
        honeytoken: expect.objectContaining({
          recipient: { kind: 'external', label: 'Huaxia Loss Adjusters', partyKind: 'loss-adjuster' },
        }),
      }),
    ]);
    // A real customer's phone names nobody: only decoys are answered.
    expect(await lookup(ZHANG_SAN.phone)).toEqual([]);
    const listed = (await officer.request('GET', '/api/v1/detection/honeytokens')).json() as {
      items: { id: string; alerts: number }[];
    };
    expect(listed.items.find((item) => item.id === decoy.id)?.alerts).toBe(3);
    // The listing never shows the decoy's values.
    expect(JSON.stringify(listed)).not.toContain(decoy.decoy.phone);
  });

  it('shows an alert with its evidence, and lets officers acknowledge, assign and dismiss it', async () => {
    const [alert] = (await alerts(`?ruleId=honeytoken&actorId=${supervisor.userId}`)).items;
    const detail = (
      await officer.request('GET', `/api/v1/detection/alerts/${alert?.id}`)
    ).json() as AlertDetail;
    expect(detail.evidence.map((event) => event.seq)).toEqual(detail.evidenceSeqs);
    expect(detail.evidence.every((event) => event.actor.id === supervisor.userId)).toBe(true);
    expect(detail.evidence.some((event) => event.dataSubjectId === decoy.subjectId)).toBe(true);
    expect(JSON.stringify(detail)).not.toContain(decoy.decoy.name);
    // Auditors read, and change nothing.
    expect((await auditor.request('GET', `/api/v1/detection/alerts/${alert?.id}`)).statusCode).toBe(200);
    expect(
      (await auditor.request('POST', `/api/v1/detection/alerts/${alert?.id}/acknowledge`)).statusCode,
    ).toBe(403);

    const acknowledged = await officer.request('POST', `/api/v1/detection/alerts/${alert?.id}/acknowledge`);
    expect(acknowledged.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: officer.userId });
    expect(
      (await officer.request('POST', `/api/v1/detection/alerts/${alert?.id}/acknowledge`)).statusCode,
    ).toBe(409);
    expect(
      (
        await officer.request('POST', `/api/v1/detection/alerts/${alert?.id}/assign`, {
          assigneeId: recipient.userId,
        })
      ).statusCode,
    ).toBe(400);
    const assigned = await officer.request('POST', `/api/v1/detection/alerts/${alert?.id}/assign`, {
      assigneeId: officer.userId,
    });
    expect(assigned.json()).toMatchObject({ assigneeId: officer.userId });
    expect(
      (await officer.request('POST', `/api/v1/detection/alerts/${alert?.id}/dismiss`, { reason: '' }))
        .statusCode,
    ).toBe(400);
    const dismissed = await officer.request('POST', `/api/v1/detection/alerts/${alert?.id}/dismiss`, {
      reason: 'Supervisor checked the branch queue on my request',
    });
    expect(dismissed.json()).toMatchObject({ status: 'dismissed', dismissedBy: officer.userId });
    expect((await alerts('?status=dismissed')).items.map((item) => item.id)).toEqual([alert?.id]);
  });

  it('marks an alert escalated for the incidents module, once per incident', async () => {
    const [alert] = (await alerts(`?ruleId=honeytoken&actorId=${colleague.userId}`)).items;
    const incident = '11111111-1111-4111-8111-111111111111';
    const actor = {
      type: 'staff' as const,
      id: officer.userId,
      role: 'security_officer',
      sessionId: null,
      ip: null,
      userAgent: null,
    };
    const service = server.app.detection.service;
    const escalated = await server.store.db
      .transaction()
      .execute((trx) => service.markEscalated(trx, alert?.id as string, incident, actor));
    expect(escalated).toMatchObject({
      status: 'escalated',
      incidentId: incident,
      escalatedBy: officer.userId,
    });
    await expect(
      service.markEscalated(server.store.db, alert?.id as string, incident, actor),
    ).resolves.toMatchObject({
      status: 'escalated',
    });
    await expect(
      service.markEscalated(
        server.store.db,
        alert?.id as string,
        '22222222-2222-4222-8222-222222222222',
        actor,
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
    const { items } = await server.auditService.query({ action: 'detection.alert.escalated' });
    expect(items.map((record) => record.event.details)).toEqual([expect.objectContaining({ incident })]);
  });

  it('pages and filters alerts', async () => {
    const all = await alerts('?limit=2');
    expect(all.items).toHaveLength(2);
    expect(all.total).toBeGreaterThanOrEqual(3);
    const next = await alerts('?limit=2&offset=2');
    expect(next.items.map((item) => item.id)).not.toContain(all.items[0]?.id);
    expect((await alerts('?status=escalated')).total).toBe(1);
    expect((await officer.request('GET', '/api/v1/detection/alerts?status=bogus')).statusCode).toBe(400);
  });

  it('is marked escalated when an officer declares an incident from it through the incidents API (S2.5)', async () => {
    const [alert] = (await alerts('?ruleId=honeytoken&status=open')).items;
    expect(alert).toBeDefined();
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'A supervisor opened a decoy claim',
      kind: 'insider-misuse',
      sourceAlertId: alert?.id,
    });
    expect(declared.statusCode).toBe(201);
    const incident = declared.json() as { id: string; sourceAlertId: string };
    expect(incident.sourceAlertId).toBe(alert?.id);
    const after = await officer.request('GET', `/api/v1/detection/alerts/${alert?.id}`);
    expect(after.json()).toMatchObject({ status: 'escalated', incidentId: incident.id });
    // An alert already escalated to another incident is refused, and the second declaration is rolled back.
    const again = await officer.request('POST', '/api/v1/incidents', {
      title: 'The same alert again',
      kind: 'insider-misuse',
      sourceAlertId: alert?.id,
    });
    expect(again.statusCode).toBe(409);
    const register = await officer.request('GET', '/api/v1/incidents');
    expect((register.json() as { items: { title: string }[] }).items.map((item) => item.title)).not.toContain(
      'The same alert again',
    );
  });

  it('summarises risk for the console: volume, alerts by rule and severity, riskiest users, early warnings', async () => {
    const response = await auditor.request('GET', '/api/v1/detection/risk?hours=6');
    expect(response.statusCode).toBe(200);
    const risk = response.json() as RiskSummary;
    expect(risk.hours).toBe(6);
    expect(risk.volume.reduce((sum, hour) => sum + hour.accesses, 0)).toBeGreaterThan(0);
    expect(risk.volume.reduce((sum, hour) => sum + hour.denials, 0)).toBeGreaterThan(0);
    expect(risk.alertsByRule).toContainEqual({ ruleId: 'honeytoken', severity: 'critical', count: 3 });
    expect(risk.alertsBySeverity).toContainEqual({ severity: 'critical', count: 3 });
    // The dismissed alert does not count against the supervisor.
    expect(risk.riskiestUsers.map((user) => user.actorId).sort()).toEqual(
      [colleague.userId, recipient.userId].sort(),
    );
    expect(risk.engine.lag).toBeGreaterThanOrEqual(0);
    expect((await recipient.request('GET', '/api/v1/detection/risk')).statusCode).toBe(403);
  });
});
