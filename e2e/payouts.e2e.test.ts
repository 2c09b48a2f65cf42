import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import { type DemoResult, loadDemoData } from '../src/modules/demo/demo-loader.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { loadIdentityKey } from '../src/modules/identity/identity-keys.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import { LogCapture } from '../src/test-support/test-server.js';
import {
  chromiumAvailable,
  collectPageErrors,
  type EnrolledStaff,
  EXPECTED_REFUSAL,
  enrolDemoStaff,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
} from './browser-kit.js';

/**
 * The payout workflow (S3.3) in a real browser against a real server on a fresh demo store: the adjuster
 * assigned to a claim in 理算 (adjusting) proposes a payout to the claimant's masked bank account; a claims
 * supervisor approves it, confirming with the TOTP code in the step-up modal; finance finds it in the
 * 赔款支付 queue and pays it — the first attempt is cut off by a network error and the retry carries the
 * same Idempotency-Key — and the claim ends 结案 (closed). The paid card goes to /tmp/payout-card.png.
 */
const haveChromium = chromiumAvailable('payouts browser test');
const NEW_PASSWORD = 'Copper-Meadow-Steadily-83';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Polls until the expectation holds; generous, since the test shares its CPUs with other work. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

type Person = Omit<EnrolledStaff, 'request'>;

