import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PACKAGE_ROOT, WEB_CONSOLE_DIR } from '../src/config/package-info.js';
import type { RunningServer } from '../src/http/start-server.js';
import type { DemoResult } from '../src/modules/demo/demo-loader.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';

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

/** A demo staff member made ready for the browser: password changed, authenticator enrolled. */
export type EnrolledStaff = {
  username: string;
  userId: string;
  totpSecret: string;
  /** Calls the API as this person (their cookie session, with the CSRF token). */
  request: (method: 'GET' | 'POST', path: string, body?: object) => Promise<LightMyRequestResponse>;
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
