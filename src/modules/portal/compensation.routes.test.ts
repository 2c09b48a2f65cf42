import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { CSRF_HEADER, PORTAL_SESSION_COOKIE } from '../access/route-access.js';
import {
  addAffected,
  createAffectedTable,
  SAMPLE_TEXTS,
  TableIncidentSources,
} from '../breach-notices/breach-notices-test-kit.js';
import { LI_SI, seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import type { OutgoingMessage } from '../notifications/channels.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';

/**
 * Compensation claims for a data leak over HTTP (issue 5 section 8, S4.2): an affected customer files one
 * from the notice's link and it runs through the claims lifecycle; a customer the incident did not touch is
 * refused; a second open claim for the same incident is a 409; security officers see the incident's claims
 * counted by state.
 */
const PASSWORD = 'Lotus-Harbour-Quietly-2026';
type Reply = Awaited<ReturnType<TestServer['app']['inject']>>;
type Portal = {
  get(url: string): Promise<Reply>;
  post(url: string, payload: Record<string, unknown>): Promise<Reply>;
};

describe('compensation claims over HTTP', () => {
  let server: TestServer;
  const source = new TableIncidentSources();
  let officer: StaffSession;
  let checker: StaffSession;
  let adjuster: StaffSession;
  let intake: StaffSession;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let incidentId = '';
  let reference = '';
  const sent: OutgoingMessage[] = [];
  let zhang: Portal;
  let li: Portal;

  async function deliver(): Promise<void> {
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    await new NotificationDispatcher({
      service: services.notifications,
      directory: services.directory,
      sms: {
        async send(message: OutgoingMessage) {
          sent.push(message);
          return { providerMessageId: null };
        },
      },
      batchSize: 100,
    }).dispatchDue(server.store.db);
  }

  async function signIn(person: { idNumber: string; phone: string }, ip: string): Promise<Portal> {
    const post = (url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      server.app.inject({ method: 'POST', url, payload, remoteAddress: ip, headers });
    const lastCode = async (mark: number) => {
      await deliver();
      const message = sent
        .slice(mark)
        .filter((candidate) => candidate.to === person.phone)
        .at(-1);
      return message ? /(\d{6})/.exec(message.body)?.[1] : undefined;
    };
    let mark = sent.length;
    const started = await post('/api/v1/portal/register', { idNumber: person.idNumber, phone: person.phone });
    const registered = await post('/api/v1/portal/register/complete', {
      ticket: started.json().ticket,
      code: await lastCode(mark),
      password: PASSWORD,
    });
    expect(registered.statusCode, registered.body).toBe(200);
    mark = sent.length;
    const login = await post('/api/v1/portal/login', { login: person.phone, password: PASSWORD });
    const pending = login.cookies.find((cookie) => cookie.name === PORTAL_SESSION_COOKIE);
    const csrfToken = login.json().csrfToken as string;
    const verified = await post(
      '/api/v1/portal/login/code',
      { code: await lastCode(mark) },
      { cookie: `${PORTAL_SESSION_COOKIE}=${pending?.value}`, [CSRF_HEADER]: csrfToken },
    );
    expect(verified.statusCode, verified.body).toBe(200);
    const cookie = `${PORTAL_SESSION_COOKIE}=${verified.cookies.find((c) => c.name === PORTAL_SESSION_COOKIE)?.value}`;
    return {
      get: (url) => server.app.inject({ method: 'GET', url, remoteAddress: ip, headers: { cookie } }),
      post: (url, payload) => post(url, payload, { cookie, [CSRF_HEADER]: csrfToken }),
    };
  }

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000, breachNoticeSources: source.sources });
    await createAffectedTable(server.store.db);
    world = await seedClaimsWorld(server);
    officer = await signInAs(server, 'security_officer');
    checker = await signInAs(server, 'security_officer');
    adjuster = await signInAs(server, 'adjuster');
    intake = await signInAs(server, 'claims_intake');
    // A real incident (the staff count resolves its reference); who it affected comes from the test table.
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Bulk reads at night',
      kind: 'insider-misuse',
    });
    expect(declared.statusCode, declared.body).toBe(201);
    incidentId = declared.json().id;
    reference = declared.json().reference;
    source.incidents.set(incidentId, { reference, title: 'Bulk reads', isDrill: false, status: 'open' });
    // Zhang is affected (identity and contact data); Li is not.
    await addAffected(server.store.db, incidentId, [
      { id: world.zhang, categories: ['identity', 'contact'] },
    ]);
    const created = await officer.request('POST', '/api/v1/breach-notices/campaigns', {
      incidentId,
      channels: ['in-app'],
      texts: SAMPLE_TEXTS,
    });
    expect(created.statusCode, created.body).toBe(201);
    const campaignId = created.json().id as string;
    await checker.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/approval`, { version: 1 });
    await officer.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/start`);
    expect(await server.app.breachNotices?.sender.runCampaign(server.store.db, campaignId)).toBe('done');
    zhang = await signIn(ZHANG_SAN, '10.78.0.1');
    li = await signIn(LI_SI, '10.78.0.2');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  const counts = async () => {
    const response = await officer.request('GET', `/api/v1/incidents/${incidentId}/compensation-claims`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('pre-fills the form for an affected customer with the categories of their data and their policy', async () => {
    const form = await zhang.get(`/api/v1/portal/compensation/${reference}`);
    expect(form.statusCode, form.body).toBe(200);
    expect(form.json()).toMatchObject({
      incidentReference: reference,
      isDrill: false,
      categories: ['identity', 'contact'],
      categoryNames: { 'zh-CN': ['身份信息', '联系信息'] },
      policies: [{ number: world.motorNumber }],
      claims: [],
    });
    expect(await counts()).toEqual({ incidentReference: reference, total: 0, byState: [] });
  });

  it("files an affected customer's claim that runs through the lifecycle; a second open one is a 409", async () => {
    const filed = await zhang.post(`/api/v1/portal/compensation/${reference}`, {
      description: '收到诈骗电话，对方知道我的保单信息。',
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const { id, number } = filed.json() as { id: string; number: string };
    expect(number).toMatch(/^CL\d{10}$/);

    // An ordinary portal claim of the customer, reported on their policy.
    const detail = await zhang.get(`/api/v1/portal/claims/${id}`);
    expect(detail.json()).toMatchObject({
      state: 'reported',
      channel: 'portal',
      policy: { number: world.motorNumber },
      description: { masked: true },
    });
    expect((await zhang.get(`/api/v1/portal/compensation/${reference}`)).json().claims).toMatchObject([
      { id, number, state: 'reported' },
    ]);

    const again = await zhang.post(`/api/v1/portal/compensation/${reference}`, { description: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ type: '/problems/conflict', claimId: id });

    expect(await counts()).toEqual({
      incidentReference: reference,
      total: 1,
      byState: [{ state: 'reported', count: 1 }],
    });

    // The lifecycle: the customer withdraws it (撤案); a finished claim no longer blocks a new one.
    const withdrawn = await zhang.post(`/api/v1/portal/claims/${id}/withdraw`, {
      reason: 'Filed too early',
      version: 1,
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const second = await zhang.post(`/api/v1/portal/compensation/${reference}`, { description: '再次申请' });
    expect(second.statusCode, second.body).toBe(201);
    // Intake registers it (立案) like any other claim; the incident's counts follow the states.
    const registered = await intake.request('POST', `/api/v1/claims/${second.json().id}/transitions`, {
      to: 'registered',
      version: 1,
    });
    expect(registered.statusCode, registered.body).toBe(200);
    expect(await counts()).toEqual({
      incidentReference: reference,
      total: 2,
      byState: [
        { state: 'registered', count: 1 },
        { state: 'withdrawn', count: 1 },
      ],
    });
  });

  it('refuses a customer the incident did not affect, and an unknown reference, alike', async () => {
    const before = (await counts()).total;
    for (const url of [
      `/api/v1/portal/compensation/${reference}`,
      '/api/v1/portal/compensation/INC-1999-0001',
    ]) {
      const form = await li.get(url);
      expect(form.statusCode).toBe(403);
      expect(form.json()).toMatchObject({ type: '/problems/not-affected' });
      const filed = await li.post(url, { description: 'not mine' });
      expect(filed.statusCode).toBe(403);
      expect(filed.json()).toMatchObject({ type: '/problems/not-affected' });
    }
    const own = await li.get('/api/v1/portal/claims');
    expect(own.json().total).toBe(0);
    expect((await counts()).total).toBe(before);
  });

  it('shows the counts to security officers only, never to claims staff', async () => {
    expect(
      (await adjuster.request('GET', `/api/v1/incidents/${incidentId}/compensation-claims`)).statusCode,
    ).toBe(403);
    expect(
      (
        await officer.request(
          'GET',
          '/api/v1/incidents/00000000-0000-4000-8000-000000000000/compensation-claims',
        )
      ).statusCode,
    ).toBe(404);
  });
});