describe.skipIf(!haveChromium)('payouts in Chromium', () => {
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let demo: DemoResult;
  let claimId = '';
  const people = new Map<string, Person>();
  const pages: Page[] = [];
  const pageErrors: string[][] = [];
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  /** Sets a demo account up through the API (new password, authenticator) so the browser signs in normally. */
  async function prepare(username: string): Promise<Person> {
    const { request: _request, ...person } = await enrolDemoStaff(running, demo, username, NEW_PASSWORD);
    people.set(username, person);
    return person;
  }

  /** A browser window of its own for a person, signed in with password and authenticator code. */
  async function signIn(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    const next = await context.newPage();
    pages.push(next);
    pageErrors.push(collectPageErrors(next));
    await next.goto(`${url}/login`);
    await next.getByLabel('登录名').fill(person.username);
    await next.getByLabel('密码').fill(NEW_PASSWORD);
    await next.getByRole('button', { name: /登\s*录/ }).click();
    await next.getByTestId('second-factor-form').waitFor();
    await next.getByLabel('动态码').fill(totpCodeAt(person.totpSecret, Date.now()));
    await next
      .getByTestId('second-factor-form')
      .getByRole('button', { name: /验\s*证/ })
      .click();
    await next.waitForURL(/\/status$/);
    page = next;
    return next;
  }

  /** Clicks the confirming button of the open Popconfirm, once it is shown and has settled. */
  async function confirm(name: RegExp): Promise<void> {
    const open = page.locator('.ant-popconfirm:not(.ant-popover-hidden)');
    await eventually(() => open.count()).toBe(1);
    const button = open.getByRole('button', { name });
    await button.waitFor();
    await page.waitForTimeout(300); // the opening animation
    await button.click();
    await eventually(() => open.count()).toBe(0);
  }

  /** Answers the step-up modal if the server asks for a fresh second factor. */
  async function answerStepUp(person: Person, done: () => Promise<unknown>): Promise<boolean> {
    const stepUp = page.getByTestId('step-up-code');
    await Promise.race([done(), stepUp.waitFor()]);
    if (!(await stepUp.isVisible())) return false;
    await page.waitForTimeout(300); // the opening animation
    await shot('payouts-step-up-zh-CN');
    await stepUp.fill(totpCodeAt(person.totpSecret, Date.now() + 30_000));
    await page.getByTestId('step-up-submit').click();
    await done();
    return true;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-payouts-'));
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
    demo = await loadDemoData(
      {
        db: running.store.db,
        identity,
        customers: services.customers,
        claims: services.claims,
        payouts: services.payouts,
      },
      // Twenty customers: the nineteenth has a Beijing claim in adjusting.
      { customers: 20, seed: 11 },
    );
    browser = await launchChromium();
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) {
      await shot(`failed-payouts-${task.name.replace(/\W+/g, '-')}`).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the assigned adjuster proposes a payout to the claimant’s masked account', async () => {
    // A Beijing claim in adjusting from the demo, and the adjuster it was assigned to by rule.
    const claim = await running.store.db
      .selectFrom('claims')
      .innerJoin('staff_users', 'staff_users.id', 'claims.assignee_id')
      .select(['claims.id', 'staff_users.username'])
      .where('claims.state', '=', 'adjusting')
      .where('claims.branch', '=', 'beijing')
      .executeTakeFirstOrThrow();
    claimId = claim.id;
    const adjuster = await prepare(claim.username);
    await prepare('demo-supervisor');
    await prepare('demo-finance');

    await signIn(adjuster);
    await page.goto(`${url}/claims/${claimId}`);
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('理算');
    const card = page.getByTestId('payout-card');
    await card.getByTestId('payout-propose-form').waitFor();
    await card.getByTestId('payout-amount-input').fill('3,000');

    // An account added in someone else's name is chosen for the new payee, and refused on proposal.
    await card.getByTestId('payout-add-account').click();
    const accountForm = page.getByTestId('payout-account-form');
    await accountForm.waitFor();
    await accountForm.getByLabel('开户银行').fill('招商银行');
    await accountForm.getByLabel('账号').fill('6214 8300 1000 4567');
    await accountForm.getByLabel('户名').fill('李四');
    await accountForm.getByTestId('payout-account-save').click();
    await accountForm.waitFor({ state: 'detached' });
    await eventually(() => card.getByTestId('payout-payee-select').textContent()).toContain('4567');
    await card.getByTestId('payout-propose').click();
    await eventually(() => card.getByTestId('payout-propose-error').textContent()).toContain(
      '账户户名与出险人姓名不一致',
    );

    await card.getByTestId('payout-payee-select').click();
    const option = page.locator('.ant-select-item-option').filter({ hasNotText: '4567' });
    await option.waitFor();
    // The claimant's card number and holder name come masked.
    expect(await option.textContent()).toContain('*');
    await option.click();
    await card.getByTestId('payout-propose').click();

    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('核赔');
    await eventually(() => card.getByTestId('payout-state').textContent()).toBe('待核赔');
    expect(await card.getByTestId('payout-amount').textContent()).toContain('3,000.00');
    expect(await card.getByTestId('payout-payee').textContent()).toMatch(/\*.*已脱敏/);
    // The maker cannot approve their own proposal: no approve button for the adjuster.
    expect(await card.getByTestId('payout-approve').count()).toBe(0);
    await page.context().close();
  }, 90_000);

  it('a claims supervisor approves, confirming with the TOTP code in the step-up modal', async () => {
    const supervisor = people.get('demo-supervisor') as Person;
    await signIn(supervisor);
    // Sign-in was minutes ago, as far as the server knows: approving asks for the second factor again.
    await running.store.db
      .updateTable('staff_sessions')
      .set({ second_factor_at: new Date(Date.now() - 10 * 60_000) })
      .where('user_id', '=', supervisor.userId)
      .execute();
    await page.goto(`${url}/claims/${claimId}`);
    const card = page.getByTestId('payout-card');
    await eventually(() => card.getByTestId('payout-state').textContent()).toBe('待核赔');
    // Sending back is the claim's own step, in the transition bar.
    expect(await page.getByTestId('transition-adjusting').count()).toBe(1);

    await card.getByTestId('payout-approve').click();
    const approved = () =>
      card.getByTestId('payout-state').filter({ hasText: '已核准' }).waitFor({ timeout: 15_000 });
    expect(await answerStepUp(supervisor, approved)).toBe(true);
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('赔款支付');
    expect(await card.getByTestId('payout-approvals').textContent()).toContain('1/1');
    expect(await card.getByTestId('payout-approvals').textContent()).toContain('理赔主管');
    expect(await card.getByTestId('payout-needs-second').count()).toBe(0);
    await page.context().close();
  }, 90_000);

  it('finance finds it in the 赔款支付 queue and pays it once, retrying with the same key', async () => {
    const finance = people.get('demo-finance') as Person;
    await signIn(finance);
    await page.getByRole('menuitem', { name: /赔款支付/ }).click();
    await page.waitForURL(/\/payouts$/);
    // The demo's own approved payouts are in the queue too, oldest first; ours is the newest.
    const row = page
      .getByTestId('payouts-table')
      .locator('tbody tr.ant-table-row')
      .filter({ has: page.locator(`a[href="/claims/${claimId}"]`) });
    await eventually(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('已核准');
    expect(await row.textContent()).toContain('¥3,000.00');
    expect(await row.textContent()).toContain('1/1 人已核准');
    await page.waitForTimeout(300);
    await shot('payouts-queue-zh-CN');
    await row.getByTestId('payout-claim-link').click();
    await page.waitForURL(new RegExp(`/claims/${claimId}$`));

    // Every execution request, with its key; the first is cut off as if the network dropped it.
    const keys: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let cutOff = false;
    await page.route('**/api/v1/payouts/*/execution', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (!cutOff) {
        cutOff = true;
        await held;
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });

    const card = page.getByTestId('payout-card');
    const pay = card.getByTestId('payout-execute');
    await pay.click();
    await confirm(/支付赔款/);
    // In flight: the button is disabled, so a second click cannot start a second attempt.
    await eventually(() => pay.isDisabled()).toBe(true);
    await page.waitForTimeout(300);
    expect(keys).toHaveLength(1);
    release();
    await card.getByTestId('payout-execute-error').waitFor();
    expect(await card.getByTestId('payout-execute-error').textContent()).toContain(keys[0]);

    // The retry: same key, through to the bank.
    await eventually(() => pay.isEnabled()).toBe(true);
    await pay.click();
    await confirm(/继续支付/);
    const paid = () =>
      card.getByTestId('payout-state').filter({ hasText: '已支付' }).waitFor({ timeout: 15_000 });
    await answerStepUp(finance, paid);
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('结案');
    expect(keys, keys.join(', ')).toHaveLength(2);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(await card.getByTestId('payout-reference').textContent()).not.toBe('');

    // The server paid once, under that key.
    const payments = await running.store.db
      .selectFrom('payments')
      .innerJoin('payouts', 'payouts.id', 'payments.payout_id')
      .select(['payments.idempotency_key', 'payments.state'])
      .where('payouts.claim_id', '=', claimId)
      .execute();
    expect(payments).toEqual([{ idempotency_key: keys[0], state: 'paid' }]);

    await page.waitForTimeout(800); // let the success message and animations settle
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: '/tmp/payout-card.png' });
    await shot('payouts-claim-paid-zh-CN');
  }, 90_000);

  it('shows the paid payout in English, and the queue’s paid tab', async () => {
    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    const card = page.getByTestId('payout-card');
    await eventually(() => card.getByTestId('payout-state').textContent()).toBe('Paid');
    expect(await card.textContent()).toContain('Payee account');
    await card.screenshot({ path: join(SCREENSHOTS, 'payout-card-en-US.png') });
    await page.getByRole('menuitem', { name: /Payouts/ }).click();
    await page.getByTestId('payouts-tabs').getByRole('tab', { name: 'Paid', exact: true }).click();
    await page.waitForURL(/state=paid/);
    const paidRow = page
      .getByTestId('payouts-table')
      .locator('tbody tr.ant-table-row')
      .filter({ has: page.locator(`a[href="/claims/${claimId}"]`) });
    await eventually(() => paidRow.count()).toBe(1);
    expect(await paidRow.textContent()).toContain('Paid');
    await shot('payouts-queue-paid-en-US');
  }, 90_000);

  it('runs under the strict Content-Security-Policy without violations or script errors', () => {
    const errors = pageErrors.flat();
    expect(errors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    // The cut-off payment request is the test's own doing.
    expect(
      errors.filter(
        (text) => !EXPECTED_REFUSAL.test(text) && !/ERR_CONNECTION_RESET|Failed to fetch/.test(text),
      ),
    ).toEqual([]);
  });
});
