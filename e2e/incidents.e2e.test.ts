import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/http/start-server.js';
import type { DemoResult } from '../src/modules/demo/demo-loader.js';
import {
  answerStepUp,
  chromiumAvailable,
  confirmPopover,
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
 * Incident response in a real browser on a fresh demo store (S2.5, S4.1, S4.3): a Beijing claims supervisor
 * lists the branch's claims and unmasks a claimant's ID number; the security officer declares an incident
 * in the register, computes the blast radius for that supervisor (exactly the customers read, counted by
 * category in the bar chart, names masked), and suspends the account, confirming with the step-up modal.
 * Screenshots (zh-CN and en-US) go to test-results/.
 */
const haveChromium = chromiumAvailable('incidents browser test');
const NEW_PASSWORD = 'Copper-Meadow-Steadily-83';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

type Person = EnrolledStaff;

describe.skipIf(!haveChromium)('incident response in Chromium', () => {
  let server: DemoServer;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let demo: DemoResult;
  let page: Page;
  let officer: Person;
  let insider: Person;
  let auditor: Person;
  let readCustomers: Set<string>;
  const pageErrors: string[][] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  async function prepare(username: string): Promise<Person> {
    return enrolDemoStaff(running, demo, username, NEW_PASSWORD);
  }

  async function signIn(person: Person, locale: 'zh-CN' | 'en-US'): Promise<Page> {
    page = await signInToConsole(browser, url, person, NEW_PASSWORD, { locale, pageErrors });
    return page;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startDemoServer('incidents', { customers: 12, seed: 5 });
    ({ running, url, demo } = server);
    insider = await prepare('demo-supervisor');
    officer = await prepare('demo-security');
    auditor = await prepare('demo-auditor');
    // The insider's reads: the branch's claims list (names, masked), then one claimant's ID number unmasked.
    const list = await insider.request('GET', '/claims?limit=50');
    expect(list.statusCode).toBe(200);
    const claims = (list.json() as { items: { id: string }[] }).items;
    expect(claims.length).toBeGreaterThan(0);
    const revealed = await insider.request('POST', `/claims/${claims[0]?.id}/reveal`, {
      fields: ['claimant.idNumber'],
      purpose: 'claim-handling',
    });
    expect(revealed.statusCode, revealed.body).toBe(200);
    const claimants = await running.store.db
      .selectFrom('claims')
      .select('claimant_id')
      .where(
        'id',
        'in',
        claims.map((claim) => claim.id),
      )
      .execute();
    readCustomers = new Set(claimants.map((row) => row.claimant_id));
    browser = await launchChromium();
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page)
      await shot(`failed-incidents-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('declares an incident, computes the blast radius of the insider and suspends the account', async () => {
    await signIn(officer, 'zh-CN');
    await page.goto(`${url}/incidents`);
    await page.getByTestId('declare-incident').click();
    await page.getByTestId('declare-title').fill('主管夜间批量查看客户并查看身份证号');
    await page.locator('.ant-modal .ant-btn-primary').click();
    await page.getByTestId('incident-page').waitFor();
    await eventually(() => page.url()).toMatch(/\/incidents\/[0-9a-f-]{36}$/);

    await page.getByTestId('scope-users').fill(insider.userId);
    await page.getByTestId('scope-compute').click();
    await eventually(async () =>
      Number(
        (
          await page.getByTestId('scope-subjects').locator('.ant-statistic-content-value').textContent()
        )?.replace(/\D/g, ''),
      ),
    ).toBe(readCustomers.size);
    await page.getByTestId('scope-chart').locator('svg').waitFor();
    const rows = page.getByTestId('affected-table').locator('tbody tr.ant-table-row');
    await eventually(() => rows.count()).toBe(readCustomers.size);
    // Masked names only: every name cell carries the mask.
    for (const cell of await rows.locator('td:first-child').allTextContents()) expect(cell).toMatch(/\*/);

    await page.getByTestId('containment-user').fill(insider.userId);
    await page.getByTestId('contain-suspend-user').click();
    await confirmPopover(page);
    await answerStepUp(page, officer, () =>
      eventually(() => page.getByTestId('containment-table').locator('tbody tr.ant-table-row').count()).toBe(
        1,
      ),
    );
    await eventually(() => page.getByTestId('incident-timeline').textContent()).toContain('执行控制措施');
    expect((await insider.request('GET', '/auth/me')).statusCode).toBe(401);
    await page.waitForTimeout(500);
    await shot('incident-page-zh-CN');
    await page.goto(`${url}/incidents`);
    await page.getByTestId('incidents-table').locator('tbody tr.ant-table-row').first().waitFor();
    await shot('incidents-register-zh-CN');
  }, 120_000);

  it('shows the incident page in English, read-only to the internal auditor', async () => {
    const incident = await running.store.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow();
    await signIn(auditor, 'en-US');
    await page.goto(`${url}/incidents/${incident.id}`);
    await page.getByTestId('incident-page').waitFor();
    await page.getByTestId('scope-chart').locator('svg').waitFor();
    await eventually(() => page.getByTestId('severity-card').textContent()).toContain('Severity');
    expect(await page.getByTestId('scope-compute').count()).toBe(0);
    expect(await page.getByTestId('contain-suspend-user').count()).toBe(0);
    await page.waitForTimeout(500);
    await shot('incident-page-en-US');
  }, 120_000);

  it('left no script errors in the pages', () => {
    const unexpected = pageErrors.flat().filter((error) => !EXPECTED_REFUSAL.test(error));
    expect(unexpected).toEqual([]);
  });
});
