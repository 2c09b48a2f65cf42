import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
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
 * Passkeys in a real browser: Chromium's virtual authenticator (through the DevTools protocol) stands in
 * for a fingerprint reader. The first administrator signs in with the one-time password, changes it,
 * chooses a passkey as the second factor at set-up, saves the recovery codes, signs out, and signs in
 * again with the passkey; all under the strict Content-Security-Policy. Screenshots go to test-results/.
 *
 * WebAuthn binds a passkey to a domain (an IP address is no relying party ID), so the page is opened at
 * http://localhost:<port>, which is also the server's public URL (CLAIMGUARD_PUBLIC_URL).
 */
const haveChromium = chromiumAvailable('passkey browser test');
const NEW_PASSWORD = 'Lantern-Orchard-Quietly-47';
const DEVICE_NAME = 'Virtual authenticator';

/** A port free right now, so the public URL can name it before the server starts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!haveChromium)('passkey as the second factor in Chromium', () => {
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let admin: { username: string; oneTimePassword: string };
  let pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-passkey-'));
    const port = await freePort();
    url = `http://localhost:${port}`;
    const config = {
      ...loadConfig({}),
      dataDir,
      databaseUrl: undefined,
      port,
      host: '127.0.0.1',
      publicUrl: url,
    };
    running = await startServer(config, createLogger('warn', new LogCapture()));
    if (!running.firstAdministrator) throw new Error('a fresh store should create the first administrator');
    admin = running.firstAdministrator;

    browser = await launchChromium([
      // localhost is where the server listens (IPv4), whatever the host's resolver says.
      '--host-resolver-rules=MAP localhost 127.0.0.1',
    ]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    pageErrors = collectPageErrors(page);

    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    authenticatorId = added.authenticatorId;
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) {
      await shot(`failed-passkey-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with the one-time password and changes it', async () => {
    await page.goto(`${url}/login`);
    await page.getByLabel('登录名').fill(admin.username);
    await page.getByLabel('密码').fill(admin.oneTimePassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL(/\/setup$/);
    await page.getByLabel('当前（一次性）密码').fill(admin.oneTimePassword);
    await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('再次输入新密码').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByTestId('setup-method').waitFor();
  });

  it('chooses a passkey at set-up, and gets the recovery codes once', async () => {
    await page.getByTestId('setup-method-passkey').click();
    await page.getByTestId('passkey-name').fill(DEVICE_NAME);
    await shot('passkey-setup-choice');
    await page.getByTestId('passkey-create').click();

    const codes = page.getByTestId('recovery-codes').locator('li');
    await expect.poll(() => codes.count(), { timeout: 15_000 }).toBe(10);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.rpId).toBe('localhost');
    await shot('passkey-setup-recovery-codes');

    await page.getByTestId('recovery-saved').click();
    await page.getByTestId('recovery-finish').click();
    await page.waitForURL(/\/status$/);
    await expect.poll(() => page.getByTestId('user-display-name').textContent()).toBe('Administrator');
  });

  it('signs out', async () => {
    await page.getByTestId('user-menu').click();
    await page.locator('.ant-dropdown').getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL(/\/login$/);
  });

  it('signs in again with the passkey', async () => {
    await page.getByLabel('登录名').fill(admin.username);
    await page.getByLabel('密码').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    const usePasskey = page.getByTestId('use-passkey');
    await usePasskey.waitFor();
    await shot('passkey-sign-in-second-factor');
    await usePasskey.click();
    await page.waitForURL(/\/status$/);
    await expect.poll(() => page.getByTestId('user-display-name').textContent()).toBe('Administrator');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials[0]?.signCount).toBeGreaterThan(0);
  });

  it('lists the passkey on My security', async () => {
    await page.goto(`${url}/account`);
    await expect.poll(() => page.getByTestId('passkeys-table').textContent()).toContain(DEVICE_NAME);
    expect(await page.getByTestId('passkey-count').textContent()).toBe('1');
    expect(await page.getByTestId('recovery-left').textContent()).toBe('10');
    await shot('passkey-account-zh-CN');

    const events = await running.audit.query({ action: 'auth.passkey.registered' });
    expect(events.items.map((item) => item.event.outcome)).toEqual(['success']);
  });

  it('runs under the strict Content-Security-Policy without violations or script errors', () => {
    expect(pageErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect(pageErrors.filter((text) => !EXPECTED_REFUSAL.test(text))).toEqual([]);
  });
});
