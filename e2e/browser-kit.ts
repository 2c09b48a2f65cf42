import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { PACKAGE_ROOT, WEB_CONSOLE_DIR } from '../src/config/package-info.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, type StartOptions, startServer } from '../src/http/start-server.js';
import { type DemoResult, loadDemoData } from '../src/modules/demo/demo-loader.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { loadIdentityKey } from '../src/modules/identity/identity-keys.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import { LogCapture } from '../src/test-support/test-server.js';

/**
 * What every browser test shares: Debian's Chromium (CLAIMGUARD_CHROMIUM for another path), the flags this
 * closed network needs, the console build, screenshots in test-results/, and the page's error log.
 */
export const CHROMIUM = process.env.CLAIMGUARD_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(PACKAGE_ROOT, 'test-results');

/** A refused API call the page handles (401 before sign-in, a wrong password, a step-up): not a script error. */
export const EXPECTED_REFUSAL =
  /^Failed to load resource: the server responded with a status of 4\d\d .*← \S*\/api\/v1\//;

/** Whether Chromium is here; says plainly when the test is skipped, and fails the run under CI. */
export function chromiumAvailable(testName: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Chromium not found at ${CHROMIUM}: the ${testName} is SKIPPED (apt-get install -y chromium, or set CLAIMGUARD_CHROMIUM).`;
  if (process.env.CI === 'true') throw new Error(`${message} Under CI a skip is a failure.`);
  process.stderr.write(`\n⚠ ${message}\n\n`);
  return false;
}

/** Builds the console when web/dist is missing (delete web/dist after changing web/ to test the change). */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(join(WEB_CONSOLE_DIR, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: join(PACKAGE_ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Collects the page's console errors and uncaught exceptions, with where they came from. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url: source, lineNumber } = message.location();
      errors.push(`${message.text()} [${page.url()} ← ${source}:${lineNumber}]`);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A real server on a fresh embedded store in a temporary directory, with the demo loaded into it. */
export type DemoServer = {
  running: RunningServer;
  url: string;
  demo: DemoResult;
  dataDir: string;
  /** Stops the server and deletes its store. */
  close: () => Promise<void>;
};

/**
 * Starts the product as `npm start` would (own port, embedded store, migrations, keys, background jobs) on a
 * fresh temporary store, and loads the demo (`customers` and `seed` as `claimguard demo` takes them).
 * `channels` replaces the notification providers (the tests read texted one-time codes through them).
 */
export async function startDemoServer(
  name: string,
  demoOptions: { customers: number; seed: number },
  options: StartOptions = {},
): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `claimguard-e2e-${name}-`));
  const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, port: 0, host: '127.0.0.1' };
  const running = await startServer(config, createLogger('warn', new LogCapture()), options);
  const close = async () => {
    await running.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const services = running.app.claims;
    if (!services) throw new Error('the server has no claims services');
    const identity = new IdentityService(running.store.db, {
      audit: running.audit,
      secretBox: new SecretBox(loadIdentityKey({ dataDir, fromEnv: undefined })),
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 8 * 3_600_000,
    });
    const demo = await loadDemoData(
      {
        db: running.store.db,
        identity,
        customers: services.customers,
        claims: services.claims,
        payouts: services.payouts,
      },
      demoOptions,
    );
    return { running, url: running.url, demo, dataDir, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Signs a staff member in to the console in a browser window of their own (password, then the authenticator
 * code of this time step), and waits for the landing page. The page's script errors go to `pageErrors`.
 */
export async function signInToConsole(
  browser: Browser,
  url: string,
  person: { username: string; totpSecret: string },
  password: string,
  options: { locale?: 'zh-CN' | 'en-US'; pageErrors?: string[][]; acceptDownloads?: boolean } = {},
): Promise<Page> {
  const locale = options.locale ?? 'zh-CN';
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    locale,
    acceptDownloads: options.acceptDownloads ?? false,
  });
  if (locale === 'en-US')
    await context.addInitScript({ content: "localStorage.setItem('claimguard.language', 'en-US');" });
  const page = await context.newPage();
  options.pageErrors?.push(collectPageErrors(page));
  await page.goto(`${url}/login`);
  const form = page.getByTestId('login-form');
  await form.locator('input[autocomplete="username"]').fill(person.username);
  await form.locator('input[autocomplete="current-password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  const secondFactor = page.getByTestId('second-factor-form');
  await secondFactor.waitFor();
  await secondFactor.locator('input').first().fill(totpCodeAt(person.totpSecret, Date.now()));
  await secondFactor.locator('button[type="submit"]').click();
  await page.waitForURL(/\/status$/);
  return page;
}

/** A demo staff member made ready for the browser: password changed, authenticator enrolled. */
export type EnrolledStaff = {
  username: string;
  userId: string;
  totpSecret: string;
  /** Calls the API as this person (their cookie session, with the CSRF token). */
  request: (method: 'GET' | 'POST' | 'PATCH', path: string, body?: object) => Promise<LightMyRequestResponse>;
};

/**
 * Takes a demo account through its first sign-in over the API (one-time password → `newPassword` → TOTP
 * enrolment), so a browser test can start from an ordinary password + authenticator sign-in. The enrolment is
 * confirmed with the previous time step, so the sign-in (this step) and a step-up (the next) each get a newer one.
 */
export async function enrolDemoStaff(
  running: RunningServer,
  demo: DemoResult,
  username: string,
  newPassword: string,
): Promise<EnrolledStaff> {
  const account = demo.staff.find((member) => member.username === username);
  if (!account) throw new Error(`the demo has no ${username}`);
  const login = await running.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: account.oneTimePassword },
  });
  const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = (login.json() as { csrfToken: string }).csrfToken;
  const request: EnrolledStaff['request'] = (method, path, body) =>
    running.app.inject({
      method,
      url: `/api/v1${path}`,
      headers: { cookie, 'x-csrf-token': csrf },
      ...(body ? { payload: body } : {}),
    });
  const changed = await request('POST', '/auth/password', {
    currentPassword: account.oneTimePassword,
    newPassword,
  });
  if (changed.statusCode !== 200) throw new Error(`password change failed: ${changed.body}`);
  const totpSecret = ((await request('POST', '/auth/totp/enrolment')).json() as { secret: string }).secret;
  const confirmed = await request('POST', '/auth/totp/enrolment/confirm', {
    code: totpCodeAt(totpSecret, Date.now() - 30_000),
  });
  if (confirmed.statusCode !== 200) throw new Error(`authenticator enrolment failed: ${confirmed.body}`);
  const user = await running.store.db
    .selectFrom('staff_users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return { username, userId: user.id, totpSecret, request };
}

/** Confirms the open Ant Design pop-confirm (after its opening animation) and waits for it to close. */
export async function confirmPopover(page: Page): Promise<void> {
  const open = page.locator('.ant-popconfirm:not(.ant-popover-hidden)');
  await expect.poll(() => open.count(), { timeout: 15_000 }).toBe(1);
  await page.waitForTimeout(300);
  await open.locator('.ant-btn-primary').click();
  await expect.poll(() => open.count(), { timeout: 15_000 }).toBe(0);
}

/**
 * Answers the console's step-up modal if the server asks for a fresh second factor, with the NEXT time step's
 * code (the sign-in used this one; a code is accepted once), then waits for `done`.
 */
export async function answerStepUp(
  page: Page,
  person: { totpSecret: string },
  done: () => Promise<unknown>,
): Promise<void> {
  const stepUp = page.getByTestId('step-up-code');
  await Promise.race([done(), stepUp.waitFor()]);
  if (!(await stepUp.isVisible())) return;
  await page.waitForTimeout(300);
  await stepUp.fill(totpCodeAt(person.totpSecret, Date.now() + 30_000));
  await page.getByTestId('step-up-submit').click();
  await done();
}
