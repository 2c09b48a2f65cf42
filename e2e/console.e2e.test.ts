import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import { LogCapture } from '../src/test-support/test-server.js';
import {
  chromiumAvailable,
  collectPageErrors,
  EXPECTED_REFUSAL,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
} from './browser-kit.js';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against a real server on a
 * free port with a fresh embedded store: the first administrator signs in with the one-time password the
 * first start printed, changes it, adds an authenticator, saves the recovery codes, reads the status
 * page, switches the language (which persists), and creates a user through the step-up modal; all under
 * the strict Content-Security-Policy. An internal auditor the administrator created then signs in, reads the
 * personal-data catalogue and the audit log, verifies the chain and checks an inclusion proof in the
 * browser. Screenshots go to test-results/.
 */
const haveChromium = chromiumAvailable('console browser test');
const NEW_PASSWORD = 'Lantern-Orchard-Quietly-47';

describe.skipIf(!haveChromium)('staff sign-in and administration in Chromium', () => {
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let admin: { username: string; oneTimePassword: string };
  let totpSecret = '';
  let auditorPassword = '';
  let pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-'));
    const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, port: 0, host: '127.0.0.1' };
    running = await startServer(config, createLogger('warn', new LogCapture()));
    url = running.url;
    if (!running.firstAdministrator) throw new Error('a fresh store should create the first administrator');
    admin = running.firstAdministrator;

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

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

  it('sends a signed-out visitor of a console page to sign-in', async () => {
    await page.goto(`${url}/status`);
    await page.waitForURL(/\/login$/);
    await expect.poll(() => page.getByRole('heading', { name: '员工登录' }).count()).toBe(1);
    await shot('sign-in-login-zh-CN');
  });

  it('refuses a wrong password with a translated message', async () => {
    await page.getByLabel('登录名').fill(admin.username);
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('登录名或密码错误');
  });

  it('signs in with the one-time password and changes it', async () => {
    await page.getByLabel('密码').fill(admin.oneTimePassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(/\/setup$/);
    await expect.poll(() => page.getByTestId('password-rules').textContent()).toContain('至少 12 个字符');
    await shot('sign-in-setup-password');

    await page.getByLabel('当前（一次性）密码').fill(admin.oneTimePassword);
    await page.getByLabel('新密码', { exact: true }).fill('password1234');
    await page.getByLabel('再次输入新密码').fill('password1234');
    await page.getByRole('button', { name: '修改密码' }).click();
    await expect.poll(() => page.getByTestId('password-error').textContent()).toMatch(/常见|容易被猜到/);

    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('再次输入新密码').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByTestId('totp-qr').waitFor();
  });

  it('adds an authenticator from the manual-entry key and shows the recovery codes once', async () => {
    expect(await page.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    totpSecret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/[^A-Z2-7]/g, '');
    expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    await shot('sign-in-setup-authenticator');

    await page.getByLabel('验证器显示的 6 位动态码').fill(totpCodeAt(totpSecret, Date.now()));
    await page.getByRole('button', { name: '确认绑定' }).click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await expect.poll(() => codes.count()).toBe(10);
    await shot('sign-in-setup-recovery-codes');

    expect(await page.getByTestId('recovery-finish').isDisabled()).toBe(true);
    await page.getByTestId('recovery-saved').click();
    await page.getByTestId('recovery-finish').click();
    await page.waitForURL(/\/status$/);
  });

  it('lands on the status page with the user area and the administration link', async () => {
    await expect.poll(() => page.getByTestId('user-display-name').textContent()).toBe('Administrator');
    await expect.poll(() => page.getByTestId('user-area').textContent()).toContain('系统管理员');
    expect(await page.getByRole('menuitem', { name: /用户与角色/ }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('status-version').textContent()).toContain('0.1.0');
    await shot('console-status-zh-CN');
  });

  it('shows store, migrations and readiness on the status page', async () => {
    expect(await page.getByTestId('status-store-kind').textContent()).toContain('嵌入式');
    expect(await page.getByTestId('status-migrations').textContent()).toContain('已是最新');
    expect((await page.getByTestId('status-readiness').textContent())?.trim()).toBe('就绪');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it('switches to English, and keeps English after a reload', async () => {
    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByTestId('user-area').textContent()).toContain('Administrator');
    expect(await page.getByRole('menuitem', { name: /Users and roles/ }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
    await page.reload();
    await expect
      .poll(() => page.getByTestId('status-store-kind').textContent())
      .toContain('Embedded (PGlite)');
    expect(await page.getByTestId('status-migrations').textContent()).toContain('Up to date');
    expect((await page.getByTestId('status-readiness').textContent())?.trim()).toBe('Ready');
    await shot('console-status-en-US');
  });

  it('creates a user after a step-up, and shows the one-time password once', async () => {
    // The sign-in's second factor is fresh for five minutes; age it so the server asks for a step-up.
    await running.store.db
      .updateTable('staff_sessions')
      .set({ second_factor_at: new Date(Date.now() - 10 * 60_000) })
      .execute();

    await page.getByRole('menuitem', { name: /Users and roles/ }).click();
    await page.waitForURL(/\/admin\/users$/);
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('admin');
    await shot('sign-in-users-en-US');

    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByTestId('user-form');
    await form.getByLabel('Login name').fill('li.na');
    await form.getByLabel('Name', { exact: true }).fill('Li Na');
    await form.getByLabel('Role').click();
    await page.locator('.ant-select-item-option[title="Adjuster"]').click();
    await form.getByLabel('Branch').fill('beijing');
    await shot('sign-in-users-create-drawer');
    await page.getByTestId('user-save').click();

    // The server refuses (step-up-required); the modal asks for a code; the request is then retried.
    const code = page.getByTestId('step-up-code');
    await code.waitFor();
    await page.locator('.ant-modal').filter({ has: code }).waitFor({ state: 'visible' });
    await page.waitForTimeout(400); // let the opening animation finish before the screenshot
    await shot('sign-in-step-up-modal');
    // The enrolment used this 30-second step's code; a code is accepted once, so use the next step's.
    await code.fill(totpCodeAt(totpSecret, Date.now() + 30_000));
    await page.getByTestId('step-up-submit').click();

    const password = page.getByTestId('one-time-password');
    await password.waitFor();
    expect(((await password.textContent()) ?? '').trim().length).toBeGreaterThanOrEqual(12);
    await shot('sign-in-users-one-time-password');
    await page.getByTestId('one-time-password-close').click();
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('li.na');
    expect(await page.getByTestId('users-table').textContent()).toContain('Adjuster');
  });

  it('creates an internal auditor (the step-up is still fresh)', async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByTestId('user-form');
    await form.getByLabel('Login name').fill('wang.fang');
    await form.getByLabel('Name', { exact: true }).fill('Wang Fang');
    await form.getByLabel('Role').click();
    await page.locator('.ant-select-item-option[title="Internal auditor"]').click();
    await page.getByTestId('user-save').click();
    const password = page.getByTestId('one-time-password');
    await password.waitFor();
    auditorPassword = ((await password.textContent()) ?? '').trim();
    expect(auditorPassword.length).toBeGreaterThanOrEqual(12);
    await page.getByTestId('one-time-password-close').click();
    await expect.poll(() => page.getByTestId('users-table').textContent()).toContain('wang.fang');
    expect(await page.getByTestId('users-table').textContent()).toContain('Internal auditor');
  });

  it('shows my security with the current session marked', async () => {
    await page.getByTestId('user-menu').click();
    await page.locator('.ant-dropdown').getByRole('menuitem', { name: 'My security' }).click();
    await page.waitForURL(/\/account$/);
    await expect.poll(() => page.getByTestId('sessions-table').textContent()).toContain('This session');
    expect(await page.getByTestId('recovery-left').textContent()).toBe('10');
    await shot('sign-in-account-en-US');
  });

  it('signs out', async () => {
    await page.getByTestId('user-menu').click();
    await page.locator('.ant-dropdown').getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${url}/admin/users`);
    await page.waitForURL(/\/login$/);
  });

  it('signs the internal auditor in: one-time password, new password, authenticator', async () => {
    // The language chosen before sign-out stays (it is the browser's choice, not the account's).
    await page.getByLabel('Login name').fill('wang.fang');
    await page.getByLabel('Password').fill(auditorPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/setup$/);
    await page.getByLabel('Current (one-time) password').fill(auditorPassword);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('totp-qr').waitFor();
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/[^A-Z2-7]/g, '');
    await page.getByLabel('The 6-digit code your app shows').fill(totpCodeAt(secret, Date.now()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('recovery-saved').click();
    await page.getByTestId('recovery-finish').click();
    await page.waitForURL(/\/status$/);
    await expect.poll(() => page.getByTestId('user-area').textContent()).toContain('Internal auditor');
    // Navigation follows the auditor's permissions: evidence, not alerts (those are the security officer's).
    expect(await page.getByRole('menuitem', { name: /Personal-data catalogue/ }).count()).toBe(1);
    expect(await page.getByRole('menuitem', { name: /Audit log/ }).count()).toBe(1);
    expect(await page.getByRole('menuitem', { name: /Security alerts/ }).count()).toBe(0);
  });

  it('shows the personal-data catalogue with its grading chart', async () => {
    await page.getByRole('menuitem', { name: /Personal-data catalogue/ }).click();
    await page.waitForURL(/\/catalogue$/);
    const table = page.getByTestId('catalogue-table');
    await expect.poll(() => table.textContent()).toContain('Resident ID number');
    expect(await table.textContent()).toContain('Sensitive (PIPL Art. 28)');
    expect(await table.textContent()).toContain('5 years');
    expect(await table.textContent()).toContain('1101**********1234');
    await expect.poll(() => page.getByTestId('catalogue-chart').locator('svg').count()).toBe(1);
    await page.getByTestId('catalogue-sensitivity-filter').getByText('Sensitive only').click();
    await expect.poll(() => table.textContent()).not.toContain('Mobile phone number');
    await page.getByTestId('catalogue-sensitivity-filter').getByText('All', { exact: true }).click();
    await page.waitForTimeout(400); // the chart's animation
    await shot('console-catalogue-en-US');
  });

  it('lists audit events, verifies the chain, and checks an inclusion proof in the browser', async () => {
    await page.getByRole('menuitem', { name: /Audit log/ }).click();
    await page.waitForURL(/\/audit$/);
    const table = page.getByTestId('audit-table');
    await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBeGreaterThan(5);
    expect(await table.textContent()).toContain('user.created');
    expect(await table.textContent()).toContain('auth.login');

    await page.getByTestId('audit-verify').click();
    await expect
      .poll(() => page.getByTestId('audit-verify-result').textContent())
      .toContain('The log is intact');

    await table
      .locator('tbody tr.ant-table-row')
      .nth(1)
      .getByRole('button', { name: /expand/i })
      .click();
    await page.getByTestId('audit-proof-button').click();
    await page.getByTestId('audit-proof-valid').waitFor();
    expect(await page.getByTestId('audit-proof-valid').textContent()).toContain('Verified in your browser');
    await shot('console-audit-en-US');
  });

  it('shows the audit log in Chinese', async () => {
    await page
      .getByTestId('language-switch')
      .getByRole('button', { name: /中\s*文/ })
      .click();
    await expect.poll(() => page.getByTestId('audit-table').textContent()).toContain('员工');
    await shot('console-audit-zh-CN');
    await page.getByRole('menuitem', { name: /个人信息目录/ }).click();
    await expect.poll(() => page.getByTestId('catalogue-table').textContent()).toContain('身份证号');
    expect(await page.getByTestId('catalogue-table').textContent()).toContain('5 年');
    await shot('console-catalogue-zh-CN');
  });

  it('runs under the strict Content-Security-Policy without violations or script errors', () => {
    expect(pageErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    // The browser logs each refused API call (the signed-out /auth/me, the wrong password, the weak
    // password, the step-up refusal) as a failed resource load; those are answers the page handles, not script errors.
    expect(pageErrors.filter((text) => !EXPECTED_REFUSAL.test(text))).toEqual([]);
  });
});
