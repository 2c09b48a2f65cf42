import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CONSOLE_DIR } from '../src/config/package-info.js';
import { abilityFor } from '../src/modules/access/abilities.js';
import type { StaffPrincipal } from '../src/modules/access/principal.js';
import type { BreachNoticeCaller } from '../src/modules/breach-notices/breach-notices.service.js';
import {
  addAffected,
  createAffectedTable,
  SAMPLE_TEXTS,
  seedBulkCustomers,
  TableIncidentSources,
} from '../src/modules/breach-notices/breach-notices-test-kit.js';
import { createTestServer, type TestServer } from '../src/test-support/test-server.js';
import {
  chromiumAvailable,
  collectPageErrors,
  ensureConsoleBuilt,
  launchChromium,
  SCREENSHOTS,
} from './browser-kit.js';

/**
 * The public breach-status page (S4.2) in a real browser, without signing in: an approved, sent campaign
 * is shown with what happened, the categories involved, what was done, what to do and the contact, in the
 * interface language; a drill's campaign is not. The page goes to test-results/breach-status.png.
 */
const haveChromium = chromiumAvailable('breach-status browser test');

function officer(): BreachNoticeCaller {
  const principal: StaffPrincipal = {
    kind: 'staff',
    userId: randomUUID(),
    role: 'security_officer',
    branch: null,
    sessionId: randomUUID(),
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: '',
  };
  return {
    context: { principal, requestId: null, ip: null, userAgent: 'e2e' },
    ability: abilityFor(principal),
  };
}

describe.skipIf(!haveChromium)('public breach status in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let url = '';

  beforeAll(async () => {
    await ensureConsoleBuilt();
    const source = new TableIncidentSources();
    server = await createTestServer({
      rateLimit: 100_000,
      breachNoticeSources: source.sources,
      webConsoleDir: WEB_CONSOLE_DIR,
    });
    const db = server.store.db;
    await createAffectedTable(db);
    const notices = server.app.breachNotices;
    if (!notices) throw new Error('no breach notices');
    for (const [incidentId, reference, isDrill] of [
      ['inc-real', 'INC-2026-0042', false],
      ['inc-drill', 'INC-2026-0099', true],
    ] as const) {
      source.incidents.set(incidentId, { reference, title: 't', isDrill, status: 'contained' });
      const subjects = await seedBulkCustomers(db, 5);
      await addAffected(
        db,
        incidentId,
        subjects.map((id) => ({ id, categories: ['identity', 'financial'] })),
      );
      const texts = isDrill
        ? { ...SAMPLE_TEXTS, 'zh-CN': { ...SAMPLE_TEXTS['zh-CN'], headline: '演练标题' } }
        : SAMPLE_TEXTS;
      const draft = await notices.service.create(officer(), incidentId, { channels: ['in-app'], texts });
      await notices.service.approve(officer(), draft.id, draft.version);
      await notices.service.start(officer(), draft.id);
      await notices.sender.runCampaign(db, draft.id);
    }
    url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the approved campaign to anyone, in Chinese and in English, and never the drill', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${url}/breach-status`);
    await expect
      .poll(() => page.getByRole('heading', { name: SAMPLE_TEXTS['zh-CN'].headline }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('个人信息安全事件通报');
    expect(text).toContain(SAMPLE_TEXTS['zh-CN'].whatHappened);
    expect(text).toContain('身份信息、金融账户信息');
    expect(text).toContain(SAMPLE_TEXTS['zh-CN'].contact);
    expect(text).toContain('INC-2026-0042');
    expect(text).toContain('已控制');
    expect(text).not.toContain('演练标题');
    expect(text).not.toContain('INC-2026-0099');
    await page.screenshot({ path: join(SCREENSHOTS, 'breach-status.png'), fullPage: true });

    await page.getByTestId('language-switch').getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: SAMPLE_TEXTS['en-US'].headline }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    expect((await page.locator('body').textContent()) ?? '').toContain('Identity, Financial account');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
