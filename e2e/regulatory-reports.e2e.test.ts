import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import {
  FakeIncidentFacts,
  insiderLeakFacts,
} from '../src/modules/regulatory-reports/regulatory-reports-test-kit.js';
import { pdfText } from '../src/test-support/pdf-text.js';
import { type StaffSession, signInAs, TEST_PASSWORD } from '../src/test-support/staff-session.js';
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
 * Reports to regulators (S4.4) in a real browser: the security officer opens an incident's reports, sees
 * the CAC countdown red with under a quarter of its 4 hours left and PIPL's "immediately" missed, completes
 * the CAC report, marks it ready, records its submission, and downloads it as a PDF whose text carries the
 * incident's counts. The incident's facts come from a fake source, as the incidents module is built apart.
 */
const haveChromium = chromiumAvailable('regulatory reports browser test');
const HOUR = 3_600_000;
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

describe.skipIf(!haveChromium)('regulatory reports in Chromium', () => {
  let server: TestServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let officer: StaffSession;
  const started = Date.now();
  const facts = insiderLeakFacts({
    incidentId: 'inc-e2e-1',
    detectedAt: new Date(started - 3.5 * HOUR),
    declaredAt: new Date(started - 3.4 * HOUR),
  });
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await createTestServer({ rateLimit: 100_000, incidentFacts: new FakeIncidentFacts(facts) });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    officer = await signInAs(server, 'security_officer');
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 1000 },
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    errors = collectPageErrors(page);
    await page.goto(`${url}/login`);
    await page.getByLabel('登录名').fill(officer.username);
    await page.getByLabel('密码').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('second-factor-form').waitFor();
    // The next time step: the enrolment used this one.
    await page.getByLabel('动态码').fill(totpCodeAt(officer.totpSecret, Date.now() + 30_000));
    await page
      .getByTestId('second-factor-form')
      .getByRole('button', { name: /验\s*证/ })
      .click();
    await page.waitForURL(/\/status$/);
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page)
      await shot(`failed-regulatory-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const row = (regime: string) => page.locator('tr.ant-table-row', { hasText: regime });

  it('assesses the incident and counts down to each deadline, red when close or missed', async () => {
    await page.getByRole('link', { name: '监管报告' }).click();
    await page.getByLabel('事件 ID').fill(facts.incidentId);
    await page.getByRole('button', { name: /打\s*开/ }).click();
    await page.getByRole('button', { name: '评估适用规则' }).click();
    await eventually(() => page.locator('tr.ant-table-row').count()).toBe(3);

    const cac = row('网信办事件报告').locator('[data-urgency]');
    await eventually(() => cac.getAttribute('data-urgency')).toBe('close');
    // Under half an hour left of 4 hours, ticking.
    expect(await cac.textContent()).toMatch(/^00小时(2\d|[01]\d)分\d\d秒$/);
    const before = await cac.textContent();
    await eventually(() => cac.textContent()).not.toBe(before);
    const pipl = row('个保法第57条').locator('[data-urgency]');
    expect(await pipl.getAttribute('data-urgency')).toBe('missed');
    expect(await pipl.textContent()).toMatch(/^已逾期 /);
    // Both in the red tag colour (the e2e project has no DOM types, hence the cast).
    type Styles = { getComputedStyle(element: unknown): { color: string } };
    const colour = (locator: typeof cac) =>
      locator.evaluate((element) => (globalThis as unknown as Styles).getComputedStyle(element).color);
    expect(await colour(cac)).toMatch(/^rgb/);
    expect(await colour(cac)).toBe(await colour(pipl));
    await shot('regulatory-reports-countdowns-zh-CN');
  });

  it('completes, marks ready and records the submission of the CAC report', async () => {
    await row('网信办事件报告')
      .getByRole('button', { name: /填\s*写/ })
      .click();
    const drawer = page.locator('.ant-drawer-section');
    await drawer.getByText('受影响个人数量：1,234,567 人').first().waitFor();
    await drawer.locator('textarea#organisation-and-system').fill('ClaimGuard 理赔系统（北京分公司）');
    await drawer.locator('textarea#trend').fill('已控制，预计不再扩大。');
    await drawer.locator('textarea#cause').fill('理赔专员账号被滥用，超出职责批量查询。');
    await drawer.getByRole('button', { name: '标记为待报送' }).click();
    await eventually(() => row('网信办事件报告').getByText('待报送').count()).toBe(1);
    await page.locator('.ant-drawer-close').click();

    await row('网信办事件报告').getByRole('button', { name: '记录报送' }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '报送渠道' });
    await dialog.getByLabel('报送渠道').fill('12387 网络安全事件报告平台');
    await dialog.getByLabel('监管受理编号（如有）').fill('BJ-2026-0042');
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
    await eventually(() => row('网信办事件报告').getByText('已报送').count()).toBe(1);
    await eventually(() => row('网信办事件报告').getByText('按时报送').count()).toBe(1);
  });

  it('downloads the CAC report as a PDF carrying the counts', async () => {
    await row('网信办事件报告').getByRole('button', { name: '下载' }).hover();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('INC-2026-0007-cac-incident-2025-initial.pdf');
    const text = pdfText(readFileSync(await download.path()));
    expect(text).toContain('受影响个人数量：1,234,567 人');
    expect(text).toContain('- 金融账户信息 (敏感): 87,654 人');
    expect(text).toContain('BJ-2026-0042');
  });

  it('lists the reporting rules with their deadlines, and loads without script errors', async () => {
    await page.getByRole('tab', { name: '报告规则' }).click();
    await eventually(() => page.locator('tr.ant-table-row').count()).toBe(6);
    await page.getByText('4 小时 (1 小时) 自发现起').waitFor();
    await shot('regulatory-reports-regimes-zh-CN');
    expect(errors.filter((text) => !EXPECTED_REFUSAL.test(text))).toEqual([]);
  });
});
