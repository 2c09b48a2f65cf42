import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import { SYSTEM_ACTOR } from '../src/modules/audit/audit-event.js';
import { type DemoResult, loadDemoData } from '../src/modules/demo/demo-loader.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { loadIdentityKey } from '../src/modules/identity/identity-keys.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import { LogCapture } from '../src/test-support/test-server.js';
import {
  answerStepUp,
  chromiumAvailable,
  collectPageErrors,
  EXPECTED_REFUSAL,
  enrolDemoStaff,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
  signInToConsole,
} from './browser-kit.js';

/**
 * The claims pages in a real browser against a real server on a fresh store loaded with a little demo
 * data: an intake clerk of the Beijing branch signs in (one-time password, new password, authenticator),
 * opens the claims list, filters it to reported claims, opens one, registers it (立案) and sees the state
 * and the history change, then reveals the claimant's ID number for claim handling (理赔处理) and sees it
 * unmasked and marked as revealed; the branch supervisor then reassigns it to the other adjuster, chosen by
 * name. Screenshots go to test-results/ (and the detail page also to
 * /tmp/claims-detail.png).
 */
const haveChromium = chromiumAvailable('claims browser test');
const NEW_PASSWORD = 'Lantern-Orchard-Quietly-47';

describe.skipIf(!haveChromium)('claims pages in Chromium', () => {
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let demo: DemoResult;
  let totpSecret = '';
  let pageErrors: string[] = [];
  const otherPageErrors: string[][] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-claims-'));
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
    // Fifteen customers give a reported claim in Beijing and claims in most other states.
    demo = await loadDemoData(
      {
        db: running.store.db,
        identity,
        customers: services.customers,
        claims: services.claims,
        payouts: services.payouts,
      },
      { customers: 15, seed: 11 },
    );

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) {
      await shot(`failed-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs the intake clerk in: one-time password, new password, authenticator', async () => {
    const intake = demo.staff.find((account) => account.username === 'demo-intake');
    if (!intake) throw new Error('the demo has no intake clerk');
    await page.goto(`${url}/login`);
    await page.getByLabel('登录名').fill(intake.username);
    await page.getByLabel('密码').fill(intake.oneTimePassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(/\/setup$/);
    await page.getByLabel('当前（一次性）密码').fill(intake.oneTimePassword);
    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('再次输入新密码').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByTestId('totp-qr').waitFor();
    totpSecret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/[^A-Z2-7]/g, '');
    await page.getByLabel('验证器显示的 6 位动态码').fill(totpCodeAt(totpSecret, Date.now()));
    await page.getByRole('button', { name: '确认绑定' }).click();
    await page.getByTestId('recovery-saved').click();
    await page.getByTestId('recovery-finish').click();
    await page.waitForURL(/\/status$/);
    // Intake works on claims: the navigation offers them; user administration it does not.
    await expect.poll(() => page.getByRole('menuitem', { name: /理赔案件/ }).count()).toBe(1);
    expect(await page.getByRole('menuitem', { name: /用户与角色/ }).count()).toBe(0);
  });

  it('lists the claims of the branch with masked claimants and localised states', async () => {
    await page.getByRole('menuitem', { name: /理赔案件/ }).click();
    await page.waitForURL(/\/claims$/);
    const table = page.getByTestId('claims-table');
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBeGreaterThan(3);
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('报案');
    expect(text).toMatch(/立案|查勘|定损|理算|结案/);
    // Claimant names come masked from the server (e.g. 张*丰).
    expect(text).toContain('*');
    expect(await page.getByTestId('claims-total').textContent()).toMatch(/共 \d+ 件/);
    await shot('claims-list-zh-CN');
  });

  it('filters by state through the address, not by personal data', async () => {
    await page.getByTestId('claims-state-filter').click();
    await page.locator('.ant-select-item-option[title="报案"]').click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.waitForURL(/state=reported/);
    const rows = page.getByTestId('claims-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    await expect
      .poll(async () => (await rows.allTextContents()).every((row) => row.includes('报案')))
      .toBe(true);
  });

  it('finds claims by a customer ID number without putting it in the address', async () => {
    const before = page.url();
    await page.getByTestId('claims-customer-search').locator('input').fill('110101199001011237');
    await page.getByTestId('claims-customer-search').getByRole('button').click();
    await page.getByTestId('claims-search-active').waitFor();
    expect(page.url()).toBe(before);
    expect(page.url()).not.toContain('110101199001011237');
    await page.getByTestId('claims-search-active').getByRole('button').click();
    await page.getByTestId('claims-search-active').waitFor({ state: 'detached' });
  });

  it('opens a reported claim and registers it (立案): state and history change', async () => {
    await page.getByTestId('claims-table').getByTestId('claim-link').first().click();
    await page.waitForURL(/\/claims\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('claim-state').textContent()).toBe('报案');
    expect(await page.getByTestId('claimant-idNumber').textContent()).toContain('已脱敏');
    const timeline = page.getByTestId('claim-timeline');
    await expect.poll(() => timeline.locator('.ant-timeline-item').count()).toBe(1);

    await page.getByTestId('transition-registered').click();
    await expect.poll(() => page.getByTestId('claim-state').textContent()).toBe('立案');
    await expect.poll(() => timeline.locator('.ant-timeline-item').count()).toBe(2);
    expect(await timeline.textContent()).toContain('报案 → 立案');
    expect(await timeline.textContent()).toContain('报案受理员');
    await expect
      .poll(() => page.locator('.ant-steps-item-process, .ant-steps-item-active').first().textContent())
      .toContain('立案');
  });

  it('reveals the ID number for claim handling and marks it as revealed', async () => {
    const masked = ((await page.getByTestId('claimant-idNumber').textContent()) ?? '').trim();
    expect(masked).toContain('*');
    await page.getByTestId('claimant-reveal').click();
    const dialog = page.locator('.ant-modal').filter({ has: page.getByTestId('reveal-form') });
    await dialog.waitFor({ state: 'visible' });
    await expect.poll(() => dialog.textContent()).toContain('审计日志');
    expect(await dialog.getByRole('checkbox', { name: '出险人证件号码' }).isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('reveal-purpose').textContent()).toContain('理赔处理');
    await page.waitForTimeout(400); // the opening animation
    await shot('claims-reveal-dialog-zh-CN');
    await page.getByTestId('reveal-submit').click();

    // The sign-in's second factor is fresh; should the server still ask, answer the step-up.
    const stepUp = page.getByTestId('step-up-code');
    const revealed = page.getByTestId('claimant-idNumber').filter({ hasText: '已显示明文' });
    await Promise.race([revealed.waitFor(), stepUp.waitFor()]);
    if (await stepUp.isVisible()) {
      await stepUp.fill(totpCodeAt(totpSecret, Date.now() + 30_000));
      await page.getByTestId('step-up-submit').click();
    }
    await revealed.waitFor();
    const shown = ((await page.getByTestId('claimant-idNumber').textContent()) ?? '').trim();
    expect(shown).toMatch(/\d{17}[\dX]/);
    expect(shown).not.toContain('*');
    // Only what was asked for is unmasked.
    expect(await page.getByTestId('claimant-phone').textContent()).toContain('已脱敏');

    await dialog.waitFor({ state: 'hidden' });
    await page.waitForTimeout(600); // let the success message and animations settle
    await page.screenshot({ path: '/tmp/claims-detail.png', fullPage: true });
    await shot('claims-detail-zh-CN');
  });

  it('uploads a photo through the API client and downloads it for a purpose', async () => {
    const photo = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#3a6' } })
      .jpeg({ quality: 80 })
      .toBuffer();
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: '现场照片.jpg', mimeType: 'image/jpeg', buffer: photo });
    const documents = page.getByTestId('documents-table');
    await expect.poll(() => documents.locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await documents.textContent()).toContain('现场照片');
    expect(await documents.textContent()).toContain('image/jpeg');
    expect(await documents.textContent()).toContain('报案受理员');

    await documents.getByRole('button', { name: /下\s*载/ }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '下载材料' });
    await dialog.waitFor({ state: 'visible' });
    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: /下\s*载/ }).click();
    const stepUp = page.getByTestId('step-up-code');
    const saved = await Promise.race([download, stepUp.waitFor().then(() => null)]);
    if (saved === null) {
      await stepUp.fill(totpCodeAt(totpSecret, Date.now() + 60_000));
      await page.getByTestId('step-up-submit').click();
    }
    const file = saved ?? (await download);
    expect(file.suggestedFilename()).toMatch(/^[0-9a-f-]{36}\.jpg$/);
    await dialog.waitFor({ state: 'hidden' });
  });

  it('shows the claim in English', async () => {
    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByTestId('claim-state').textContent()).toBe('Registered');
    expect(await page.getByTestId('claim-timeline').textContent()).toContain('Reported → Registered');
    await page.mouse.wheel(0, -10_000);
    await page.waitForTimeout(300);
    await shot('claims-detail-en-US');
    await page
      .getByTestId('language-switch')
      .getByRole('button', { name: /中\s*文/ })
      .click();
  });

  it('lets the branch supervisor reassign the claim by name, least busy first', async () => {
    const claimUrl = page.url();
    const supervisor = await enrolDemoStaff(running, demo, 'demo-supervisor', NEW_PASSWORD);
    const supervisorPage = await signInToConsole(browser, url, supervisor, NEW_PASSWORD, {
      pageErrors: otherPageErrors,
    });
    await supervisorPage.goto(claimUrl);
    const names = new Map(demo.staff.map((member) => [member.username, member.displayName]));
    const adjusterNames = ['demo-adjuster', 'demo-adjuster-2'].map((name) => names.get(name) ?? name);
    // The assigned adjuster is shown by name, never as a user id.
    const assignee = supervisorPage.getByTestId('claim-assignee');
    await expect.poll(() => assignee.textContent()).toMatch(new RegExp(adjusterNames.join('|')));
    const before = ((await assignee.textContent()) ?? '').trim();
    const other = adjusterNames.find((name) => name !== before) as string;

    await supervisorPage.getByTestId('assignment-adjuster').click();
    const option = supervisorPage.locator('.ant-select-item-option').filter({ hasText: other });
    expect(await option.textContent()).toMatch(/在办 \d+ 件/);
    await option.click();
    await supervisorPage.getByTestId('assignment-save').click();
    await expect.poll(() => assignee.textContent()).toBe(other);
    await supervisorPage.screenshot({ path: join(SCREENSHOTS, 'claims-reassigned.png'), fullPage: true });
    await supervisorPage.context().close();
  });

  it("changes a customer's mobile number with a purpose and a fresh second factor (S3.1)", async () => {
    const services = running.app.claims;
    if (!services) throw new Error('the server has no claims services');
    const db = running.store.db;
    // A Beijing customer of the demo, found by their ID number as intake would on the phone.
    const { id } = await db
      .selectFrom('customers')
      .select('id')
      .where('branch', '=', 'beijing')
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    const [view] = await services.customers.view(db, [id], ['idNumber'], {
      actor: SYSTEM_ACTOR,
      purpose: 'claim-handling',
      unmask: true,
    });
    const idNumber = view?.fields.idNumber?.value ?? '';
    const newPhone = '19900001111';
    await page.goto(`${url}/customers/contact`);
    await page.getByPlaceholder('身份证号码、手机号或电子邮箱').fill(idNumber);
    await page.getByRole('button', { name: '查找客户' }).click();
    const found = page.locator('tbody tr.ant-table-row');
    await expect.poll(() => found.count()).toBe(1);
    // Shown masked, and the number typed never reaches the address.
    expect(await found.textContent()).not.toContain(idNumber);
    expect(page.url()).not.toContain(idNumber);
    await found.getByRole('button', { name: '变更联系方式' }).click();
    await page.getByLabel('新手机号码').fill(newPhone);
    await page.getByRole('button', { name: '确认变更' }).click();
    await answerStepUp(page, { totpSecret }, () => page.getByText('已变更：手机号码').waitFor());
    // The list is asked again and shows the new number, masked.
    await expect.poll(() => found.textContent()).toContain('199****1111');
    await shot('claims-customer-contact-changed');
    expect(await services.customers.findIds(db, { phone: newPhone })).toEqual([id]);
  });

  it('runs under the strict Content-Security-Policy without violations or script errors', () => {
    for (const errors of otherPageErrors) pageErrors.push(...errors);
    expect(pageErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect(pageErrors.filter((text) => !EXPECTED_REFUSAL.test(text))).toEqual([]);
  });
});
