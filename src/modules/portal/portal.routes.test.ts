import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { CSRF_HEADER, PORTAL_SESSION_COOKIE, SESSION_COOKIE } from '../access/route-access.js';
import { LI_SI, seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import type { OutgoingMessage } from '../notifications/channels.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';

/** The customer portal over HTTP (issue section 8): registration, two-factor sign-in, own claims. */
const PASSWORD = 'Lotus-Harbour-Quietly-2026';
type Method = 'GET' | 'POST';

describe('customer portal', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  const sent: (OutgoingMessage & { channel: 'sms' | 'email' })[] = [];
  let address = 0;

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  /** Each test calls from its own address, so per-address throttles of one test do not reach another. */
  function from(): string {
    address += 1;
    return `10.9.${Math.floor(address / 250)}.${address % 250}`;
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

  /** The last code sent to an address since `mark`. */
  async function codeSentTo(to: string, mark: number): Promise<string | undefined> {
    await deliver();
    const message = sent
      .slice(mark)
      .filter((candidate) => candidate.to === to)
      .at(-1);
    return message ? /(\d{6})/.exec(message.body)?.[1] : undefined;
  }

  const post = (
    url: string,
    payload: Record<string, unknown>,
    ip: string,
    headers: Record<string, string> = {},
  ) => server.app.inject({ method: 'POST', url, payload, remoteAddress: ip, headers });

  async function register(
    person: typeof ZHANG_SAN | typeof LI_SI,
    ip: string,
    password = PASSWORD,
  ): Promise<void> {
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
      { ticket: started.json().ticket, code, password },
      ip,
    );
    expect(done.statusCode, done.body).toBe(200);
  }

  type Customer = {
    cookie: string;
    csrfToken: string;
    request: (method: Method, url: string, body?: unknown) => Promise<LightMyRequestResponse>;
  };

  function cookieOf(response: LightMyRequestResponse): string {
    const cookie = response.cookies.find((candidate) => candidate.name === PORTAL_SESSION_COOKIE);
    if (!cookie) throw new Error(`no portal cookie (${response.statusCode}: ${response.body})`);
    return `${PORTAL_SESSION_COOKIE}=${cookie.value}`;
  }

  async function signIn(login: string, sendTo: string, ip: string): Promise<Customer> {
    const mark = sent.length;
    const response = await post('/api/v1/portal/login', { login, password: PASSWORD }, ip);
    expect(response.statusCode, response.body).toBe(200);
    const pending = cookieOf(response);
    const csrfToken = response.json().csrfToken as string;
    const code = await codeSentTo(sendTo, mark);
    const verified = await post('/api/v1/portal/login/code', { code }, ip, {
      cookie: pending,
      [CSRF_HEADER]: csrfToken,
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const cookie = cookieOf(verified);
    return {
      cookie,
      csrfToken,
      request: (method, url, body) =>
        server.app.inject({
          method,
          url,
          remoteAddress: ip,
          headers: { cookie, [CSRF_HEADER]: csrfToken },
          ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
        }),
    };
  }

  const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });

  describe('registration', () => {
    it('answers a non-matching ID number and phone exactly like a match, and sends nothing', async () => {
      const ip = from();
      const mark = sent.length;
      const mismatch = await post(
        '/api/v1/portal/register',
        { idNumber: ZHANG_SAN.idNumber, phone: LI_SI.phone },
        ip,
      );
      const unknown = await post(
        '/api/v1/portal/register',
        { idNumber: '11010519491231002X', phone: '13700000001' },
        ip,
      );
      for (const response of [mismatch, unknown]) {
        expect(response.statusCode).toBe(202);
        expect(Object.keys(response.json()).sort()).toEqual(['channel', 'codeExpiresAt', 'ticket']);
        expect(response.json().channel).toBe('sms');
      }
      await deliver();
      expect(sent.slice(mark)).toEqual([]);
      // No code can finish it.
      const done = await post(
        '/api/v1/portal/register/complete',
        { ticket: mismatch.json().ticket, code: '123456', password: PASSWORD },
        ip,
      );
      expect(done.statusCode).toBe(401);
      expect(done.json()).toMatchObject({ type: '/problems/invalid-code' });
    });

    it('sends a code to the phone on file when ID number and phone match, keeps only its hash, and sets the password once', async () => {
      const ip = from();
      const mark = sent.length;
      const started = await post(
        '/api/v1/portal/register',
        { idNumber: ZHANG_SAN.idNumber, phone: '+86 138 1234 5678' },
        ip,
      );
      expect(started.statusCode).toBe(202);
      const code = (await codeSentTo(ZHANG_SAN.phone, mark)) as string;
      expect(code).toMatch(/^\d{6}$/);
      const { rows } = await sql<{ dump: string }>`select
        (select coalesce(string_agg(to_jsonb(r)::text, ''), '') from portal_registrations r) ||
        (select coalesce(string_agg(to_jsonb(n)::text, ''), '') from notifications n) as dump`.execute(
        server.store.db,
      );
      expect(rows[0]?.dump).not.toContain(code);
      expect(rows[0]?.dump).not.toContain(started.json().ticket);

      const ticket = started.json().ticket as string;
      const complete = (body: Record<string, string>) =>
        post('/api/v1/portal/register/complete', { ticket, code, password: PASSWORD, ...body }, ip);
      // The staff password policy: too short, and common.
      expect((await complete({ password: 'short-one' })).json()).toMatchObject({
        type: '/problems/password-rejected',
        reason: 'too-short',
      });
      expect((await complete({ password: 'password1234' })).json()).toMatchObject({
        type: '/problems/password-rejected',
      });
      const wrong = await complete({ code: code === '000000' ? '111111' : '000000' });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ type: '/problems/invalid-code', attemptsLeft: 4 });
      expect((await complete({})).statusCode).toBe(200);
      // Used: the same code does not work twice.
      expect((await complete({})).json()).toMatchObject({ type: '/problems/invalid-code' });
      const { rows: accounts } = await sql<{
        password_hash: string;
      }>`select password_hash from portal_accounts where customer_id = ${world.zhang}`.execute(
        server.store.db,
      );
      expect(accounts[0]?.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('refuses the right code after five wrong ones, and an expired code', async () => {
      const ip = from();
      let mark = sent.length;
      const started = await post(
        '/api/v1/portal/register',
        { idNumber: LI_SI.idNumber, email: LI_SI.email },
        ip,
      );
      expect(started.json().channel).toBe('email');
      const code = (await codeSentTo(LI_SI.email, mark)) as string;
      expect(code).toBeDefined();
      const wrong = code === '000000' ? '111111' : '000000';
      const complete = (ticket: string, given: string) =>
        post('/api/v1/portal/register/complete', { ticket, code: given, password: PASSWORD }, ip);
      for (let attempt = 1; attempt <= 5; attempt++)
        expect((await complete(started.json().ticket, wrong)).json().attemptsLeft).toBe(5 - attempt);
      expect((await complete(started.json().ticket, code)).json()).toMatchObject({
        type: '/problems/invalid-code',
        attemptsLeft: 0,
      });

      mark = sent.length;
      const again = await post(
        '/api/v1/portal/register',
        { idNumber: LI_SI.idNumber, phone: LI_SI.phone },
        ip,
      );
      const fresh = (await codeSentTo(LI_SI.phone, mark)) as string;
      await sql`update portal_registrations set code_expires_at = now() - interval '1 minute'`.execute(
        server.store.db,
      );
      expect((await complete(again.json().ticket, fresh)).json()).toMatchObject({
        type: '/problems/invalid-code',
      });
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from portal_accounts where customer_id = ${world.li}`.execute(
        server.store.db,
      );
      expect(rows[0]?.n).toBe(0);
    });
  });

  describe('sign-in', () => {
    beforeAll(async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from portal_accounts where customer_id = ${world.zhang}`.execute(
        server.store.db,
      );
      if (rows[0]?.n === 0) await register(ZHANG_SAN, from());
    });

    it('answers a wrong password and an unknown login with the same problem', async () => {
      const ip = from();
      const wrong = await post(
        '/api/v1/portal/login',
        { login: ZHANG_SAN.phone, password: 'Not-The-Password-1' },
        ip,
      );
      const unknown = await post(
        '/api/v1/portal/login',
        { login: '13600000000', password: 'Not-The-Password-1' },
        ip,
      );
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(strip(wrong.json())).toEqual(strip(unknown.json()));
      expect(wrong.cookies.find((cookie) => cookie.name === PORTAL_SESSION_COOKIE)).toBeUndefined();
    });

    it('locks a login after five failures, known or not', async () => {
      const ip = from();
      for (let attempt = 0; attempt < 5; attempt++)
        await post(
          '/api/v1/portal/login',
          { login: 'nobody@example.cn', password: 'Not-The-Password-1' },
          ip,
        );
      const locked = await post(
        '/api/v1/portal/login',
        { login: 'nobody@example.cn', password: 'Not-The-Password-1' },
        ip,
      );
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ type: '/problems/too-many-attempts' });
    }, 60_000);

    it('sets a separate HttpOnly, Secure, SameSite=Strict host-only cookie and admits nothing before the code', async () => {
      const ip = from();
      const mark = sent.length;
      const login = await post('/api/v1/portal/login', { login: ZHANG_SAN.email, password: PASSWORD }, ip);
      expect(login.statusCode).toBe(200);
      expect(login.json()).toMatchObject({ next: 'verify-code', channel: 'email' });
      const setCookie = String(login.headers['set-cookie']);
      expect(setCookie).toMatch(/^__Host-claimguard-portal=/);
      for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/'])
        expect(setCookie).toContain(flag);
      expect(setCookie).not.toContain('Domain=');
      expect(setCookie).not.toContain(SESSION_COOKIE);

      const pending = cookieOf(login);
      const csrfToken = login.json().csrfToken as string;
      // Password alone opens nothing.
      const me = await server.app.inject({
        method: 'GET',
        url: '/api/v1/portal/me',
        headers: { cookie: pending },
      });
      expect(me.statusCode).toBe(401);
      expect(me.json()).toMatchObject({ type: '/problems/second-factor-required' });

      const code = (await codeSentTo(ZHANG_SAN.email, mark)) as string;
      // The code step is a write: it needs the CSRF header.
      const noCsrf = await post('/api/v1/portal/login/code', { code }, ip, { cookie: pending });
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.json()).toMatchObject({ type: '/problems/csrf-failed' });
      const verified = await post('/api/v1/portal/login/code', { code }, ip, {
        cookie: pending,
        [CSRF_HEADER]: csrfToken,
      });
      expect(verified.statusCode).toBe(200);
      const active = cookieOf(verified);
      expect(active).not.toBe(pending);
      // The token seen before the code is dead.
      const old = await server.app.inject({
        method: 'GET',
        url: '/api/v1/portal/me',
        headers: { cookie: pending },
      });
      expect(old.statusCode).toBe(401);
      const mine = await server.app.inject({
        method: 'GET',
        url: '/api/v1/portal/me',
        headers: { cookie: active },
      });
      expect(mine.statusCode).toBe(200);
      expect(mine.json()).toMatchObject({ customerId: world.zhang, language: 'zh-CN', csrfToken });
      expect(mine.json().name).not.toBe(ZHANG_SAN.name);
      expect(mine.body).not.toContain(ZHANG_SAN.phone);
    });

    it('ends a pending session after five wrong codes', async () => {
      const ip = from();
      const login = await post('/api/v1/portal/login', { login: ZHANG_SAN.phone, password: PASSWORD }, ip);
      const headers = { cookie: cookieOf(login), [CSRF_HEADER]: login.json().csrfToken as string };
      for (let attempt = 1; attempt <= 5; attempt++) {
        const response = await post('/api/v1/portal/login/code', { code: '000000' }, ip, headers);
        expect(response.statusCode).toBe(401);
      }
      const after = await post('/api/v1/portal/login/code', { code: '000000' }, ip, headers);
      expect(after.json()).toMatchObject({ type: '/problems/unauthenticated' });
    });
  });

  describe('own claims', () => {
    let zhang: Customer;
    let li: Customer;
    let intake: StaffSession;
    let liClaimId: string;

    beforeAll(async () => {
      const { rows } = await sql<{ customer_id: string }>`select customer_id from portal_accounts`.execute(
        server.store.db,
      );
      if (!rows.some((row) => row.customer_id === world.zhang)) await register(ZHANG_SAN, from());
      if (!rows.some((row) => row.customer_id === world.li)) await register(LI_SI, from());
      zhang = await signIn(ZHANG_SAN.phone, ZHANG_SAN.phone, from());
      li = await signIn(LI_SI.email, LI_SI.email, from());
      intake = await signInAs(server, 'claims_intake');
      const shanghaiIntake = await signInAs(server, 'claims_intake', { branch: 'shanghai' });
      const created = await shanghaiIntake.request('POST', '/api/v1/claims', {
        policyNumber: world.healthNumber,
        claimantId: world.li,
        incidentDate: world.yesterday,
      });
      liClaimId = created.json().id;
    }, 120_000);

    it('requires the CSRF header on every write', async () => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/v1/portal/claims',
        headers: { cookie: zhang.cookie },
        payload: { policyNumber: world.motorNumber, incidentDate: world.yesterday },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ type: '/problems/csrf-failed' });
    });

    it('reports a claim for themselves on a policy that lists them, adds a photo, sees its timeline and withdraws it', async () => {
      const foreign = await zhang.request('POST', '/api/v1/portal/claims', {
        policyNumber: world.healthNumber,
        incidentDate: world.yesterday,
      });
      expect(foreign.json()).toMatchObject({ type: '/problems/not-a-policy-party' });

      const policies = await zhang.request('GET', '/api/v1/portal/policies');
      expect(policies.json().items.map((policy: { number: string }) => policy.number)).toEqual([
        world.motorNumber,
      ]);

      const reported = await zhang.request('POST', '/api/v1/portal/claims', {
        policyNumber: world.motorNumber,
        incidentDate: world.yesterday,
        description: '停车场内被刮擦，左前门受损。',
        incidentLocation: '北京市朝阳区建国路 1 号停车场',
      });
      expect(reported.statusCode, reported.body).toBe(201);
      const { id } = reported.json() as { id: string };

      const photo = await sharp({
        create: { width: 320, height: 240, channels: 3, background: '#336699' },
      })
        .jpeg()
        .toBuffer();
      const uploaded = await server.app.inject({
        method: 'POST',
        url: `/api/v1/portal/claims/${id}/documents?category=photo`,
        headers: {
          cookie: zhang.cookie,
          [CSRF_HEADER]: zhang.csrfToken,
          'content-type': 'application/octet-stream',
          'x-document-name': 'scratch.jpg',
        },
        payload: photo,
      });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      expect(uploaded.json()).toMatchObject({ uploader: { type: 'customer', role: 'customer' } });
      const otherUpload = await server.app.inject({
        method: 'POST',
        url: `/api/v1/portal/claims/${liClaimId}/documents?category=photo`,
        headers: {
          cookie: zhang.cookie,
          [CSRF_HEADER]: zhang.csrfToken,
          'content-type': 'application/octet-stream',
        },
        payload: photo,
      });
      expect(otherUpload.statusCode).toBe(403);

      const list = await zhang.request('GET', '/api/v1/portal/claims');
      expect(list.json().items.map((claim: { id: string }) => claim.id)).toContain(id);
      expect(list.json().items.map((claim: { id: string }) => claim.id)).not.toContain(liClaimId);

      const detail = await zhang.request('GET', `/api/v1/portal/claims/${id}`);
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({
        state: 'reported',
        channel: 'portal',
        description: { masked: true },
        timeline: [{ from: null, to: 'reported', actorType: 'customer', actorRole: 'customer' }],
        allowedTransitions: [{ to: 'withdrawn', reasonRequired: true }],
        documents: [{ category: 'photo' }],
      });
      expect(detail.body).not.toContain('左前门');
      expect(detail.json()).not.toHaveProperty('notes');
      expect(detail.json()).not.toHaveProperty('claimant');

      const noReason = await zhang.request('POST', `/api/v1/portal/claims/${id}/withdraw`, {
        reason: ' ',
        version: detail.json().version,
      });
      expect(noReason.statusCode).toBe(400);
      const withdrawn = await zhang.request('POST', `/api/v1/portal/claims/${id}/withdraw`, {
        reason: '已与对方私了',
        version: detail.json().version,
      });
      expect(withdrawn.statusCode, withdrawn.body).toBe(200);
      expect(withdrawn.json()).toMatchObject({ state: 'withdrawn', allowedTransitions: [] });
      expect(withdrawn.json().timeline.at(-1)).toMatchObject({ to: 'withdrawn', actorType: 'customer' });
    });

    it("refuses another customer's claim with 403 and audits the refusal", async () => {
      const response = await zhang.request('GET', `/api/v1/portal/claims/${liClaimId}`);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ type: '/problems/forbidden' });
      const withdraw = await zhang.request('POST', `/api/v1/portal/claims/${liClaimId}/withdraw`, {
        reason: 'not mine',
        version: 1,
      });
      expect(withdraw.statusCode).toBe(403);
      const denials = await server.auditService.query({
        action: 'claim.read',
        outcome: 'denied',
        actorId: world.zhang,
      });
      expect(denials.items.at(-1)?.event).toMatchObject({
        actor: { type: 'customer', id: world.zhang, role: 'customer' },
        resource: { type: 'claim', id: liClaimId },
        dataSubjectId: world.li,
      });
      // Li sees their own claim.
      expect((await li.request('GET', `/api/v1/portal/claims/${liClaimId}`)).statusCode).toBe(200);
    });

    it('keeps customers off staff routes and staff off portal routes', async () => {
      for (const url of ['/api/v1/claims', '/api/v1/auth/me', `/api/v1/claims/${liClaimId}`]) {
        const response = await zhang.request('GET', url);
        expect(response.statusCode, url).toBe(401);
      }
      for (const url of [
        '/api/v1/portal/me',
        '/api/v1/portal/claims',
        '/api/v1/portal/access-history',
        '/api/v1/portal/access-history/summary',
      ]) {
        const response = await intake.request('GET', url);
        expect(response.statusCode, url).toBe(401);
      }
      // With both cookies, each route takes its own: the portal answers as the customer, staff as staff.
      const both = `${zhang.cookie}; ${intake.cookie}`;
      const portalMe = await server.app.inject({
        method: 'GET',
        url: '/api/v1/portal/me',
        headers: { cookie: both },
      });
      expect(portalMe.json()).toMatchObject({ customerId: world.zhang });
      const staffMe = await server.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { cookie: both },
      });
      expect(staffMe.json()).toMatchObject({ user: { id: intake.userId } });
    });

    it('shows in-app notices and marks them read', async () => {
      await deliver();
      const inbox = await li.request('GET', '/api/v1/portal/notifications');
      expect(inbox.statusCode).toBe(200);
      const items = inbox.json().items as { id: string; template: string; readAt: string | null }[];
      expect(items.map((item) => item.template)).toContain('claim.reported');
      const unread = inbox.json().unread as number;
      const first = items[0] as { id: string };
      const marked = await li.request('POST', '/api/v1/portal/notifications/read', { ids: [first.id] });
      expect(marked.json()).toEqual({ updated: 1 });
      expect((await li.request('GET', '/api/v1/portal/notifications')).json().unread).toBe(unread - 1);
      // Someone else's message id changes nothing.
      expect(
        (await zhang.request('POST', '/api/v1/portal/notifications/read', { ids: [first.id] })).json(),
      ).toEqual({
        updated: 0,
      });
    });

    it('tells the customer which staff role read their data, when and why, never who by name', async () => {
      const supervisor = await signInAs(server, 'claims_supervisor', { branch: 'shanghai' });
      const read = await supervisor.request('GET', `/api/v1/claims/${liClaimId}`);
      expect(read.statusCode).toBe(200);
      const history = await li.request('GET', '/api/v1/portal/access-history?limit=200');
      expect(history.statusCode).toBe(200);
      const items = history.json().items as {
        actor: { type: string; id: string | null; role: string | null };
        purpose: string | null;
        action: string;
        self: boolean;
      }[];
      expect(items).toContainEqual(
        expect.objectContaining({
          actor: { type: 'staff', id: supervisor.userId, role: 'claims_supervisor' },
          purpose: 'claim-handling',
          self: false,
        }),
      );
      expect(items.some((item) => item.self && item.purpose === 'data-subject-request')).toBe(true);
      expect(history.body).not.toContain(supervisor.username);
      expect(history.body).not.toContain('Test claims_supervisor');
      expect(history.body).not.toMatch(/"ip"|"userAgent"|"sessionId"/);
      // Zhang's refused attempt on Li's claim is in Li's history, without Zhang's id: another customer is
      // named by nothing at all.
      expect(items).toContainEqual(
        expect.objectContaining({
          actor: { type: 'customer', id: null, role: 'customer' },
          action: 'claim.read',
          outcome: 'denied',
        }),
      );
      expect(history.body).not.toContain(world.zhang);
    });

    it('gives the history newest first, paged backwards, and sums it up by who (S4.1)', async () => {
      const supervisor = await signInAs(server, 'claims_supervisor', { branch: 'shanghai' });
      expect((await supervisor.request('GET', `/api/v1/claims/${liClaimId}`)).statusCode).toBe(200);
      type Entry = { seq: number; actor: { type: string; id: string | null; role: string | null } };
      const first = await li.request('GET', '/api/v1/portal/access-history?limit=3');
      const page = first.json() as { items: Entry[]; nextCursor: number | null };
      const seqs = page.items.map((item) => item.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      expect(page.nextCursor).toBe(seqs.at(-1));
      // The supervisor's read is among the newest.
      const newest = (await li.request('GET', '/api/v1/portal/access-history?limit=20')).json() as {
        items: Entry[];
      };
      expect(newest.items.some((item) => item.actor.id === supervisor.userId)).toBe(true);
      const older = (
        await li.request('GET', `/api/v1/portal/access-history?limit=3&before=${page.nextCursor}`)
      ).json() as { items: Entry[] };
      expect(older.items.length).toBeGreaterThan(0);
      expect(Math.max(...older.items.map((item) => item.seq))).toBeLessThan(page.nextCursor as number);

      const summary = await li.request('GET', '/api/v1/portal/access-history/summary');
      expect(summary.statusCode).toBe(200);
      const body = summary.json() as {
        complete: boolean;
        counted: number;
        parties: {
          actor: { type: string; id: string | null; role: string | null };
          self: boolean;
          count: number;
          denied: number;
          lastAt: string;
          purposes: string[];
          fields: string[];
        }[];
      };
      expect(body.complete).toBe(true);
      const all = (await li.request('GET', '/api/v1/portal/access-history?limit=200')).json() as {
        items: Entry[];
        nextCursor: number | null;
      };
      expect(all.nextCursor).toBeNull();
      expect(body.counted).toBe(all.items.length);
      expect(body.parties.reduce((sum, party) => sum + party.count, 0)).toBe(body.counted);
      const staffRow = body.parties.find((party) => party.actor.id === supervisor.userId);
      expect(staffRow).toMatchObject({
        actor: { type: 'staff', role: 'claims_supervisor' },
        self: false,
        purposes: expect.arrayContaining(['claim-handling']),
        fields: expect.arrayContaining(['customer.name']),
      });
      // Staff come first, the customer's own reads last; another customer by kind only, with the refusal.
      expect(body.parties[0]?.actor.type).toBe('staff');
      expect(body.parties.at(-1)?.self).toBe(true);
      const other = body.parties.find((party) => party.actor.type === 'customer' && !party.self);
      expect(other?.actor).toEqual({ type: 'customer', id: null, role: 'customer' });
      expect(other?.denied).toBeGreaterThan(0);
      expect(summary.body).not.toContain(world.zhang);
      expect(summary.body).not.toContain(supervisor.username);

      // Zhang's history and summary are Zhang's own: nothing of the Shanghai supervisor's reads of Li.
      for (const url of [
        '/api/v1/portal/access-history?limit=200',
        '/api/v1/portal/access-history/summary',
      ]) {
        const own = await zhang.request('GET', url);
        expect(own.statusCode, url).toBe(200);
        expect(own.body, url).not.toContain(supervisor.userId);
        expect(own.body, url).not.toContain(world.li);
      }
    });

    it('signs out', async () => {
      const session = await signIn(ZHANG_SAN.phone, ZHANG_SAN.phone, from());
      expect((await session.request('POST', '/api/v1/portal/logout')).statusCode).toBe(200);
      expect((await session.request('GET', '/api/v1/portal/me')).statusCode).toBe(401);
    });
  });
});
