import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/http/logger.js';
import { type RunningServer, startServer } from '../src/http/start-server.js';
import type { StaffRole } from '../src/modules/access/roles.js';
import { SYSTEM_ACTOR } from '../src/modules/audit/audit-event.js';
import { ZHANG_SAN } from '../src/modules/claims/claims-test-kit.js';
import { luhnCheckDigit } from '../src/modules/demo/demo-people.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { loadIdentityKey } from '../src/modules/identity/identity-keys.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import { totpCodeAt } from '../src/modules/identity/totp.js';
import type { OutgoingMessage } from '../src/modules/notifications/channels.js';
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
 * The whole story of a motor claim (issue 4's "done when"; S0.1 lifecycle, S3.2 duty, S3.3 maker-checker,
 * section 8 portal) through the UI only, in Chromium against a real server on a fresh store:
 *
 * 1. a policyholder (customer, motor policy and bank card seeded through the services) registers in the
 *    portal with the code sent to the phone on file, signs in with password and code, reports a motor claim
 *    and uploads an accident photo;
 * 2. the intake clerk signs in to the console, finds the claim and registers it (立案);
 * 3. the adjuster it was assigned to by rule surveys (查勘), assesses (定损) and adjusts (理算) it and
 *    proposes a payout to the claimant's masked account;
 * 4. the claims supervisor approves the payout, confirming with a TOTP code in the step-up modal;
 * 5. finance pays it from the 赔款支付 queue and the claim closes (结案);
 * 6. the customer sees the claim closed, what was paid to which (masked) account, and who accessed their
 *    data: each of the four staff by role and internal number.
 *
 * Every page of the story is photographed to test-results/whole-story-*.png.
 */
const haveChromium = chromiumAvailable('whole-story browser test');
const STAFF_PASSWORD = 'Harbour-Willow-Brightly-58';
const CUSTOMER_PASSWORD = 'Peony-Lantern-Softly-2026';
const PAYOUT = '8,600';
const CARD_PAYLOAD = '622202100012345';
const CARD = `${CARD_PAYLOAD}${luhnCheckDigit(CARD_PAYLOAD)}`;

