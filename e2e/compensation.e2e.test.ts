import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CONSOLE_DIR } from '../src/config/package-info.js';
import {
  addAffected,
  createAffectedTable,
  SAMPLE_TEXTS,
  TableIncidentSources,
} from '../src/modules/breach-notices/breach-notices-test-kit.js';
import { seedClaimsWorld, ZHANG_SAN } from '../src/modules/claims/claims-test-kit.js';
import type { OutgoingMessage } from '../src/modules/notifications/channels.js';
import { NotificationDispatcher } from '../src/modules/notifications/notification-dispatcher.js';
import { type StaffSession, signInAs } from '../src/test-support/staff-session.js';
import { createTestServer, type TestServer } from '../src/test-support/test-server.js';
import {
  chromiumAvailable,
  collectPageErrors,
  EXPECTED_REFUSAL,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
} from './browser-kit.js';

/**
 * A compensation claim from a breach notice in a real browser (issue 5 section 8, S4.2): an affected customer,
 * signed in to the portal, follows the banner's link, finds the form pre-filled with the incident reference and
 * the categories of their data, describes the loss and lands on the new claim's page; the incident's counts
 * then show it. Pages go to test-results/compensation-*.png.
 */
const haveChromium = chromiumAvailable('compensation browser test');
const PASSWORD = 'Lotus-Harbour-Quietly-2026';

describe.skipIf(!haveChromium)('a compensation claim from the notice in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let url = '';
  let officer: StaffSession;
  let incidentId = '';
  let reference = '';
  const sent: OutgoingMessage[] = [];

  async function lastCode(mark: number): Promise<string | undefined> {
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
    const message = sent
      .slice(mark)
      .filter((candidate) => candidate.to === ZHANG_SAN.phone)
      .at(-1);
    return message ? /(\d{6})/.exec(message.body)?.[1] : undefined;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    const source = new TableIncidentSources();
    server = await createTestServer({
      rateLimit: 100_000,
      breachNoticeSources: source.sources,
      webConsoleDir: WEB_CONSOLE_DIR,
    });
    await createAffectedTable(server.store.db);
    const world = await seedClaimsWorld(server);
    officer = await signInAs(server, 'security_officer');
    const checker = await signInAs(server, 'security_officer');
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Bulk reads at night',
      kind: 'insider-misuse',
    });
    incidentId = declared.json().id;
    reference = declared.json().reference;
    source.incidents.set(incidentId, { reference, title: 't', isDrill: false, status: 'open' });
    await addAffected(server.store.db, incidentId, [
      { id: world.zhang, categories: ['identity', 'financial'] },
    ]);
    const created = await officer.request('POST', '/api/v1/breach-notices/campaigns', {
      incidentId,
      channels: ['in-app'],
      texts: SAMPLE_TEXTS,
    });
    const campaignId = created.json().id as string;
    await checker.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/approval`, { version: 1 });
    await officer.request('POST', `/api/v1/breach-notices/campaigns/${campaignId}/start`);
    await server.app.breachNotices?.sender.runCampaign(server.store.db, campaignId);

    // The customer's portal account (the registration pages have a browser test of their own).
    const post = (path: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      server.app.inject({ method: 'POST', url: path, payload, headers });
    const mark = sent.length;
    const started = await post('/api/v1/portal/register', {
      idNumber: ZHANG_SAN.idNumber,
      phone: ZHANG_SAN.phone,
    });
    await post('/api/v1/portal/register/complete', {
      ticket: started.json().ticket,
      code: await lastCode(mark),
      password: PASSWORD,
    });
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('follows the banner to the pre-filled form, files the claim and opens it', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${url}/portal/login`);
    await page.getByLabel('手机号或电子邮箱').fill(ZHANG_SAN.phone);
    await page.getByLabel('密码').fill(PASSWORD);
    const mark = sent.length;
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('heading', { name: '输入验证码' }).waitFor();
    await expect.poll(() => lastCode(mark), { timeout: 10_000 }).toMatch(/^\d{6}$/);
    await page.getByLabel('验证码').fill((await lastCode(mark)) ?? '');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(/\/portal\/claims$/);
    await page.getByRole('link', { name: '申请赔偿' }).click();
    await page.waitForURL(new RegExp(`/portal/compensation/${reference}$`));
    await page.getByRole('heading', { name: '申请数据泄露赔偿' }).waitFor();
    expect(await page.getByTestId('compensation-reference').textContent()).toBe(reference);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain('身份信息');
    expect(body).toContain('金融账户信息');
    await page.getByLabel('损失说明').fill('接到冒充客服的诈骗电话，对方说出了我的保单号。');
    await page.screenshot({ path: join(SCREENSHOTS, 'compensation-form.png'), fullPage: true });
    await page.getByRole('button', { name: '提交申请' }).click();
    await page.waitForURL(/\/portal\/claims\/[0-9a-f-]{36}$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'compensation-claim.png'), fullPage: true });

    const counts = await officer.request('GET', `/api/v1/incidents/${incidentId}/compensation-claims`);
    expect(counts.json()).toEqual({
      incidentReference: reference,
      total: 1,
      byState: [{ state: 'reported', count: 1 }],
    });
    expect(errors.filter((error) => !EXPECTED_REFUSAL.test(error))).toEqual([]);
    await context.close();
  }, 90_000);
});
