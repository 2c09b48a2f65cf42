import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { INCIDENT, seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import { openIncidentExport } from './blast-radius.js';

/**
 * The incidents API end to end (S2.5, S4.1, S4.3, S4.5): an insider reads a customer's claim and unmasks
 * the ID number; the officer declares, computes the blast radius from the audit log, freezes the records
 * (the claim can no longer be unmasked or exported), blocks exports, suspends the insider and revokes their
 * tokens, holds the customer's payee changes; reversals need a second security officer.
 */
describe('incidents API', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let officer: StaffSession;
  let secondOfficer: StaffSession;
  let auditor: StaffSession;
  let insider: StaffSession;
  let exporter: StaffSession;
  let claimId: string;
  let incidentId: string;
  let insiderToken: string;

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    const intake = await signInAs(server, 'claims_intake');
    officer = await signInAs(server, 'security_officer');
    secondOfficer = await signInAs(server, 'security_officer');
    auditor = await signInAs(server, 'internal_auditor');
    insider = await signInAs(server, 'claims_supervisor');
    exporter = await signInAs(server, 'claims_supervisor');
    const reported = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
      amountClaimed: '8600.00',
      description: INCIDENT.description,
      incidentLocation: INCIDENT.location,
    });
    claimId = (reported.json() as { id: string }).id;
    const token = await insider.request('POST', '/api/v1/auth/tokens', {
      name: 'script',
      scopes: ['read:Claim'],
    });
    insiderToken = (token.json() as { token: string }).token;
    // The insider's reads: the list (masked names), then the claim's ID number and phone unmasked.
    expect((await insider.request('GET', '/api/v1/claims')).statusCode).toBe(200);
    const revealed = await insider.request('POST', `/api/v1/claims/${claimId}/reveal`, {
      fields: ['claimant.idNumber', 'claimant.phone'],
      purpose: 'claim-handling',
    });
    expect(revealed.statusCode).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  const window = () => ({
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
  });

  it('declares an incident (security officer); the internal auditor reads the register but cannot act', async () => {
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Supervisor unmasked ID numbers without a claim task',
      kind: 'insider-misuse',
      impact: {
        'privacy-harm': 3,
        'loss-of-trust': 2,
        'legal-liability': 2,
        'competitor-exploitation': 0,
        'social-impact': 1,
      },
    });
    expect(declared.statusCode).toBe(201);
    const incident = declared.json() as {
      id: string;
      reference: string;
      tasks: unknown[];
      assessment: { level: string };
    };
    incidentId = incident.id;
    expect(incident.reference).toMatch(/^INC-/);
    expect(incident.tasks.length).toBeGreaterThan(0);
    expect(incident.assessment.level).toBe('high');

    const register = await auditor.request('GET', '/api/v1/incidents');
    expect(register.statusCode).toBe(200);
    expect((register.json() as { items: { id: string }[] }).items.map((item) => item.id)).toContain(
      incidentId,
    );
    expect((await auditor.request('GET', `/api/v1/incidents/${incidentId}`)).statusCode).toBe(200);
    const refused = await auditor.request('POST', '/api/v1/incidents', { title: 'x', kind: 'ransomware' });
    expect(refused.statusCode).toBe(403);
    expect((await insider.request('GET', '/api/v1/incidents')).statusCode).toBe(403);
  });

  it('computes the blast radius from the audit log: exactly the customer the insider read, and which fields', async () => {
    const response = await officer.request('POST', `/api/v1/incidents/${incidentId}/scopes`, {
      userIds: [insider.userId],
      ...window(),
    });
    expect(response.statusCode).toBe(201);
    const scope = response.json() as {
      version: number;
      subjects: number;
      summary: {
        byField: { field: string; subjects: number; unmaskedSubjects: number }[];
        sensitiveCategories: string[];
      };
    };
    expect(scope.version).toBe(1);
    expect(scope.subjects).toBe(1);
    const fields = Object.fromEntries(scope.summary.byField.map((entry) => [entry.field, entry]));
    expect(fields['customer.id_number']).toMatchObject({ subjects: 1, unmaskedSubjects: 1 });
    expect(fields['customer.name']).toMatchObject({ subjects: 1 });
    expect(scope.summary.sensitiveCategories).toContain('identity');

    const subjects = await officer.request('GET', `/api/v1/incidents/${incidentId}/scopes/1/subjects`);
    expect(subjects.statusCode).toBe(200);
    const [subject] = (
      subjects.json() as { items: { subjectId: string; maskedName: string | null; fields: string[] }[] }
    ).items;
    expect(subject?.subjectId).toBe(world.zhang);
    expect(subject?.maskedName).toBeTruthy();
    // SECURITY: the list carries no personal data in clear.
    for (const value of [ZHANG_SAN.name, ZHANG_SAN.idNumber, ZHANG_SAN.phone])
      expect(subjects.body).not.toContain(value);
    // The auditor sees ids and fields, without names.
    const forAuditor = await auditor.request('GET', `/api/v1/incidents/${incidentId}/scopes/1/subjects`);
    expect((forAuditor.json() as { items: { maskedName: string | null }[] }).items[0]?.maskedName).toBeNull();

    const events = await officer.request('GET', `/api/v1/incidents/${incidentId}/scopes/1/events`);
    const actions = (events.json() as { items: { action: string }[] }).items.map((item) => item.action);
    expect(actions).toEqual(expect.arrayContaining(['personal-data.read', 'personal-data.unmask']));
  });

  it('opens the reports to regulators the scope calls for, pre-filled with its counts (S4.4)', async () => {
    const response = await officer.request(
      'GET',
      `/api/v1/regulatory-reports/incidents/${incidentId}/reports`,
    );
    expect(response.statusCode).toBe(200);
    const reports = (
      response.json() as { items: { id: string; regimeId: string; deadline: { dueAt: string } }[] }
    ).items;
    // One person exposed: PIPL Art. 57 (authority and individuals) and the NFRA rules apply; GDPR does not
    // (no subject in the EU) and the CAC measures wait for a 较大 grade.
    const regimes = reports.map((report) => report.regimeId);
    expect(regimes).toEqual(expect.arrayContaining(['pipl-57', 'nfra-data-security']));
    expect(regimes).not.toContain('gdpr-33');
    const pipl = reports.find((report) => report.regimeId === 'pipl-57');
    expect(pipl?.deadline.dueAt).toBeTruthy();
    const exported = await officer.request(
      'GET',
      `/api/v1/regulatory-reports/reports/${pipl?.id}/export?format=json`,
    );
    expect(exported.statusCode).toBe(200);
    const document = JSON.parse(exported.body) as { facts?: { affectedSubjects?: number } };
    expect(JSON.stringify(document)).toContain('"affectedSubjects":1');
    for (const value of [ZHANG_SAN.name, ZHANG_SAN.idNumber, ZHANG_SAN.phone])
      expect(exported.body).not.toContain(value);
  });

  it('raises the grade to 较大 with a reason, which opens the CAC report (S2.5, S4.4); never lower', async () => {
    const current = (await officer.request('GET', `/api/v1/incidents/${incidentId}`)).json() as {
      version: number;
    };
    const tooShort = await officer.request('PATCH', `/api/v1/incidents/${incidentId}`, {
      raisedGrade: { grade: 'larger', reason: 'x' },
      version: current.version,
    });
    expect(tooShort.statusCode).toBe(400);
    const raised = await officer.request('PATCH', `/api/v1/incidents/${incidentId}`, {
      raisedGrade: { grade: 'larger', reason: 'Deliberate insider exfiltration (honeytoken touched)' },
      version: current.version,
    });
    expect(raised.statusCode, raised.body).toBe(200);
    const detail = raised.json() as {
      raisedGrade: { grade: string } | null;
      assessment: { grade: string; subjects: { count: number }; gradeReasons: { code: string }[] };
    };
    expect(detail.raisedGrade?.grade).toBe('larger');
    expect(detail.assessment.grade).toBe('larger');
    expect(detail.assessment.subjects.count).toBe(1);
    expect(detail.assessment.gradeReasons.map((reason) => reason.code)).toContain('grade-raised');
    const reports = (
      (await officer.request('GET', `/api/v1/regulatory-reports/incidents/${incidentId}/reports`)).json() as {
        items: { id: string; regimeId: string }[];
      }
    ).items;
    const cac = reports.find((report) => report.regimeId === 'cac-incident-2025');
    expect(cac).toBeDefined();
    const exported = await officer.request(
      'GET',
      `/api/v1/regulatory-reports/reports/${cac?.id}/export?format=json`,
    );
    const compact = JSON.stringify(JSON.parse(exported.body));
    expect(compact).toContain('"affectedSubjects":1');
    expect(compact).toContain('"grade":"major"'); // the reports' name for 较大
  });

  it('queues a breach notice for each affected customer of the scope, in their language (S4.2)', async () => {
    const text = (language: 'zh' | 'en') => ({
      headline: language === 'zh' ? '关于您个人信息的安全事件' : 'A security incident involving your data',
      whatHappened:
        language === 'zh'
          ? '一名员工越权查看了理赔资料。'
          : 'A member of staff viewed claim files without a task.',
      measuresTaken:
        language === 'zh'
          ? '我们已停用该账号并冻结相关记录。'
          : 'We suspended the account and froze the records.',
      whatYouCanDo: language === 'zh' ? '请留意可疑来电。' : 'Be wary of unexpected calls.',
      contact: language === 'zh' ? '客服热线' : 'Our service line',
    });
    const created = await officer.request('POST', '/api/v1/breach-notices/campaigns', {
      incidentId,
      channels: ['in-app'],
      texts: { 'zh-CN': text('zh'), 'en-US': text('en') },
    });
    expect(created.statusCode, created.body).toBe(201);
    const campaign = created.json() as { id: string; version: number; incidentReference: string };
    const approved = await secondOfficer.request(
      'POST',
      `/api/v1/breach-notices/campaigns/${campaign.id}/approval`,
      { version: campaign.version },
    );
    expect(approved.statusCode).toBe(200);
    expect(
      (await officer.request('POST', `/api/v1/breach-notices/campaigns/${campaign.id}/start`)).statusCode,
    ).toBe(200);
    const sender = server.app.breachNotices?.sender;
    if (!sender) throw new Error('the server runs no breach-notice sender');
    await sender.sendDue(server.store.db);
    // Exactly the scope: the one customer the insider read, once, in that customer's language.
    const { rows } = await sql<{ recipient_id: string; language: string; params: { categories: string[] } }>`
      select recipient_id, language, params from notifications where template_id = 'breach.notice'`.execute(
      server.store.db,
    );
    expect(rows.map((row) => row.recipient_id)).toEqual([world.zhang]);
    expect(rows[0]?.language).toBe('zh-CN');
    expect(rows[0]?.params.categories).toContain('identity');
    const progress = await officer.request('GET', `/api/v1/breach-notices/campaigns/${campaign.id}/progress`);
    expect(progress.json()).toMatchObject({ progress: { done: 1, total: 1 } });
  });

  it('exports the affected list encrypted, with step-up', async () => {
    const response = await officer.request('POST', `/api/v1/incidents/${incidentId}/scopes/1/export`, {
      password: 'incident response 2026 export',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    const opened = await openIncidentExport(response.rawPayload, 'incident response 2026 export');
    expect(JSON.parse(opened.jsonl.trim())).toMatchObject({ subjectId: world.zhang });
    expect(
      (
        await auditor.request('POST', `/api/v1/incidents/${incidentId}/scopes/1/export`, {
          password: 'x'.repeat(20),
        })
      ).statusCode,
    ).toBe(403);
  });

  it('freezes the affected records: no unmasking by any path, no export; masked reading goes on', async () => {
    const taken = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'freeze-records',
    });
    expect(taken.statusCode).toBe(201);
    expect(taken.json()).toMatchObject({ kind: 'freeze-records', state: 'active', result: { subjects: 1 } });

    const reveal = await exporter.request('POST', `/api/v1/claims/${claimId}/reveal`, {
      fields: ['claimant.idNumber'],
      purpose: 'claim-handling',
    });
    expect(reveal.statusCode).toBe(409);
    expect(reveal.json()).toMatchObject({ type: '/problems/records-frozen' });
    expect((await exporter.request('GET', `/api/v1/claims/${claimId}`)).statusCode).toBe(200);
    const exported = await exporter.request('POST', '/api/v1/claims/export', { format: 'csv' });
    expect(exported.statusCode).toBe(409);
    expect(exported.json()).toMatchObject({ type: '/problems/records-frozen' });
  });

  it('blocks every bulk export; undoing it needs a second security officer', async () => {
    const blocked = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'block-exports',
    });
    const action = blocked.json() as { id: string };
    expect(blocked.statusCode).toBe(201);
    const exported = await exporter.request('POST', '/api/v1/claims/export', { format: 'csv' });
    expect(exported.json()).toMatchObject({ type: '/problems/exports-blocked' });

    const base = `/api/v1/incidents/${incidentId}/containment/${action.id}/reversal`;
    expect((await officer.request('POST', `${base}/approval`)).json()).toMatchObject({
      type: '/problems/incident-state',
    });
    expect((await officer.request('POST', base, { reason: 'Investigation done' })).json()).toMatchObject({
      state: 'reversal-requested',
    });
    const own = await officer.request('POST', `${base}/approval`);
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ type: '/problems/four-eyes-required' });
    const approved = await secondOfficer.request('POST', `${base}/approval`);
    expect(approved.json()).toMatchObject({ state: 'reversed', reversedBy: secondOfficer.userId });
    // Exports are open again, but the frozen customer still keeps this one out.
    expect((await exporter.request('POST', '/api/v1/claims/export', { format: 'csv' })).json()).toMatchObject(
      {
        type: '/problems/records-frozen',
      },
    );
  });

  it('lifts the freeze only through maker-checker; then the claim can be unmasked and exported again', async () => {
    const list = await officer.request('GET', `/api/v1/incidents/${incidentId}/containment`);
    const freeze = (list.json() as { items: { id: string; kind: string }[] }).items.find(
      (item) => item.kind === 'freeze-records',
    );
    const base = `/api/v1/incidents/${incidentId}/containment/${freeze?.id}/reversal`;
    await secondOfficer.request('POST', base, { reason: 'Records cleared by the investigation' });
    const rejected = await officer.request('POST', `${base}/rejection`);
    expect(rejected.json()).toMatchObject({ state: 'active' });
    await secondOfficer.request('POST', base, { reason: 'Records cleared by the investigation' });
    expect((await officer.request('POST', `${base}/approval`)).json()).toMatchObject({ state: 'reversed' });
    expect(
      (
        await exporter.request('POST', `/api/v1/claims/${claimId}/reveal`, {
          fields: ['claimant.idNumber'],
          purpose: 'claim-handling',
        })
      ).statusCode,
    ).toBe(200);
    expect((await exporter.request('POST', '/api/v1/claims/export', { format: 'csv' })).statusCode).toBe(200);
  });

  it('holds payee changes of the affected customers until each is re-verified', async () => {
    const held = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'hold-changes',
    });
    expect(held.statusCode).toBe(201);
    const action = held.json() as { id: string };
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const account = { bankName: '中国工商银行', number: '6222020200112233445', holderName: ZHANG_SAN.name };
    const context = { actor: SYSTEM_ACTOR, requestId: null };
    await expect(
      services.customers.addBankAccount(server.store.db, world.zhang, account, context),
    ).rejects.toMatchObject({
      code: 'changes-held',
    });
    // Another customer is not held.
    await expect(
      services.customers.addBankAccount(
        server.store.db,
        world.li,
        { ...account, holderName: '李四海' },
        context,
      ),
    ).resolves.toBeTypeOf('string');
    const reverified = await officer.request(
      'POST',
      `/api/v1/incidents/${incidentId}/containment/${action.id}/subjects/${world.zhang}/reverification`,
    );
    expect(reverified.json()).toEqual({ lifted: true });
    await expect(
      services.customers.addBankAccount(server.store.db, world.zhang, account, context),
    ).resolves.toBeTypeOf('string');
  });

  it('suspends the insider (sessions end) and revokes their API tokens; revocation cannot be undone', async () => {
    const suspended = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'suspend-user',
      userId: insider.userId,
    });
    expect(suspended.statusCode).toBe(201);
    const me = await insider.request('GET', '/api/v1/auth/me');
    expect(me.statusCode).toBe(401);
    const revoked = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'revoke-api-tokens',
      userId: insider.userId,
    });
    expect(revoked.json()).toMatchObject({
      kind: 'revoke-api-tokens',
      state: 'done',
      reversible: false,
      result: { revoked: 1 },
    });
    const withToken = await server.app.inject({
      method: 'GET',
      url: '/api/v1/claims',
      headers: { authorization: `Bearer ${insiderToken}` },
    });
    expect(withToken.statusCode).toBe(401);
    const undo = await officer.request(
      'POST',
      `/api/v1/incidents/${incidentId}/containment/${(revoked.json() as { id: string }).id}/reversal`,
      { reason: 'mistake' },
    );
    expect(undo.json()).toMatchObject({ type: '/problems/incident-state' });

    // Reinstating the account: requested by one officer, approved by the other.
    const action = suspended.json() as { id: string };
    const base = `/api/v1/incidents/${incidentId}/containment/${action.id}/reversal`;
    await secondOfficer.request('POST', base, { reason: 'Cleared after interview' });
    expect((await officer.request('POST', `${base}/approval`)).statusCode).toBe(200);
    const users = await officer.request('GET', '/api/v1/users');
    const user = users.json() as
      | { id: string; status: string }[]
      | { items: { id: string; status: string }[] };
    const list = Array.isArray(user) ? user : user.items;
    expect(list.find((entry) => entry.id === insider.userId)?.status).toBe('active');
  });

  it('records every containment step in the timeline and the audit log', async () => {
    const timeline = await auditor.request('GET', `/api/v1/incidents/${incidentId}/timeline`);
    const entries = (timeline.json() as { items: { entry: string; actor: { id: string } }[] }).items;
    const names = entries.map((entry) => entry.entry);
    expect(names.filter((name) => name === 'containment-taken')).toHaveLength(5);
    expect(names).toEqual(
      expect.arrayContaining([
        'scope-saved',
        'scope-exported',
        'containment-reversal-requested',
        'containment-reversal-refused',
        'containment-reversal-rejected',
        'containment-reversed',
        'subject-reverified',
      ]),
    );
    await server.auditService.flush();
    const audited = await server.auditService.query({ resourceType: 'incident', resourceId: incidentId });
    const actions = audited.items.map((item) => item.event.action);
    expect(actions.filter((action) => action === 'incident.containment-taken')).toHaveLength(5);
    expect(
      audited.items.find((item) => item.event.action === 'incident.containment-reversal-refused')?.event
        .outcome,
    ).toBe('denied');
  });

  it('only simulates containment in a drill', async () => {
    const drill = await officer.request('POST', '/api/v1/incidents', {
      title: 'Exercise: insider',
      kind: 'insider-misuse',
      isDrill: true,
    });
    const id = (drill.json() as { id: string }).id;
    const taken = await officer.request('POST', `/api/v1/incidents/${id}/containment`, {
      kind: 'suspend-user',
      userId: exporter.userId,
    });
    expect(taken.json()).toMatchObject({ simulated: true, result: { simulated: true } });
    expect((await exporter.request('GET', '/api/v1/auth/me')).statusCode).toBe(200);
  });

  it('demands a fresh second factor for containment', async () => {
    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes' where user_id = ${officer.userId}`.execute(
      server.store.db,
    );
    const stale = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'block-exports',
    });
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ type: '/problems/step-up-required' });
  });
});