/** Polls until the expectation holds; generous, since the test shares its CPUs with other work. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

type Person = { username: string; role: StaffRole; userId: string; totpSecret: string };
const ROLE_LABELS = {
  claims_intake: '报案受理员',
  adjuster: '理算员',
  claims_supervisor: '理赔主管',
  finance: '财务',
} as Record<StaffRole, string>;

describe.skipIf(!haveChromium)('the whole story of a motor claim in Chromium', () => {
  let dataDir: string;
  let running: RunningServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let customerContext: BrowserContext;
  let customerPage: Page;
  let policyNumber = '';
  let claimId = '';
  let claimNumber = '';
  const staff = new Map<StaffRole, Person>();
  const texts: OutgoingMessage[] = [];
  const pageErrors: string[][] = [];
  /** A full-page photo from the top (the console's header is sticky and would be drawn mid-page). */
  const shot = async (name: string, on: Page = page) => {
    await on.evaluate('window.scrollTo(0, 0)');
    await on.screenshot({ path: join(SCREENSHOTS, `whole-story-${name}.png`), fullPage: true });
  };

  /** The one-time code in the latest text to the customer's phone after `mark` texts had been sent. */
  async function codeTexted(mark: number): Promise<string> {
    await eventually(() => texts.slice(mark).filter((text) => text.to === ZHANG_SAN.phone).length).toBe(1);
    const text = texts.slice(mark).find((candidate) => candidate.to === ZHANG_SAN.phone) as OutgoingMessage;
    const code = /(\d{6})/.exec(text.body)?.[1];
    if (!code) throw new Error('the text carries no code');
    return code;
  }

  /** Creates a staff member and sets them up through the API (new password, authenticator). */
  async function hire(identity: IdentityService, role: StaffRole, branch: string | null): Promise<Person> {
    const username = `story-${role.replace('_', '-')}`;
    const { user, oneTimePassword } = await identity.createUser(
      { principal: null, requestId: null, ip: null, userAgent: null },
      { username, displayName: `故事 ${role}`, role, branch, accessExpiresAt: null },
    );
    const login = await running.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: oneTimePassword },
    });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = (login.json() as { csrfToken: string }).csrfToken;
    const post = (path: string, body?: object) =>
      running.app.inject({
        method: 'POST',
        url: `/api/v1${path}`,
        headers: { cookie, 'x-csrf-token': csrf },
        ...(body ? { payload: body } : {}),
      });
    const changed = await post('/auth/password', {
      currentPassword: oneTimePassword,
      newPassword: STAFF_PASSWORD,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const totpSecret = ((await post('/auth/totp/enrolment')).json() as { secret: string }).secret;
    // The previous time step, so the sign-in (this step) and a step-up (the next) each get a newer one.
    const confirmed = await post('/auth/totp/enrolment/confirm', {
      code: totpCodeAt(totpSecret, Date.now() - 30_000),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    await post('/auth/logout');
    const person = { username, role, userId: user.id, totpSecret };
    staff.set(role, person);
    return person;
  }

  /** A browser window of its own for a staff member, signed in with password and authenticator code. */
  async function signIn(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    const next = await context.newPage();
    pageErrors.push(collectPageErrors(next));
    await next.goto(`${url}/login`);
    await next.getByLabel('登录名').fill(person.username);
    await next.getByLabel('密码').fill(STAFF_PASSWORD);
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

  /** Opens the claim from the console's claims list, the way staff find it: by its number. */
  async function openClaimFromList(): Promise<void> {
    await page.getByRole('menuitem', { name: /理赔案件/ }).click();
    await page.waitForURL(/\/claims$/);
    const row = page
      .getByTestId('claims-table')
      .locator('tbody tr.ant-table-row')
      .filter({ hasText: claimNumber });
    await eventually(() => row.count()).toBe(1);
    await row.getByTestId('claim-link').click();
    await page.waitForURL(new RegExp(`/claims/${claimId}$`));
  }

  /** Clicks a lifecycle button and waits for the state it leads to. */
  async function move(to: string, label: string): Promise<void> {
    await page.getByTestId(`transition-${to}`).click();
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe(label);
  }

  /** Answers the step-up modal if the server asks for a fresh second factor. */
  async function answerStepUp(person: Person, done: () => Promise<unknown>, name: string): Promise<boolean> {
    const stepUp = page.getByTestId('step-up-code');
    await Promise.race([done(), stepUp.waitFor()]);
    if (!(await stepUp.isVisible())) return false;
    await page.waitForTimeout(300); // the opening animation
    await shot(name);
    await stepUp.fill(totpCodeAt(person.totpSecret, Date.now() + 30_000));
    await page.getByTestId('step-up-submit').click();
    await done();
    return true;
  }

  beforeAll(async () => {
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-e2e-story-'));
    const config = { ...loadConfig({}), dataDir, databaseUrl: undefined, port: 0, host: '127.0.0.1' };
    // The texts the server sends (one-time codes, claim notices) land here instead of at a carrier.
    const sms = {
      async send(message: OutgoingMessage) {
        texts.push(message);
        return { providerMessageId: null };
      },
    };
    running = await startServer(config, createLogger('warn', new LogCapture()), { channels: { sms } });
    url = running.url;
    const services = running.app.claims;
    if (!services) throw new Error('the server has no claims services');

    // The policyholder: customer, motor policy of the Beijing branch, bank card on file.
    const db = running.store.db;
    const context = { actor: SYSTEM_ACTOR, requestId: null };
    const customerId = await services.customers.createCustomer(
      db,
      { ...ZHANG_SAN, branch: 'beijing' },
      context,
    );
    const year = new Date().getUTCFullYear();
    policyNumber = `PDAA${year}BJ000417`;
    await services.customers.createPolicy(
      db,
      {
        number: policyNumber,
        productLine: 'motor',
        branch: 'beijing',
        holderId: customerId,
        startsOn: `${year - 1}-06-01`,
        endsOn: `${year + 1}-05-31`,
        sumInsured: '300000.00',
        parties: [{ customerId, role: 'insured' }],
      },
      context,
    );
    await services.customers.addBankAccount(
      db,
      customerId,
      { bankName: '中国工商银行', number: CARD, holderName: ZHANG_SAN.name },
      context,
    );

    // The staff on duty in Beijing (finance works for every branch).
    const identity = new IdentityService(db, {
      audit: running.audit,
      secretBox: new SecretBox(loadIdentityKey({ dataDir, fromEnv: undefined })),
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 8 * 3_600_000,
    });
    await hire(identity, 'claims_intake', 'beijing');
    await hire(identity, 'adjuster', 'beijing');
    await hire(identity, 'claims_supervisor', 'beijing');
    await hire(identity, 'finance', null);

    browser = await launchChromium();
    customerContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
    });
    customerPage = await customerContext.newPage();
    pageErrors.push(collectPageErrors(customerPage));
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const name = `failed-${task.name.replace(/\W+/g, '-')}`;
      await shot(name, page ?? customerPage).catch(() => {});
      await shot(`${name}-customer`, customerPage).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await running?.app.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('1. the customer registers in the portal, signs in, reports a motor claim and uploads a photo', async () => {
    const portal = customerPage;
    await portal.goto(`${url}/portal/login`);
    await portal.getByRole('link', { name: '还没有账号？注册' }).click();
    await portal.waitForURL(/\/portal\/register$/);
    await portal.getByLabel('身份证号码').fill(ZHANG_SAN.idNumber);
    await portal.getByRole('textbox', { name: '手机号' }).fill(ZHANG_SAN.phone);
    await shot('01-portal-register', portal);
    let mark = texts.length;
    await portal.getByRole('button', { name: '获取验证码' }).click();
    await portal.getByRole('heading', { name: '设置密码' }).waitFor();
    await portal.getByLabel('验证码').fill(await codeTexted(mark));
    await portal.getByLabel('新密码', { exact: true }).fill(CUSTOMER_PASSWORD);
    await portal.getByLabel('再次输入新密码').fill(CUSTOMER_PASSWORD);
    await shot('02-portal-register-code', portal);
    await portal.getByRole('button', { name: '完成注册' }).click();
    await portal.getByText('密码已设置，请登录。').waitFor();
    await shot('03-portal-registered', portal);
    await portal.getByRole('button', { name: '客户登录' }).click();

    await portal.waitForURL(/\/portal\/login$/);
    await portal.getByLabel('手机号或电子邮箱').fill(ZHANG_SAN.phone);
    await portal.getByLabel('密码').fill(CUSTOMER_PASSWORD);
    await shot('04-portal-login', portal);
    mark = texts.length;
    await portal.getByRole('button', { name: '下一步' }).click();
    await portal.getByRole('heading', { name: '输入验证码' }).waitFor();
    await portal.getByLabel('验证码').fill(await codeTexted(mark));
    await shot('05-portal-login-code', portal);
    await portal.getByRole('button', { name: /登\s*录/ }).click();
    await portal.waitForURL(/\/portal\/claims$/);
    // Masked, as everywhere: the customer's own name is not shown in full either.
    await eventually(() => portal.getByText(/^张\*+$/).count()).toBe(1);
    await shot('06-portal-claims-empty', portal);

    await portal
      .getByRole('button', { name: /报\s*案/ })
      .first()
      .click();
    await portal.waitForURL(/\/portal\/report$/);
    await portal.getByLabel('保单').click();
    await portal.locator('.ant-select-item-option').filter({ hasText: policyNumber }).click();
    const incident = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    await portal.getByLabel('出险日期').fill(incident);
    // Typed, then committed by leaving the field (Enter would submit the form).
    await portal.getByRole('heading', { name: '报案' }).click();
    await eventually(() => portal.getByLabel('出险日期').inputValue()).toBe(incident);
    await portal.getByLabel('申请金额（元，可选）').fill('9200');
    await portal.getByLabel('事故经过').fill('在建国路等红灯时被后车追尾，后保险杠和尾灯损坏。');
    await portal.getByLabel('出险地点').fill('北京市朝阳区建国路与东三环路口');
    await shot('07-portal-report', portal);
    await portal.getByRole('button', { name: '提交报案' }).click();
    await portal.waitForURL(/\/portal\/claims\/[0-9a-f-]{36}$/);
    claimId = portal.url().split('/').at(-1) as string;
    const heading = portal.getByRole('heading', { level: 3 });
    await eventually(() => heading.textContent()).toMatch(/^CL\d+ 报案$/);
    claimNumber = ((await heading.textContent()) ?? '').split(' ')[0] as string;

    // The accident photo: a real JPEG, through the upload button.
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#b33' } })
      .jpeg({ quality: 80 })
      .toBuffer();
    const chooser = portal.waitForEvent('filechooser');
    await portal.getByRole('button', { name: '上传材料' }).click();
    await (await chooser).setFiles({ name: '追尾现场.jpg', mimeType: 'image/jpeg', buffer: photo });
    await portal.getByText('材料已上传').waitFor();
    const documents = portal.getByTestId('portal-documents');
    await eventually(() => documents.textContent()).toContain('事故照片');
    expect(await documents.textContent()).toContain('image/jpeg');
    // The amount as money; the description and place masked, like everywhere.
    const details = portal.locator('.ant-descriptions').first();
    expect(await details.textContent()).toContain('¥9,200.00');
    expect(await details.textContent()).toContain('车险');
    await portal.waitForTimeout(500);
    await shot('08-portal-claim-reported', portal);
  }, 90_000);

  it('2. the intake clerk finds the claim in the console and registers it (立案)', async () => {
    await signIn(staff.get('claims_intake') as Person);
    await openClaimFromList();
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('报案');
    expect(await page.getByTestId('claim-overview').textContent()).toContain('客户自助');
    expect(await page.getByTestId('claimant-name').textContent()).toContain('已脱敏');
    // The customer's photo is on the claim, uploaded by the customer (by kind, not the code `customer`).
    const documents = page.getByTestId('documents-table');
    await eventually(() => documents.locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await documents.textContent()).toContain('image/jpeg');
    await eventually(() => documents.locator('tbody tr.ant-table-row').textContent()).toContain('客户');
    expect(await documents.textContent()).not.toContain('customer');
    expect(await page.getByTestId('claim-timeline').textContent()).toMatch(/受理报案.*客户/);
    await shot('09-console-intake-reported');

    await move('registered', '立案');
    // Assigned by the rule: the only adjuster of the branch.
    const adjuster = staff.get('adjuster') as Person;
    await eventually(() => page.getByTestId('claim-overview').textContent()).toContain(adjuster.userId);
    await page.waitForTimeout(500);
    await shot('10-console-intake-registered');
    await page.context().close();
  }, 90_000);

  it('3. the assigned adjuster surveys, assesses and adjusts it, and proposes the payout', async () => {
    await signIn(staff.get('adjuster') as Person);
    await openClaimFromList();
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('立案');
    await move('surveying', '查勘');
    await move('assessing', '定损');
    await move('adjusting', '理算');
    const timeline = page.getByTestId('claim-timeline');
    await eventually(() => timeline.locator('.ant-timeline-item').count()).toBe(5);
    expect(await timeline.textContent()).toContain('定损 → 理算');

    const card = page.getByTestId('payout-card');
    await card.getByTestId('payout-propose-form').waitFor();
    await card.getByTestId('payout-amount-input').fill(PAYOUT);
    await card.getByTestId('payout-payee-select').click();
    const option = page.locator('.ant-select-item-option').filter({ hasText: '中国工商银行' });
    await option.waitFor();
    // The card number and the holder's name come masked.
    const optionText = (await option.textContent()) ?? '';
    expect(optionText).toContain(CARD.slice(-4));
    expect(optionText).not.toContain(CARD);
    expect(optionText).toContain('*');
    await option.click();
    await shot('11-console-adjuster-propose');
    await card.getByTestId('payout-propose').click();

    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('核赔');
    await eventually(() => card.getByTestId('payout-state').textContent()).toBe('待核赔');
    expect(await card.getByTestId('payout-amount').textContent()).toContain('8,600.00');
    expect(await card.getByTestId('payout-payee').textContent()).toMatch(/\*.*已脱敏/);
    await page.waitForTimeout(500);
    await shot('12-console-adjuster-proposed');
    await page.context().close();
  }, 90_000);

  it('4. the claims supervisor approves the payout with a TOTP code in the step-up modal', async () => {
    const supervisor = staff.get('claims_supervisor') as Person;
    await signIn(supervisor);
    // Sign-in was minutes ago, as far as the server knows: approving asks for the second factor again.
    await running.store.db
      .updateTable('staff_sessions')
      .set({ second_factor_at: new Date(Date.now() - 10 * 60_000) })
      .where('user_id', '=', supervisor.userId)
      .execute();
    await openClaimFromList();
    const card = page.getByTestId('payout-card');
    await eventually(() => card.getByTestId('payout-state').textContent()).toBe('待核赔');
    await card.getByTestId('payout-approve').click();
    const approved = () =>
      card.getByTestId('payout-state').filter({ hasText: '已核准' }).waitFor({ timeout: 15_000 });
    expect(await answerStepUp(supervisor, approved, '13-console-supervisor-step-up')).toBe(true);
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('赔款支付');
    expect(await card.getByTestId('payout-approvals').textContent()).toContain('1/1');
    await page.waitForTimeout(500);
    await shot('14-console-supervisor-approved');
    await page.context().close();
  }, 90_000);

  it('5. finance pays it from the 赔款支付 queue and the claim closes (结案)', async () => {
    const finance = staff.get('finance') as Person;
    await signIn(finance);
    await page.getByRole('menuitem', { name: /赔款支付/ }).click();
    await page.waitForURL(/\/payouts$/);
    const row = page
      .getByTestId('payouts-table')
      .locator('tbody tr.ant-table-row')
      .filter({ has: page.locator(`a[href="/claims/${claimId}"]`) });
    await eventually(() => row.count()).toBe(1);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('已核准');
    expect(rowText).toContain('¥8,600.00');
    expect(rowText).toContain(CARD.slice(-4));
    expect(rowText).not.toContain(CARD);
    await shot('15-console-finance-queue');
    await row.getByTestId('payout-claim-link').click();
    await page.waitForURL(new RegExp(`/claims/${claimId}$`));

    const card = page.getByTestId('payout-card');
    await card.getByTestId('payout-execute').click();
    const open = page.locator('.ant-popconfirm:not(.ant-popover-hidden)');
    await eventually(() => open.count()).toBe(1);
    await page.waitForTimeout(300); // the opening animation
    await open.getByRole('button', { name: /支付赔款/ }).click();
    const paid = () =>
      card.getByTestId('payout-state').filter({ hasText: '已支付' }).waitFor({ timeout: 15_000 });
    await answerStepUp(finance, paid, '16-console-finance-step-up');
    await eventually(() => page.getByTestId('claim-state').textContent()).toBe('结案');
    expect(await card.getByTestId('payout-reference').textContent()).not.toBe('');
    await page.waitForTimeout(800); // let the success message and animations settle
    await shot('17-console-finance-paid');
    await page.context().close();
  }, 90_000);

  it('6. the customer sees the claim closed and who accessed their data', async () => {
    const portal = customerPage;
    page = portal;
    await portal.getByRole('link', { name: '我的理赔', exact: true }).click();
    await portal.waitForURL(/\/portal\/claims$/);
    const row = portal.locator('tbody tr.ant-table-row').filter({ hasText: claimNumber });
    await eventually(() => row.textContent()).toContain('结案');
    await shot('18-portal-claims-closed', portal);

    await row.getByRole('link').first().click();
    await portal.waitForURL(new RegExp(`/portal/claims/${claimId}$`));
    await eventually(() => portal.getByRole('heading', { level: 3 }).textContent()).toContain('结案');
    const timeline = portal.locator('.ant-card').filter({ hasText: '处理记录' });
    for (const state of ['报案', '立案', '查勘', '定损', '理算', '核赔', '赔款支付', '结案'])
      expect(await timeline.textContent()).toContain(state);
    expect(await timeline.textContent()).toContain('操作方：您本人');
    expect(await timeline.textContent()).toContain('操作方：报案受理员');
    // What was paid, to which bank and card: masked, as everywhere.
    const payout = (await portal.getByTestId('portal-payouts').textContent()) ?? '';
    expect(payout).toContain('¥8,600.00');
    expect(payout).toContain('已支付');
    expect(payout).toContain(`中国工商银行`);
    expect(payout).toMatch(new RegExp(`\\*+ ?${CARD.slice(-4)}`));
    expect(payout).not.toContain(CARD);
    await portal.waitForTimeout(500);
    await shot('19-portal-claim-closed', portal);

    // The notices of every step, the payment among them.
    await portal.getByRole('link', { name: /^消息/ }).click();
    await portal.waitForURL(/\/portal\/notifications$/);
    const notices = portal.getByTestId('portal-notifications');
    await eventually(() => notices.textContent()).toContain('赔款已支付');
    expect(await notices.textContent()).toContain('赔款已支付到您登记的账户，案件已结案');
    expect(await notices.textContent()).toContain('当前状态：赔款支付');
    expect(await notices.textContent()).not.toContain(claimNumber);
    await shot('19b-portal-notifications', portal);

    await portal.getByRole('link', { name: '谁查看了我的信息', exact: true }).click();
    await portal.waitForURL(/\/portal\/access-history$/);
    // Everyone who touched the customer's data, one row each: the four staff by role and number.
    const summary = portal.getByTestId('access-summary').locator('tbody tr.ant-table-row');
    await eventually(() => summary.count()).toBeGreaterThanOrEqual(5);
    const parties = await summary.allTextContents();
    const rowOf = (role: StaffRole) => {
      const person = staff.get(role) as Person;
      const label = ROLE_LABELS[role];
      const row = parties.find((text) => text.startsWith(`${label}（编号 ${person.userId.slice(0, 8)}）`));
      expect(row, `${role} in ${parties.join(' | ')}`).toBeDefined();
      // Staff by role and number, never by name or login.
      expect(row).not.toContain(person.username);
      return row as string;
    };
    expect(rowOf('claims_intake')).toContain('理赔处理');
    expect(rowOf('adjuster')).toMatch(/理赔处理.*银行卡号/);
    expect(rowOf('claims_supervisor')).toContain('理赔处理');
    // Finance read the bank card to pay it.
    expect(rowOf('finance')).toMatch(/赔款支付.*银行卡号/);
    expect(parties.at(-1)).toMatch(/^您本人/);

    // Every entry, newest first, in words: the payment is the latest thing that happened.
    const entries = portal.getByTestId('access-history').locator('tbody tr.ant-table-row');
    await eventually(() => entries.count()).toBeGreaterThan(10);
    const latest = (await entries.allTextContents()).slice(0, 15).join('\n');
    expect(latest).toContain('赔款已支付');
    expect(latest).toContain(`财务（编号 ${(staff.get('finance') as Person).userId.slice(0, 8)}）`);
    expect(latest).not.toMatch(/personal-data\.|payout\.|customer\.name/);
    await portal.waitForTimeout(300);
    await shot('20-portal-access-history', portal);

    await portal.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    await eventually(() => portal.getByRole('heading', { level: 3 }).textContent()).toBe(
      'Who accessed my data',
    );
    const english = (await summary.allTextContents()).join('\n');
    expect(english).toContain(`Finance (no. ${(staff.get('finance') as Person).userId.slice(0, 8)})`);
    expect(english).toContain('Bank card number');
    await shot('21-portal-access-history-en-US', portal);
    await portal.getByRole('link', { name: 'My claims', exact: true }).click();
    await portal.locator('tbody tr.ant-table-row').filter({ hasText: claimNumber }).getByRole('link').click();
    await eventually(() => portal.getByRole('heading', { level: 3 }).textContent()).toContain('Closed');
    expect(await portal.getByTestId('portal-payouts').textContent()).toContain('Paid to');
    await shot('22-portal-claim-closed-en-US', portal);
  }, 90_000);

  it('7. the customer changes their mobile number: a code to the current one, then sign-in with the new one', async () => {
    const portal = customerPage;
    page = portal;
    const newPhone = '13566667777';
    await portal.getByRole('link', { name: 'Contact details', exact: true }).click();
    await portal.waitForURL(/\/portal\/contact$/);
    await portal.getByLabel('New mobile number').fill(newPhone);
    const mark = texts.length;
    await portal.getByRole('button', { name: /Send a code to my current/ }).click();
    // The code goes to the phone on file, never to the new number.
    await eventually(
      () =>
        texts.slice(mark).filter((text) => text.to === ZHANG_SAN.phone && /code|验证码/i.test(text.subject))
          .length,
    ).toBe(1);
    const codeText = texts.slice(mark).find((text) => /code|验证码/i.test(text.subject)) as OutgoingMessage;
    expect(codeText.to).toBe(ZHANG_SAN.phone);
    await portal.getByLabel('Code').fill(/(\d{6})/.exec(codeText.body)?.[1] ?? '');
    await shot('23-portal-contact-change-code', portal);
    await portal.getByRole('button', { name: 'Change it' }).click();
    await portal.getByText('Sign in with your new mobile number from now on.', { exact: false }).waitFor();
    expect(texts.slice(mark).some((text) => text.to === newPhone)).toBe(false);
    // The old number is told of the change (the dispatcher sends it within a few seconds).
    await eventually(() =>
      texts.slice(mark).some((text) => text.to === ZHANG_SAN.phone && /changed|变更/i.test(text.subject)),
    ).toBe(true);
    await shot('24-portal-contact-changed', portal);

    // Signed in anew: the old number no longer signs in, the new one does (its code texted to it).
    await portal.getByRole('button', { name: 'Sign out' }).click();
    await portal.waitForURL(/\/portal\/login$/);
    await portal.getByLabel('Phone number or email').fill(ZHANG_SAN.phone);
    await portal.getByLabel('Password').fill(CUSTOMER_PASSWORD);
    await portal.getByRole('button', { name: 'Next' }).click();
    await portal.locator('.ant-alert-error').waitFor();
    const signIn = texts.length;
    await portal.getByLabel('Phone number or email').fill(newPhone);
    await portal.getByRole('button', { name: 'Next' }).click();
    await eventually(() => texts.slice(signIn).filter((text) => text.to === newPhone).length).toBe(1);
    const signInText = texts.slice(signIn).find((text) => text.to === newPhone) as OutgoingMessage;
    await portal.getByLabel('Code').fill(/(\d{6})/.exec(signInText.body)?.[1] ?? '');
    await portal.getByRole('button', { name: /Sign\s*in/ }).click();
    await portal.waitForURL(/\/portal\/claims$/);
    await shot('25-portal-signed-in-new-phone', portal);
  }, 90_000);

  it('runs under the strict Content-Security-Policy without violations or script errors', () => {
    const errors = pageErrors.flat();
    expect(errors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect(errors.filter((text) => !EXPECTED_REFUSAL.test(text))).toEqual([]);
  });
});
