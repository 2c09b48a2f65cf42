import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/http/start-server.js';
import type { DemoResult } from '../src/modules/demo/demo-loader.js';
import type { PlantedHoneytoken } from '../src/modules/detection/honeytokens.service.js';
import {
  chromiumAvailable,
  type DemoServer,
  type EnrolledStaff,
  EXPECTED_REFUSAL,
  enrolDemoStaff,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
  signInToConsole,
  startDemoServer,
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

type Person = EnrolledStaff;

describe.skipIf(!haveChromium)('leak detection in Chromium', () => {
  let server: DemoServer;
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
    page = await signInToConsole(browser, url, person, NEW_PASSWORD, { pageErrors });
    return page;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startDemoServer('detection', { customers: 20, seed: 11 });
    ({ running, url, demo } = server);
    browser = await launchChromium();
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) {
      await shot(`failed-detection-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
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
