import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import { type DemoResult, loadDemoData } from '../src/modules/demo/demo-loader.js';
import type { PlantedHoneytoken } from '../src/modules/detection/honeytokens.service.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { loadIdentityKey } from '../src/modules/identity/identity-keys.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import { LogCapture } from '../src/test-support/test-server.js';
import {
  chromiumAvailable,
  collectPageErrors,
  EXPECTED_REFUSAL,
  enrolDemoStaff,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
} from './browser-kit.js';

/**
 * Leak detection in the console (S2.3, S13.4, S13.5), on a fresh demo store: the security officer plants a
 * decoy claim for one adjuster; another adjuster tries it and a run of claims that are not theirs; the
 * officer sees the critical alert on the risk view and the alerts page, opens its evidence and
 * acknowledges it, and traces the decoy's claim number back to its recipient. The risk view goes to
 * test-results/detection-risk-zh-CN.png.
 */
const haveChromium = chromiumAvailable('detection browser test');
const NEW_PASSWORD = 'Copper-Meadow-Steadily-83';
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

type Person = {
  username: string;
  userId: string;
  totpSecret: string;
  request: (method: 'GET' | 'POST', path: string, body?: object) => Promise<LightMyRequestResponse>;
};

describe.skipIf(!haveChromium)('leak detection in Chromium', () => {
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let demo: DemoResult;
  let page: Page;
  let decoy: PlantedHoneytoken;
  const pageErrors: string[][] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  async function prepare(username: string): Promise<Person> {
    return enrolDemoStaff(running, demo, username, NEW_PASSWORD);
  }

  async function signIn(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    const next = await context.newPage();
    pageErrors.push(collectPageErrors(next));
    await next.goto(`${url}/login`);
    await next.getByLabel('登录名').fill(person.username);
    await next.getByLabel('密码').fill(NEW_PASSWORD);
    await next.getByRole('button', { name: /登\s*录/ }).click();
    await next.getByTestId('second-factor-form').waitFor();
    await next.getByLabel('动态码').fill(totpCodeAt(person.totpSecret, Date.now()));
    await next
      .getByTestId('second-factor-form')
      .getByRole('button', { name: /验\s*证/ })
      .click();
    await next.waitForURL(/\/status$/);
    page = next;
    return next;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-detection-'));
    const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, port: 0, host: '127.0.0.1' };
    running = await startServer(config, createLogger('warn', new LogCapture()));
    url = running.url;
    const services = running.app.claims;
    if (!services) throw new Error('the server has no claims services');
    const identity = new IdentityService(running.store.db, {
      audit: running.audit,
      secretBox: new SecretBox(loadIdentityKey({ dataDir, fromEnv: undefined })),
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 8 * 3_600_000,
    });
    demo = await loadDemoData(
      {
        db: running.store.db,
        identity,
        customers: services.customers,
        claims: services.claims,
        payouts: services.payouts,
      },
      { customers: 20, seed: 11 },
    );
    browser = await launchChromium();
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) {
      await shot(`failed-detection-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a touched decoy raises a critical alert that the officer sees, examines and acknowledges', async () => {
    const officer = await prepare('demo-security');
    const recipient = await prepare('demo-adjuster');
    const snoop = await prepare('demo-adjuster-2');
    const planted = await officer.request('POST', '/detection/honeytokens', {
      kind: 'claim',
      recipient: { kind: 'staff', userId: recipient.userId },
      note: 'e2e canary',
    });
    expect(planted.statusCode, planted.body).toBe(201);
    decoy = planted.json() as PlantedHoneytoken;

    // The snoop tries the decoy and a run of Beijing claims that are not theirs.
    expect((await snoop.request('GET', `/claims/${decoy.claimId}`)).statusCode).toBe(403);
    const others = await running.store.db
      .selectFrom('claims')
      .select('id')
      .where('branch', '=', 'beijing')
      .where((eb) => eb.or([eb('assignee_id', 'is', null), eb('assignee_id', '<>', snoop.userId)]))
      .where('decoy', '=', false)
      .limit(6)
      .execute();
    for (const claim of others) await snoop.request('GET', `/claims/${claim.id}`);
    await eventually(async () => {
      const { items } = await running.app.detection.service.listAlerts(
        { ruleId: 'honeytoken' },
        { limit: 5, offset: 0 },
      );
      return items.length;
    }).toBe(1);

    await signIn(officer);
    await page.getByRole('menuitem', { name: /泄露检测/ }).click();
    await page.getByRole('link', { name: '风险态势' }).click();
    await page.waitForURL(/\/detection\/risk$/);
    await page.getByTestId('risk-volume-chart').locator('svg').first().waitFor();
    await page.getByTestId('risk-rule-chart').locator('svg').first().waitFor();
    await eventually(() => page.getByTestId('risk-riskiest').getByText('陈理算').count()).toBeGreaterThan(0);
    await page.waitForTimeout(800); // the charts' entry animation
    await shot('detection-risk-zh-CN');

    await page.getByRole('link', { name: '检测告警' }).click();
    const table = page.getByTestId('detection-alerts-table');
    const row = table.locator('tr', { hasText: '触碰蜜罐数据' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('严重');
    await row.click();
    const drawer = page.getByTestId('detection-alert-drawer');
    await drawer.waitFor();
    await eventually(() =>
      drawer.getByTestId('detection-evidence').locator('tbody tr').count(),
    ).toBeGreaterThan(0);
    await drawer.getByRole('button', { name: /确\s*认/ }).click();
    await eventually(() => drawer.textContent()).toContain('已确认');
    await shot('detection-alert-drawer-zh-CN');

    await page.goto(`${url}/detection/honeytokens`);
    await page
      .getByTestId('honeytoken-lookup')
      .locator('input')
      .fill(decoy.claimNumber as string);
    await page.getByTestId('honeytoken-lookup').getByRole('button').click();
    await eventually(() => page.getByTestId('honeytoken-match').textContent()).toContain('刘理算');

    const unexpected = pageErrors.flat().filter((error) => !EXPECTED_REFUSAL.test(error));
    expect(unexpected).toEqual([]);
  }, 180_000);
});
