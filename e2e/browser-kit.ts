import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PACKAGE_ROOT, WEB_CONSOLE_DIR } from '../src/config/package-info.js';

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
