import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';
import { neutraliseFormula } from './claims-export.js';
import { INCIDENT, LI_SI, seedClaimsWorld, ZHANG_SAN } from './claims-test-kit.js';

/**
 * The claims API end to end over HTTP (S0.1, S3.2, S3.3): first notice of loss, duty-scoped reads, masked
 * fields, reveal with purpose and step-up, the transition table, optimistic locking, assignment, notes and
 * blind-index search. Every refusal is checked, and the audit log is checked for what it must say.
 */
describe('claims API', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let intake: StaffSession;
  let adjuster: StaffSession;
  let otherAdjuster: StaffSession;
  let surveyor: StaffSession;
  let supervisor: StaffSession;
  let shanghaiSupervisor: StaffSession;
  let finance: StaffSession;

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    intake = await signInAs(server, 'claims_intake');
    adjuster = await signInAs(server, 'adjuster');
    surveyor = await signInAs(server, 'surveyor');
    supervisor = await signInAs(server, 'claims_supervisor');
    shanghaiSupervisor = await signInAs(server, 'claims_supervisor', { branch: 'shanghai' });
    finance = await signInAs(server, 'finance');
    // Busy with another claim, so that assignment by workload picks `adjuster` for the next one.
    otherAdjuster = await signInAs(server, 'adjuster');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  async function reportMotorClaim(overrides: Record<string, unknown> = {}) {
    const response = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
      amountClaimed: '8600.00',
      description: INCIDENT.description,
      incidentLocation: INCIDENT.location,
      ...overrides,
    });
    return response;
  }

  async function detail(session: StaffSession, id: string) {
    return session.request('GET', `/api/v1/claims/${id}`);
  }

  async function move(session: StaffSession, id: string, to: string, version: number, reason?: string) {
    return session.request('POST', `/api/v1/claims/${id}/transitions`, { to, version, reason });
  }

  async function auditEvents(filter: string) {
    const { rows } = await sql<{ canonical: Buffer }>`select canonical from audit_events`.execute(
      server.store.db,
    );
    const pending = await sql<{ event: unknown }>`select event from audit_inbox`
      .execute(server.store.db)
      .catch(() => ({ rows: [] }));
    return [
      ...rows.map((row) => JSON.parse(Buffer.from(row.canonical).toString('utf8'))),
      ...pending.rows.map((row) => row.event),
    ].filter((event) => (event as { action: string }).action === filter) as {
      action: string;
      actor: { id: string };
      resource: { type: string; id: string };
      dataSubjectId: string;
      purpose: string | null;
      outcome: string;
      fields: string[];
      details: Record<string, unknown>;
    }[];
  }

  it('takes a first notice of loss by phone and numbers the claim', async () => {
    const response = await reportMotorClaim();
    expect(response.statusCode).toBe(201);
    const { id, number } = response.json() as { id: string; number: string };
    expect(number).toMatch(/^CL\d{4}\d{6}$/);
    const claim = (await detail(intake, id)).json();
    expect(claim).toMatchObject({ state: 'reported', version: 1, channel: 'phone', productLine: 'motor' });
    expect(claim.timeline).toEqual([
      expect.objectContaining({ from: null, to: 'reported', actorRole: 'claims_intake' }),
    ]);
    const reported = await auditEvents('claim.report');
    expect(reported.some((event) => event.resource.id === id && event.dataSubjectId === world.zhang)).toBe(
      true,
    );
  });

  it('refuses a claimant who is not a party of the policy, and an incident outside the policy period', async () => {
    expect((await reportMotorClaim({ claimantId: world.li })).json()).toMatchObject({
      status: 422,
      type: '/problems/not-a-policy-party',
    });
    expect((await reportMotorClaim({ incidentDate: '2001-01-01' })).json()).toMatchObject({
      status: 422,
      type: '/problems/outside-policy-period',
    });
    expect((await reportMotorClaim({ policyNumber: 'NO-SUCH-POLICY' })).statusCode).toBe(404);
    expect((await reportMotorClaim({ incidentDate: '2026-13-45x' })).statusCode).toBe(400);
  });

  it('lets intake report only for policies of its own branch', async () => {
    const response = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.healthNumber,
      claimantId: world.li,
      incidentDate: world.yesterday,
    });
    expect(response.statusCode).toBe(403);
    // Only intake reports by phone; an adjuster may not.
    const byAdjuster = await adjuster.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
    });
    expect(byAdjuster.statusCode).toBe(403);
  });

  it('shows personal fields masked by default and never sends the plaintext', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    const response = await detail(intake, id);
    expect(response.statusCode).toBe(200);
    const claim = response.json();
    expect(claim.claimant.fields.name).toEqual({ value: '张**', masked: true });
    expect(claim.claimant.fields.idNumber.masked).toBe(true);
    expect(claim.claimant.fields.idNumber.value).toMatch(/^4403\*+3458$/);
    expect(claim.claimant.fields.phone.value).toBe('138****5678');
    expect(claim.description.masked).toBe(true);
    for (const secret of [
      ZHANG_SAN.name,
      ZHANG_SAN.idNumber,
      ZHANG_SAN.phone,
      ZHANG_SAN.email,
      INCIDENT.description,
      INCIDENT.location,
    ]) {
      expect(response.body).not.toContain(secret);
    }
    // The masked read is itself audited, naming the claim, the subject and the purpose.
    const reads = await auditEvents('personal-data.read');
    expect(
      reads.some(
        (event) =>
          event.resource.type === 'claim' &&
          event.resource.id === id &&
          event.dataSubjectId === world.zhang &&
          event.purpose === 'claim-handling',
      ),
    ).toBe(true);
  });

  it('registers a claim and assigns it to the least busy adjuster of the branch', async () => {
    // otherAdjuster gets a claim first, so the next registration goes to `adjuster`.
    const first = (await reportMotorClaim()).json() as { id: string };
    await server.store.db
      .updateTable('claims')
      .set({ assignee_id: otherAdjuster.userId })
      .where('id', '=', first.id)
      .execute();
    const { id } = (await reportMotorClaim()).json() as { id: string };
    const registered = await move(intake, id, 'registered', 1);
    expect(registered.statusCode).toBe(200);
    const claim = registered.json();
    expect(claim).toMatchObject({ state: 'registered', version: 2, assigneeId: adjuster.userId });
    const transitions = await auditEvents('claim.transition');
    expect(transitions.some((event) => event.resource.id === id && event.details.to === 'registered')).toBe(
      true,
    );
  });

  it('keeps each handler to their duty: assigned adjuster, branch supervisor; refusals are audited', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    await move(intake, id, 'registered', 1);
    const claim = (await detail(supervisor, id)).json();
    const assigned = claim.assigneeId === adjuster.userId ? adjuster : otherAdjuster;
    const notAssigned = assigned === adjuster ? otherAdjuster : adjuster;
    expect((await detail(assigned, id)).statusCode).toBe(200);
    expect((await detail(notAssigned, id)).json()).toMatchObject({
      status: 403,
      type: '/problems/forbidden',
    });
    expect((await detail(shanghaiSupervisor, id)).statusCode).toBe(403);
    expect((await detail(finance, id)).statusCode).toBe(200);
    const denied = await auditEvents('claim.read');
    expect(
      denied.some(
        (event) =>
          event.outcome === 'denied' && event.actor.id === notAssigned.userId && event.resource.id === id,
      ),
    ).toBe(true);
    // The list only holds claims within the caller's duty.
    const mine = (await notAssigned.request('GET', '/api/v1/claims?limit=200')).json() as {
      items: { id: string; assigneeId: string }[];
    };
    expect(mine.items.every((item) => item.assigneeId === notAssigned.userId)).toBe(true);
    expect(mine.items.map((item) => item.id)).not.toContain(id);
    const shanghai = (await shanghaiSupervisor.request('GET', '/api/v1/claims')).json() as { total: number };
    expect(shanghai.total).toBe(0);
  });

  it('walks the lifecycle with the roles the transition table names, and refuses everything else', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    // Illegal moves are refused whoever asks.
    expect((await move(supervisor, id, 'closed', 1, 'why not')).json()).toMatchObject({
      status: 409,
      type: '/problems/illegal-transition',
    });
    expect((await move(supervisor, id, 'approving', 1)).json()).toMatchObject({
      type: '/problems/illegal-transition',
    });
    // A surveyor may not register.
    expect((await move(surveyor, id, 'registered', 1)).statusCode).toBe(403);
    let claim = (await move(intake, id, 'registered', 1)).json();
    const handler = claim.assigneeId === adjuster.userId ? adjuster : otherAdjuster;
    claim = (await move(handler, id, 'surveying', claim.version)).json();
    expect(claim.state).toBe('surveying');
    // The surveyor was assigned by rule on entering the survey; only they (or the adjuster) finish it.
    expect(claim.surveyorId).toBe(surveyor.userId);
    claim = (await move(surveyor, id, 'assessing', claim.version)).json();
    expect(claim.state).toBe('assessing');
    claim = (await move(handler, id, 'adjusting', claim.version)).json();
    expect(claim.state).toBe('adjusting');
    // adjusting → approving is the payout workflow's, not a button.
    expect((await move(handler, id, 'approving', claim.version)).json()).toMatchObject({
      type: '/problems/illegal-transition',
    });
    expect(claim.allowedTransitions).toEqual([]);
    // Rejection needs a reason, and a supervisor.
    expect((await move(handler, id, 'rejected', claim.version, 'no cover')).statusCode).toBe(403);
    expect((await move(supervisor, id, 'rejected', claim.version)).json()).toMatchObject({
      status: 400,
      type: '/problems/reason-required',
    });
    claim = (await move(supervisor, id, 'rejected', claim.version, '免赔额以内')).json();
    expect(claim).toMatchObject({ state: 'rejected', resolutionReason: '免赔额以内' });
    expect(claim.closedAt).not.toBeNull();
    claim = (await move(supervisor, id, 'reopened', claim.version, '客户补充材料')).json();
    expect(claim.state).toBe('reopened');
    expect(claim.timeline.map((step: { to: string }) => step.to)).toEqual([
      'reported',
      'registered',
      'surveying',
      'assessing',
      'adjusting',
      'rejected',
      'reopened',
    ]);
  });

  it('refuses a concurrent conflicting transition (optimistic locking on version)', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    const [a, b] = await Promise.all([
      move(intake, id, 'registered', 1),
      move(intake, id, 'withdrawn', 1, '客户来电撤案'),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json()).toMatchObject({ type: '/problems/stale-version' });
    // A stale version alone is refused too.
    expect((await move(supervisor, id, 'rejected', 1, 'late')).json()).toMatchObject({
      type: expect.stringMatching(/stale-version|illegal-transition/),
    });
  });

  it('reveals a field only with a purpose the catalogue allows and a fresh second factor, and audits it', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    const reveal = (session: StaffSession, fields: string[], purpose: string) =>
      session.request('POST', `/api/v1/claims/${id}/reveal`, { fields, purpose });
    const response = await reveal(intake, ['claimant.idNumber', 'description'], 'claim-handling');
    expect(response.statusCode).toBe(200);
    const claim = response.json();
    expect(claim.claimant.fields.idNumber).toEqual({ value: ZHANG_SAN.idNumber, masked: false });
    expect(claim.description).toEqual({ value: INCIDENT.description, masked: false });
    expect(claim.claimant.fields.phone.masked).toBe(true);
    const unmasks = await auditEvents('personal-data.unmask');
    expect(
      unmasks.some(
        (event) =>
          event.resource.id === id && event.purpose === 'claim-handling' && event.actor.id === intake.userId,
      ),
    ).toBe(true);

    // customer-service does not allow reading a resident ID number (catalogue).
    expect((await reveal(intake, ['claimant.idNumber'], 'customer-service')).json()).toMatchObject({
      status: 403,
      type: '/problems/purpose-not-allowed',
    });
    expect((await reveal(intake, ['claimant.idNumber'], 'because')).statusCode).toBe(403);
    // A role without the unmask permission is refused at the route.
    const auditor = await signInAs(server, 'internal_auditor');
    expect((await reveal(auditor, ['claimant.name'], 'claim-handling')).statusCode).toBe(403);
    // A second factor older than five minutes: step up first.
    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes' where user_id = ${intake.userId}`.execute(
      server.store.db,
    );
    expect((await reveal(intake, ['claimant.name'], 'claim-handling')).json()).toMatchObject({
      type: '/problems/step-up-required',
    });
    await sql`update staff_sessions set second_factor_at = now() where user_id = ${intake.userId}`.execute(
      server.store.db,
    );
  });

  it('reassigns by a supervisor of the branch only, to an active adjuster of that branch', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    let claim = (await move(intake, id, 'registered', 1)).json();
    const target = claim.assigneeId === adjuster.userId ? otherAdjuster : adjuster;

    // The supervisor picks by name: the branch's active handlers with their open claims, least busy first.
    const handlers = await supervisor.request('GET', `/api/v1/claims/${id}/handlers`);
    expect(handlers.statusCode, handlers.body).toBe(200);
    const { adjusters, surveyors } = handlers.json() as {
      adjusters: { id: string; displayName: string; openClaims: number; skilled: boolean }[];
      surveyors: { id: string }[];
    };
    const adjusterIds = adjusters.map((handler) => handler.id);
    expect(adjusterIds).toEqual(expect.arrayContaining([adjuster.userId, otherAdjuster.userId]));
    expect(adjusterIds).not.toContain(finance.userId);
    expect(surveyors.map((handler) => handler.id)).toContain(surveyor.userId);
    expect(adjusters.every((handler) => handler.displayName.length > 0 && handler.skilled)).toBe(true);
    const open = adjusters.map((handler) => handler.openClaims);
    expect(open).toEqual([...open].sort((a, b) => a - b));
    const mine = adjusters.find((handler) => handler.id === claim.assigneeId);
    expect(mine?.openClaims).toBeGreaterThanOrEqual(1);
    expect((await adjuster.request('GET', `/api/v1/claims/${id}/handlers`)).statusCode).toBe(403);
    expect((await shanghaiSupervisor.request('GET', `/api/v1/claims/${id}/handlers`)).statusCode).toBe(403);
    expect(
      (
        await adjuster.request('POST', `/api/v1/claims/${id}/assignment`, {
          assigneeId: target.userId,
          version: claim.version,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await shanghaiSupervisor.request('POST', `/api/v1/claims/${id}/assignment`, {
          assigneeId: target.userId,
          version: claim.version,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await supervisor.request('POST', `/api/v1/claims/${id}/assignment`, {
          assigneeId: finance.userId,
          version: claim.version,
        })
      ).statusCode,
    ).toBe(400);
    const reassigned = await supervisor.request('POST', `/api/v1/claims/${id}/assignment`, {
      assigneeId: target.userId,
      version: claim.version,
    });
    expect(reassigned.statusCode).toBe(200);
    claim = reassigned.json();
    expect(claim.assigneeId).toBe(target.userId);
    expect((await detail(target, id)).statusCode).toBe(200);
    const assignments = await auditEvents('claim.assign');
    expect(
      assignments.some((event) => event.resource.id === id && event.details.assignee === target.userId),
    ).toBe(true);
  });

  it('stores notes encrypted and shows them masked until revealed', async () => {
    const { id } = (await reportMotorClaim()).json() as { id: string };
    const note = '已电话联系客户，确认修理厂为 4S 店。';
    expect((await intake.request('POST', `/api/v1/claims/${id}/notes`, { body: note })).statusCode).toBe(201);
    const { rows } = await sql<{
      body_ct: Buffer;
    }>`select body_ct from claim_notes where claim_id = ${id}`.execute(server.store.db);
    expect(Buffer.from(rows[0]?.body_ct ?? []).toString('utf8')).not.toContain('客户');
    const claim = (await detail(intake, id)).json();
    expect(claim.notes[0].body.masked).toBe(true);
    const revealed = (
      await intake.request('POST', `/api/v1/claims/${id}/reveal`, {
        fields: ['notes'],
        purpose: 'claim-handling',
      })
    ).json();
    expect(revealed.notes[0].body).toEqual({ value: note, masked: false });
    // Finance reads claims but does not write on them.
    expect((await finance.request('POST', `/api/v1/claims/${id}/notes`, { body: 'x' })).statusCode).toBe(403);
  });

  it('finds customers and their claims by ID number, phone or email through blind indexes, masked', async () => {
    const spaced = `${ZHANG_SAN.idNumber.slice(0, 6)} ${ZHANG_SAN.idNumber.slice(6)}`;
    const found = await intake.request('POST', '/api/v1/customers/search', { idNumber: spaced });
    expect(found.statusCode).toBe(200);
    const { items } = found.json() as {
      items: { id: string; fields: { name: { value: string } }; policies: { number: string }[] }[];
    };
    expect(items.map((item) => item.id)).toEqual([world.zhang]);
    expect(items[0]?.fields.name.value).toBe('张**');
    expect(items[0]?.policies.map((policy) => policy.number)).toContain(world.motorNumber);
    expect(found.body).not.toContain(ZHANG_SAN.idNumber);
    const byPhone = (
      await intake.request('POST', '/api/v1/customers/search', { phone: '+86 138-1234-5678' })
    ).json();
    expect(byPhone.items.map((item: { id: string }) => item.id)).toEqual([world.zhang]);
    const nobody = (
      await intake.request('POST', '/api/v1/customers/search', { email: 'nobody@example.cn' })
    ).json();
    expect(nobody.items).toEqual([]);
    expect(
      (await intake.request('POST', '/api/v1/customers/search', { phone: '1', email: 'a@b' })).statusCode,
    ).toBe(400);
    const claims = (
      await intake.request('POST', '/api/v1/claims/search', { phone: ZHANG_SAN.phone })
    ).json() as { items: { claimantName: string }[]; total: number };
    expect(claims.total).toBeGreaterThan(0);
    expect(claims.items.every((item) => item.claimantName === '张**')).toBe(true);
    // Li's claims are in Shanghai: nothing for a Beijing intake.
    expect(
      (await intake.request('POST', '/api/v1/claims/search', { idNumber: LI_SI.idNumber })).json().total,
    ).toBe(0);
    // An adjuster has no business searching customers.
    expect(
      (await adjuster.request('POST', '/api/v1/customers/search', { phone: ZHANG_SAN.phone })).statusCode,
    ).toBe(403);
  });

  it('tells the customer of each step in their language, with nothing personal in the outbox (S0.1)', async () => {
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const { id, number } = (await reportMotorClaim()).json() as { id: string; number: string };
    await move(intake, id, 'registered', 1);
    const sms = {
      sent: [] as string[],
      async send(message: { to: string; text: string }) {
        sms.sent.push(message.to);
        return { providerMessageId: null };
      },
    };
    const dispatcher = new NotificationDispatcher({
      service: services.notifications,
      directory: services.directory,
      sms: sms as never,
    });
    await dispatcher.dispatchDue(server.store.db);
    const inbox = await services.notifications.listInApp(
      server.store.db,
      { kind: 'customer', id: world.zhang },
      { limit: 100 },
    );
    const bodies = inbox.items.map((item) => item.body).join('\n');
    expect(bodies).toContain('当前状态：立案');
    expect(bodies).not.toContain(number);
    // The SMS went to the phone on file, looked up through the vault at sending time.
    expect(sms.sent).toContain(ZHANG_SAN.phone);
    const { rows } = await sql<{ row: unknown }>`select to_jsonb(n) as row from notifications n`.execute(
      server.store.db,
    );
    const dump = JSON.stringify(rows);
    for (const secret of [ZHANG_SAN.phone, ZHANG_SAN.email, ZHANG_SAN.name, number])
      expect(dump).not.toContain(secret);
  });

  it('exports the claims list to XLSX and CSV: supervisor only, step-up, masked, watermarked, audited', async () => {
    const exportAs = (session: StaffSession, format: string) =>
      session.request('POST', '/api/v1/claims/export', { format, language: 'zh-CN' });
    const xlsx = await exportAs(supervisor, 'xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.headers['content-disposition']).toMatch(/^attachment; filename="claims-\d{14}\.xlsx"$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    const { total } = (await supervisor.request('GET', '/api/v1/claims?limit=1')).json() as { total: number };
    expect(sheet.rowCount).toBe(total + 1);
    expect(sheet.getRow(1).getCell(1).value).toBe('案件号');
    const values = JSON.stringify(sheet.getSheetValues());
    expect(values).toContain(`staff:${supervisor.userId}`);
    expect(values).toContain('张**');
    expect(values).not.toContain(ZHANG_SAN.name);
    const csv = await exportAs(supervisor, 'csv');
    expect(csv.body.startsWith('\uFEFF案件号')).toBe(true);
    expect(csv.body.split('\n').filter(Boolean)).toHaveLength(total + 1);
    expect(csv.body).toContain(`staff:${supervisor.userId}`);
    // Not for intake; and a bulk export needs a fresh second factor.
    expect((await exportAs(intake, 'csv')).statusCode).toBe(403);
    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes' where user_id = ${supervisor.userId}`.execute(
      server.store.db,
    );
    expect((await exportAs(supervisor, 'csv')).json()).toMatchObject({ type: '/problems/step-up-required' });
    await sql`update staff_sessions set second_factor_at = now() where user_id = ${supervisor.userId}`.execute(
      server.store.db,
    );
    const exports = await auditEvents('claim.export');
    expect(
      exports.filter((event) => event.actor.id === supervisor.userId).map((event) => event.details.format),
    ).toEqual(['xlsx', 'csv']);
  });

  it('neutralises values a spreadsheet would run as formulas', () => {
    expect(neutraliseFormula('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseFormula('张**')).toBe('张**');
  });

  it('never writes personal data into the logs', () => {
    const logs = server.logs.lines.join('\n');
    for (const secret of [
      ZHANG_SAN.name,
      ZHANG_SAN.idNumber,
      ZHANG_SAN.phone,
      ZHANG_SAN.email,
      INCIDENT.description,
      INCIDENT.location,
      LI_SI.idNumber,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('customer identity numbers (GB 11643, S3.1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses a resident ID number with a wrong check digit, region or birth date, without echoing it', async () => {
    const customers = server.app.claims?.customers;
    if (!customers) throw new Error('no claims services');
    const context = {
      actor: { type: 'system' as const, id: null, role: null, sessionId: null, ip: null, userAgent: null },
      requestId: null,
    };
    for (const [idNumber, reason] of [
      ['440304198510123459', 'check-digit'],
      ['990304198510123458', 'region'],
      ['440304198513123458', 'birth-date'],
      ['44030419851012345', 'format'],
    ] as const) {
      const attempt = customers.createCustomer(server.store.db, { ...ZHANG_SAN, idNumber }, context);
      await expect(attempt).rejects.toMatchObject({ code: 'invalid-id-number', extensions: { reason } });
      await expect(attempt).rejects.not.toThrow(idNumber);
    }
    // Lower-case x and full-width digits are normalised before storing and indexing.
    const id = await customers.createCustomer(
      server.store.db,
      { ...ZHANG_SAN, idNumber: '１１０１０５１９４９１２３１００２x' },
      context,
    );
    expect(await customers.findIds(server.store.db, { idNumber: '11010519491231002X' })).toEqual([id]);
  });
});
