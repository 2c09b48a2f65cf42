import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { CSRF_HEADER, PORTAL_SESSION_COOKIE } from '../access/route-access.js';
import { LI_SI, seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import type { OutgoingMessage } from '../notifications/channels.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';

/**
 * A signed-in customer changes their own phone or email (S3.1, S4.3): the code goes to the CURRENT contact,
 * a wrong code changes nothing, the right one changes the contact (the old one is told) and the new one is
 * what signs in from then on, and the customer's other sessions end; a customer held by a security incident is
 * refused.
 */
const PASSWORD = 'Lotus-Harbour-Quietly-2026';

describe('S3.1 portal self-service contact change', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let officer: StaffSession;
  const sent: (OutgoingMessage & { channel: 'sms' | 'email' })[] = [];
  let address = 0;
  const NEW_PHONE = '13566667777';

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    officer = await signInAs(server, 'security_officer');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  function from(): string {
    address += 1;
    return `10.7.${Math.floor(address / 250)}.${address % 250}`;
  }

  async function deliver(): Promise<void> {
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const provider = (channel: 'sms' | 'email') => ({
      async send(message: OutgoingMessage) {
        sent.push({ ...message, channel });
        return { providerMessageId: null };
      },
    });
    await new NotificationDispatcher({
      service: services.notifications,
      directory: services.directory,
      sms: provider('sms'),
      email: provider('email'),
    }).dispatchDue(server.store.db);
  }

  async function codeSentTo(to: string, mark: number): Promise<string | undefined> {
    await deliver();
    const message = sent
      .slice(mark)
      .filter((candidate) => candidate.to === to && /\d{6}/.test(candidate.body))
      .at(-1);
    return message ? /(\d{6})/.exec(message.body)?.[1] : undefined;
  }

  const post = (
    url: string,
    payload: Record<string, unknown>,
    ip: string,
    headers: Record<string, string> = {},
  ) => server.app.inject({ method: 'POST', url, payload, remoteAddress: ip, headers });

  async function register(person: typeof ZHANG_SAN | typeof LI_SI, ip: string): Promise<void> {
    const mark = sent.length;
    const started = await post(
      '/api/v1/portal/register',
      { idNumber: person.idNumber, phone: person.phone },
      ip,
    );
    expect(started.statusCode).toBe(202);
    const code = await codeSentTo(person.phone, mark);
    const done = await post(
      '/api/v1/portal/register/complete',
      { ticket: started.json().ticket, code, password: PASSWORD },
      ip,
    );
    expect(done.statusCode, done.body).toBe(200);
  }

  function cookieOf(response: LightMyRequestResponse): string {
    const cookie = response.cookies.find((candidate) => candidate.name === PORTAL_SESSION_COOKIE);
    if (!cookie) throw new Error(`no portal cookie (${response.statusCode})`);
    return `${PORTAL_SESSION_COOKIE}=${cookie.value}`;
  }

  type Customer = {
    request: (url: string, body: Record<string, unknown>) => Promise<LightMyRequestResponse>;
    get: (url: string) => Promise<LightMyRequestResponse>;
  };

  async function signIn(login: string, sendTo: string, ip: string): Promise<Customer> {
    const mark = sent.length;
    const response = await post('/api/v1/portal/login', { login, password: PASSWORD }, ip);
    expect(response.statusCode, response.body).toBe(200);
    const csrfToken = response.json().csrfToken as string;
    const code = await codeSentTo(sendTo, mark);
    expect(code).toBeDefined();
    const verified = await post('/api/v1/portal/login/code', { code }, ip, {
      cookie: cookieOf(response),
      [CSRF_HEADER]: csrfToken,
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const cookie = cookieOf(verified);
    return {
      request: (url, body) => post(url, body, ip, { cookie, [CSRF_HEADER]: csrfToken }),
      get: (url) => server.app.inject({ method: 'GET', url, remoteAddress: ip, headers: { cookie } }),
    };
  }

  it('sends the code to the current phone; a wrong code changes nothing; the right one switches sign-in to the new phone', async () => {
    const ip = from();
    await register(ZHANG_SAN, ip);
    const zhang = await signIn(ZHANG_SAN.phone, ZHANG_SAN.phone, ip);
    // Another session of the same account (another device, or whoever took it over).
    const elsewhere = await signIn(ZHANG_SAN.phone, ZHANG_SAN.phone, from());
    expect((await elsewhere.get('/api/v1/portal/me')).statusCode).toBe(200);

    let mark = sent.length;
    const started = await zhang.request('/api/v1/portal/contact-change', { field: 'phone' });
    expect(started.statusCode, started.body).toBe(202);
    const { id, channel } = started.json() as { id: string; channel: string };
    expect(channel).toBe('sms');
    const code = await codeSentTo(ZHANG_SAN.phone, mark);
    expect(code).toMatch(/^\d{6}$/);
    // Only to the current phone: nothing went to the new one, and no code is stored in the clear.
    expect(sent.slice(mark).some((message) => message.to === NEW_PHONE)).toBe(false);
    const stored = await sql<{ dump: string }>`
      select coalesce(encode(code_hash, 'hex'), '') as dump from portal_contact_changes where id = ${id}`.execute(
      server.store.db,
    );
    expect(stored.rows[0]?.dump).not.toContain(code);

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await zhang.request(`/api/v1/portal/contact-change/${id}`, {
      code: wrong,
      phone: NEW_PHONE,
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ type: '/problems/invalid-code', attemptsLeft: 4 });
    const customers = server.app.claims?.customers;
    if (!customers) throw new Error('no customers');
    expect(await customers.findIds(server.store.db, { phone: NEW_PHONE })).toEqual([]);
    // The new value of the other kind is refused without costing an attempt.
    const otherKind = await zhang.request(`/api/v1/portal/contact-change/${id}`, {
      code,
      email: 'x@example.cn',
    });
    expect(otherKind.statusCode).toBe(400);
    const badPhone = await zhang.request(`/api/v1/portal/contact-change/${id}`, {
      code,
      phone: '10000000000',
    });
    expect(badPhone.statusCode).toBe(422);
    expect(badPhone.body).not.toContain('10000000000');

    mark = sent.length;
    const done = await zhang.request(`/api/v1/portal/contact-change/${id}`, { code, phone: NEW_PHONE });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ changed: ['phone'] });
    // The other session ends with the change; the one that made it goes on.
    expect((await elsewhere.get('/api/v1/portal/me')).statusCode).toBe(401);
    expect((await zhang.get('/api/v1/portal/me')).statusCode).toBe(200);
    // Used once.
    const again = await zhang.request(`/api/v1/portal/contact-change/${id}`, { code, phone: NEW_PHONE });
    expect(again.statusCode).toBe(401);

    expect(await customers.findIds(server.store.db, { phone: NEW_PHONE })).toEqual([world.zhang]);
    const page = await server.auditService.query({ action: 'customer.contact-change' });
    expect(
      page.items.map((item) => item.event).find((event) => event.dataSubjectId === world.zhang),
    ).toMatchObject({
      actor: { type: 'customer', id: world.zhang },
      purpose: 'data-subject-request',
      details: { channel: 'portal', fields: 'phone' },
    });

    // The old phone is told; the new one signs in from now on, the old one no longer does.
    await deliver();
    const told = sent
      .slice(mark)
      .filter((message) => message.to === ZHANG_SAN.phone && message.channel === 'sms');
    expect(told.some((message) => message.subject.includes('联系方式已变更'))).toBe(true);
    const oldLogin = await post(
      '/api/v1/portal/login',
      { login: ZHANG_SAN.phone, password: PASSWORD },
      from(),
    );
    expect(oldLogin.statusCode).toBe(401);
    await signIn(NEW_PHONE, NEW_PHONE, from());
  });

  it('refuses a customer whose changes a security incident holds (409 changes-held)', async () => {
    const ip = from();
    await register(LI_SI, ip);
    const li = await signIn(LI_SI.phone, LI_SI.phone, ip);
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Customer contacts exposed',
      kind: 'insider-misuse',
    });
    const incidentId = (declared.json() as { id: string }).id;
    const held = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'hold-changes',
      subjectIds: [world.li],
    });
    expect(held.statusCode, held.body).toBe(201);
    const mark = sent.length;
    const refused = await li.request('/api/v1/portal/contact-change', { field: 'email' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ type: '/problems/changes-held' });
    await deliver();
    expect(sent.slice(mark).some((message) => message.to === LI_SI.phone || message.to === LI_SI.email)).toBe(
      false,
    );
  });
});
