import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { CSRF_HEADER, PORTAL_SESSION_COOKIE } from '../access/route-access.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { LI_SI, seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import type { OutgoingMessage } from '../notifications/channels.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';
import {
  addAffected,
  createAffectedTable,
  SAMPLE_TEXTS,
  TableIncidentSources,
} from './breach-notices-test-kit.js';

/**
 * The breach-notices API over HTTP (S4.2): a campaign from draft to done by two security officers, delivery
 * and retry, letters, the public notice, the public status page's data without sign-in, and the banner a
 * signed-in affected customer sees in the portal.
 */
const WANG = { name: '王小五', address: '北京市东城区东四十条 21 号', passport: 'E98765432' };
const PASSWORD = 'Lotus-Harbour-Quietly-2026';

describe('breach notices over HTTP', () => {
  let server: TestServer;
  const source = new TableIncidentSources();
  let maker: StaffSession;
  let checker: StaffSession;
  let adjuster: StaffSession;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let wang: string;
  const incidentId = `inc-${randomUUID()}`;
  const sent: (OutgoingMessage & { channel: 'sms' | 'email' })[] = [];

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000, breachNoticeSources: source.sources });
    await createAffectedTable(server.store.db);
    world = await seedClaimsWorld(server);
    const customers = server.app.claims?.customers;
    if (!customers) throw new Error('no claims services');
    wang = await customers.createCustomer(
      server.store.db,
      {
        name: WANG.name,
        idType: 'passport',
        idNumber: WANG.passport,
        address: WANG.address,
        language: 'en-US',
      },
      { actor: SYSTEM_ACTOR, requestId: null },
    );
    source.incidents.set(incidentId, {
      reference: 'INC-2026-0042',
      title: 'Bulk reads',
      isDrill: false,
      status: 'contained',
    });
    await addAffected(server.store.db, incidentId, [
      { id: world.zhang, categories: ['identity', 'contact'] },
      { id: world.li, categories: ['health'] },
      { id: wang, categories: ['identity'] },
    ]);
    maker = await signInAs(server, 'security_officer');
    checker = await signInAs(server, 'security_officer');
    adjuster = await signInAs(server, 'adjuster');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

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
      batchSize: 100,
    }).dispatchDue(server.store.db);
  }

  let campaignId = '';

  it('takes a campaign from draft to done: texts checked, a second officer approves, the job sends', async () => {
    const withPhone = {
      incidentId,
      channels: ['sms', 'in-app'],
      texts: { ...SAMPLE_TEXTS, 'zh-CN': { ...SAMPLE_TEXTS['zh-CN'], contact: `请联系 ${ZHANG_SAN.phone}` } },
    };
    const refused = await maker.request('POST', '/api/v1/breach-notices/campaigns', withPhone);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      type: '/problems/personal-data-in-text',
      findings: [{ field: 'zh-CN.contact', kinds: ['phone'] }],
    });
    expect(refused.body).not.toContain(ZHANG_SAN.phone);

    const created = await maker.request('POST', '/api/v1/breach-notices/campaigns', {
      incidentId,
      channels: ['sms', 'in-app'],
      texts: SAMPLE_TEXTS,
    });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as { id: string; version: number; state: string };
    campaignId = draft.id;
    expect(draft.state).toBe('draft');
    const byIncident = await checker.request(
      'GET',
      `/api/v1/breach-notices/incidents/${incidentId}/campaign`,
    );
    expect(byIncident.json()).toMatchObject({
      campaign: { id: campaignId, incidentReference: 'INC-2026-0042' },
    });
    expect((await adjuster.request('GET', `/api/v1/breach-notices/campaigns/${campaignId}`)).statusCode).toBe(
      403,
    );

    const own = await maker.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/approval`, {
      version: 1,
    });
    expect(own.json()).toMatchObject({ status: 403, type: '/problems/four-eyes-required' });
    const approved = await checker.request(
      'POST',
      `/api/v1/breach-notices/campaigns/${campaignId}/approval`,
      {
        version: 1,
      },
    );
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', approvedBy: checker.userId });

    const started = await maker.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/start`);
    expect(started.json()).toMatchObject({ state: 'sending' });
    const job = server.app.breachNotices?.sender;
    if (!job) throw new Error('no breach-notice sender');
    expect(await job.runCampaign(server.store.db, campaignId)).toBe('done');
    const progress = await maker.request('GET', `/api/v1/breach-notices/campaigns/${campaignId}/progress`);
    expect(progress.json()).toEqual({ state: 'done', progress: { done: 3, total: 3, queued: 6 } });
  });

  it('tracks delivery, lists failures, retries them on another channel and prints letters for the unreached', async () => {
    await deliver();
    // Zhang (zh-CN) and Li (en-US) have phones on file; Wang has none.
    const texts = sent.filter((message) => message.channel === 'sms');
    expect(texts.map((message) => [message.to, message.language]).sort()).toEqual(
      [
        [LI_SI.phone, 'en-US'],
        [ZHANG_SAN.phone, 'zh-CN'],
      ].sort(),
    );
    expect(texts.find((message) => message.to === ZHANG_SAN.phone)?.body).toContain(
      '涉及您的个人信息种类：身份信息、联系信息',
    );

    const delivery = await maker.request('GET', `/api/v1/breach-notices/campaigns/${campaignId}/delivery`);
    expect(delivery.json()).toEqual({
      channels: [
        { channel: 'in-app', pending: 0, sent: 3, failed: 0, skipped: 0 },
        { channel: 'sms', pending: 0, sent: 2, failed: 0, skipped: 1 },
      ],
    });
    const failures = await maker.request(
      'GET',
      `/api/v1/breach-notices/campaigns/${campaignId}/failures?channel=sms`,
    );
    expect(failures.json()).toMatchObject({
      items: [{ subjectId: wang, channel: 'sms', status: 'skipped', reason: 'no-address' }],
      nextAfter: null,
    });
    const retried = await maker.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/retry`, {
      from: 'sms',
      to: 'email',
    });
    expect(retried.json()).toEqual({ considered: 1, queued: 1 });
    await deliver(); // no email provider: skipped

    const letters = await checker.request(
      'POST',
      `/api/v1/breach-notices/campaigns/${campaignId}/letters`,
      {},
    );
    expect(letters.statusCode, letters.body).toBe(200);
    expect(letters.headers['content-type']).toBe('application/pdf');
    expect(letters.headers['x-letter-count']).toBe('1');
    expect(letters.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const exported = await server.auditService.query({ action: 'breach-notice.letters-exported' });
    expect(exported.items.at(-1)?.event).toMatchObject({
      actor: { id: checker.userId },
      resource: { type: 'breach-notice-campaign', id: campaignId },
      details: { letters: 1 },
    });
    const reads = await server.auditService.query({ action: 'personal-data.unmask', dataSubjectId: wang });
    expect(reads.items.at(-1)?.event).toMatchObject({
      purpose: 'incident-response',
      actor: { id: checker.userId },
    });

    // SECURITY: what was printed never reaches the logs.
    const logs = server.logs.lines.join('\n');
    for (const value of [WANG.name, WANG.address, ZHANG_SAN.phone, LI_SI.phone])
      expect(logs).not.toContain(value);
  });

  it('produces the public notice and serves the public status without sign-in', async () => {
    const notice = await maker.request('GET', `/api/v1/breach-notices/campaigns/${campaignId}/public-notice`);
    expect(notice.json()['zh-CN'].title).toContain('INC-2026-0042');
    const status = await server.app.inject({ method: 'GET', url: '/api/v1/public/breach-status' });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      items: [{ reference: 'INC-2026-0042', status: 'contained', noticesStarted: true, texts: SAMPLE_TEXTS }],
    });
  });

  it('tells a signed-in affected customer in the portal, with the notice and the compensation link', async () => {
    const ip = '10.77.0.1';
    const post = (url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      server.app.inject({ method: 'POST', url, payload, remoteAddress: ip, headers });
    const lastCode = async (mark: number) => {
      await deliver();
      const message = sent
        .slice(mark)
        .filter((candidate) => candidate.to === ZHANG_SAN.phone)
        .at(-1);
      return message ? /(\d{6})/.exec(message.body)?.[1] : undefined;
    };
    let mark = sent.length;
    const started = await post('/api/v1/portal/register', {
      idNumber: ZHANG_SAN.idNumber,
      phone: ZHANG_SAN.phone,
    });
    const registered = await post('/api/v1/portal/register/complete', {
      ticket: started.json().ticket,
      code: await lastCode(mark),
      password: PASSWORD,
    });
    expect(registered.statusCode, registered.body).toBe(200);
    mark = sent.length;
    const login = await post('/api/v1/portal/login', { login: ZHANG_SAN.phone, password: PASSWORD });
    const pending = login.cookies.find((cookie) => cookie.name === PORTAL_SESSION_COOKIE);
    const csrfToken = login.json().csrfToken as string;
    const verified = await post(
      '/api/v1/portal/login/code',
      { code: await lastCode(mark) },
      { cookie: `${PORTAL_SESSION_COOKIE}=${pending?.value}`, [CSRF_HEADER]: csrfToken },
    );
    const session = verified.cookies.find((cookie) => cookie.name === PORTAL_SESSION_COOKIE);
    const banner = await server.app.inject({
      method: 'GET',
      url: '/api/v1/portal/breach-notices',
      remoteAddress: ip,
      headers: { cookie: `${PORTAL_SESSION_COOKIE}=${session?.value}` },
    });
    expect(banner.statusCode, banner.body).toBe(200);
    expect(banner.json()).toEqual({
      affected: true,
      items: [
        {
          incidentReference: 'INC-2026-0042',
          isDrill: false,
          headline: { 'zh-CN': SAMPLE_TEXTS['zh-CN'].headline, 'en-US': SAMPLE_TEXTS['en-US'].headline },
          noticePath: '/portal/notifications',
          compensationPath: '/portal/compensation/INC-2026-0042',
        },
      ],
    });
    // Staff credentials do not open it.
    expect((await maker.request('GET', '/api/v1/portal/breach-notices')).statusCode).toBe(401);
  });
});
