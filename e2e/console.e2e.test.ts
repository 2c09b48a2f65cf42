import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { PACKAGE_ROOT, WEB_CONSOLE_DIR } from '../src/config/package-info.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import { LogCapture } from '../src/test-support/test-server.js';

/**
 * The console in a real browser: Debian's Chromium driven by playwright-core, against a server on a free
 * port with a fresh embedded store. Screenshots go to test-results/ for people to look at.
 */
const CHROMIUM = process.env.CLAIMGUARD_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const SCREENSHOTS = join(PACKAGE_ROOT, 'test-results');

if (!haveChromium) {
  const message = `Chromium not found at ${CHROMIUM}: the browser test is SKIPPED (apt-get install -y chromium, or set CLAIMGUARD_CHROMIUM).`;
  if (process.env.CI === 'true') throw new Error(`${message} Under CI a skip is a failure.`);
  process.stderr.write(`\n⚠ ${message}\n\n`);
}

describe.skipIf(!haveChromium)('web console in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(WEB_CONSOLE_DIR, 'index.html'))) {
      const { build } = await import('vite');
      await build({ configFile: join(PACKAGE_ROOT, 'web', 'vite.config.ts'), logLevel: 'warn' });
    }
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-'));
    const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, port: 0, host: '127.0.0.1' };
    server = await startServer(config, createLogger('warn', new LogCapture()));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the system status in Chinese by default', async () => {
    await page.goto(server.url);
    await page.waitForURL(/\/status$/);
    await expect.poll(() => page.getByTestId('status-version').textContent()).toContain('0.1.0');
    expect(await page.getByTestId('status-store-kind').textContent()).toContain('嵌入式');
    expect(await page.getByTestId('status-migrations').textContent()).toContain('已是最新');
    expect((await page.getByTestId('status-readiness').textContent())?.trim()).toBe('就绪');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-status-zh-CN.png'), fullPage: true });
  });

  it('switches to English, and keeps English after a reload', async () => {
    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => page.getByTestId('status-store-kind').textContent())
      .toContain('Embedded (PGlite)');
    expect(await page.getByTestId('status-migrations').textContent()).toContain('Up to date');
    expect((await page.getByTestId('status-readiness').textContent())?.trim()).toBe('Ready');
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
    await page.reload();
    await expect
      .poll(() => page.getByTestId('status-store-kind').textContent())
      .toContain('Embedded (PGlite)');
    expect(await page.getByRole('menuitem', { name: /System status/ }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-status-en-US.png'), fullPage: true });
  });

  it('runs under the strict Content-Security-Policy without violations or script errors', () => {
    expect(pageErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
