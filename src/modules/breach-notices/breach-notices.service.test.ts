import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { testVaultKeys } from '../../test-support/vault-fixtures.js';
import { abilityFor } from '../access/abilities.js';
import type { StaffPrincipal } from '../access/principal.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { LI_SI, ZHANG_SAN } from '../claims/claims-test-kit.js';
import { CustomerService } from '../claims/customers.service.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';
import { NotificationService } from '../notifications/notifications.service.js';
import type { Channel } from '../notifications/notifications.tables.js';
import { RecordingSms, TestDirectory } from '../notifications/notifications-test-kit.js';
import { VaultService } from '../vault/vault.service.js';
import { BreachNoticeSender } from './breach-notice-sender.js';
import { type BreachNoticeCaller, BreachNoticesService } from './breach-notices.service.js';
import {
  addAffected,
  categoriesFor,
  createAffectedTable,
  SAMPLE_TEXTS,
  seedBulkCustomers,
  TableIncidentSources,
} from './breach-notices-test-kit.js';

/**
 * Breach notices to customers (S4.2): campaign texts and maker-checker, the sending job (pages, cursor,
 * languages, exactly one notice per subject and channel, pause and resume, one process at a time),
 * rendering at sending time, delivery tracking, retry on another channel, letters, the public notice,
 * the public status and the portal banner.
 */
const PUBLIC_URL = 'https://claims.example.com';

function officer(options: { stepUp?: boolean } = {}): BreachNoticeCaller {
  const principal: StaffPrincipal = {
    kind: 'staff',
    userId: randomUUID(),
    role: 'security_officer',
    branch: null,
    sessionId: randomUUID(),
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: options.stepUp === false ? new Date(Date.now() - 3_600_000) : new Date(),
    csrfToken: '',
  };
  return {
    context: { principal, requestId: randomUUID(), ip: '127.0.0.1', userAgent: 'vitest' },
    ability: abilityFor(principal),
  };
}

function idOf(caller: BreachNoticeCaller): string {
  return (caller.context.principal as StaffPrincipal).userId;
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describeEachStore('breach notices', (kind) => {
  let store: Store;
  let audit: RecordingAudit;
  let notifications: NotificationService;
  let customers: CustomerService;
  let source: TableIncidentSources;
  let service: BreachNoticesService;
  let sender: BreachNoticeSender;
  const maker = officer();
  const checker = officer();

  beforeAll(async () => {
    store = await openTestStore(kind);
    await createAffectedTable(store.db);
  });

  afterAll(async () => {
    await store.close();
  });

  beforeEach(async () => {
    await store.db.deleteFrom('notifications').execute();
    await store.db.deleteFrom('breach_notice_campaigns').execute();
    audit = new RecordingAudit();
    notifications = new NotificationService({ secretKey: randomBytes(32), publicUrl: PUBLIC_URL });
    customers = new CustomerService(new VaultService({ keys: testVaultKeys(), audit }), audit);
    source = new TableIncidentSources();
    service = new BreachNoticesService(store.db, {
      sources: source.sources,
      notifications,
      customers,
      audit,
      publicUrl: PUBLIC_URL,
    });
    sender = new BreachNoticeSender({ notifications, affected: source, customers, pageSize: 40 });
  });

  /** An incident with `count` affected customers (every 4th in en-US); returns its id and their ids. */
  async function incidentWith(count: number, options: { isDrill?: boolean } = {}) {
    const incidentId = `inc-${randomUUID()}`;
    const reference = `INC-2026-${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    source.incidents.set(incidentId, {
      reference,
      title: 'Night-time bulk reads',
      isDrill: options.isDrill ?? false,
      status: 'contained',
    });
    const subjects = await seedBulkCustomers(store.db, count);
    await addAffected(
      store.db,
      incidentId,
      subjects.map((id, index) => ({ id, categories: categoriesFor(index) })),
    );
    return { incidentId, reference, subjects };
  }

  async function approvedCampaign(incidentId: string, channels: Channel[] = ['in-app', 'sms']) {
    const draft = await service.create(maker, incidentId, { channels, texts: SAMPLE_TEXTS });
    return service.approve(checker, draft.id, draft.version);
  }

  const outbox = (batchId: string) =>
    store.db
      .selectFrom('notifications')
      .select(['recipient_id', 'channel', 'language', 'params', 'dedupe_key', 'template_id', 'status'])
      .where('batch_id', '=', batchId)
      .execute();

  it.each([
    ['an ID number', 'whatHappened', '客户 440304198510123458 的档案被查阅', 'id-number'],
    ['a phone number', 'contact', '请致电张经理 13812345678', 'phone'],
    ['a bank card number', 'measuresTaken', '已冻结卡号 6222 0212 3456 7890', 'bank-card'],
    ['an email address', 'whatYouCanDo', 'write to zhang.sanfeng@example.cn', 'email'],
  ] as const)(
    'refuses texts holding %s, naming the field but never the value',
    async (_label, field, text, found) => {
      const { incidentId } = await incidentWith(1);
      const texts = { ...SAMPLE_TEXTS, 'en-US': { ...SAMPLE_TEXTS['en-US'], [field]: text } };
      const error = await refusal(service.create(maker, incidentId, { channels: ['sms'], texts }));
      expect(error.code).toBe('personal-data-in-text');
      expect(error.extensions).toEqual({ findings: [{ field: `en-US.${field}`, kinds: [found] }] });
      const said = JSON.stringify([error.message, error.detail, error.extensions]);
      for (const digits of text.match(/[0-9][0-9 ]{6,}[0-9]|\S+@\S+/g) ?? [])
        expect(said).not.toContain(digits);
      expect(await service.forIncident(maker, incidentId)).toBeNull();
    },
  );

  it('keeps maker and checker apart: the author and the last editor cannot approve, a second officer can', async () => {
    const { incidentId } = await incidentWith(1);
    const draft = await service.create(maker, incidentId, {
      channels: ['sms', 'email'],
      texts: SAMPLE_TEXTS,
    });
    expect(draft).toMatchObject({
      state: 'draft',
      version: 1,
      createdBy: idOf(maker),
      updatedBy: idOf(maker),
    });
    expect((await refusal(service.approve(maker, draft.id, 1))).code).toBe('four-eyes-required');
    expect((await refusal(service.start(checker, draft.id))).code).toBe('campaign-state');

    // The checker edits: now the checker is an author too, and a third officer must approve.
    const edited = await service.update(checker, draft.id, {
      version: 1,
      channels: ['sms'],
      texts: { ...SAMPLE_TEXTS, 'zh-CN': { ...SAMPLE_TEXTS['zh-CN'], headline: '理赔档案遭未授权访问' } },
    });
    expect(edited).toMatchObject({
      version: 2,
      channels: ['sms'],
      createdBy: idOf(maker),
      updatedBy: idOf(checker),
    });
    expect((await refusal(service.approve(checker, draft.id, 2))).code).toBe('four-eyes-required');
    const third = officer();
    expect((await refusal(service.approve(third, draft.id, 1))).code).toBe('stale-version');
    const approved = await service.approve(third, draft.id, 2);
    expect(approved).toMatchObject({ state: 'approved', approvedBy: idOf(third) });

    // Changing approved texts withdraws the approval.
    const reopened = await service.update(maker, draft.id, {
      version: 2,
      channels: ['sms'],
      texts: SAMPLE_TEXTS,
    });
    expect(reopened).toMatchObject({ state: 'draft', approvedBy: null, version: 3 });
    expect(
      (await refusal(service.create(maker, incidentId, { channels: ['sms'], texts: SAMPLE_TEXTS }))).code,
    ).toBe('conflict');
    expect(audit.actions()).toEqual([
      'breach-notice.campaign-created:success',
      'breach-notice.campaign-edited:success',
      'breach-notice.campaign-approved:success',
      'breach-notice.campaign-edited:success',
    ]);
  });

  it('refuses a campaign for an unknown incident', async () => {
    const error = await refusal(
      service.create(maker, 'no-such-incident', { channels: ['sms'], texts: SAMPLE_TEXTS }),
    );
    expect(error.code).toBe('not-found');
  });

  it("queues exactly one notice per subject and channel, in each customer's language, page by page", async () => {
    const { incidentId, reference, subjects } = await incidentWith(250);
    const campaign = await approvedCampaign(incidentId);
    await service.start(maker, campaign.id);
    const seen: number[] = [];
    expect(await sender.runCampaign(store.db, campaign.id, { onProgress: (p) => seen.push(p.done) })).toBe(
      'done',
    );
    // 40 per page: 6 full pages and a short one.
    expect(seen).toEqual([40, 80, 120, 160, 200, 240, 250]);

    const rows = await outbox(campaign.id);
    expect(rows).toHaveLength(500);
    const keys = new Set(rows.map((row) => `${row.recipient_id}:${row.channel}`));
    expect(keys.size).toBe(500);
    subjects.forEach((id, index) => {
      for (const channel of ['in-app', 'sms'] as const) {
        const row = rows.find((candidate) => candidate.recipient_id === id && candidate.channel === channel);
        expect(row, `${index} ${channel}`).toMatchObject({
          template_id: 'breach.notice',
          status: 'pending',
          language: index % 4 === 0 ? 'en-US' : 'zh-CN',
          dedupe_key: `breach:${campaign.id}:${id}:${channel}`,
          // SECURITY: the row holds the reference, category ids and a link path; the texts are not copied.
          params: {
            incident: reference,
            categories: categoriesFor(index)
              .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
              .join(','),
            link: `/portal/compensation/${reference}`,
          },
        });
      }
    });
    const done = await service.get(maker, campaign.id);
    expect(done).toMatchObject({
      state: 'done',
      progress: { done: 250, total: 250, queued: 500 },
      categories: ['identity', 'contact', 'financial', 'health'],
    });
    expect(done.finishedAt).toBeInstanceOf(Date);

    // Running again queues nothing: the job is done, and the dedupe keys would refuse doubles anyway.
    expect(await sender.sendPage(store.db, campaign.id)).toEqual({ kind: 'skipped' });
    expect(await outbox(campaign.id)).toHaveLength(500);
  });

  it('pauses at the next page and resumes where it stopped; counts the affected by paging when the source has no count', async () => {
    source.withCount = false;
    const { incidentId, subjects } = await incidentWith(100);
    const campaign = await approvedCampaign(incidentId, ['email']);
    await service.start(maker, campaign.id);
    expect(await sender.sendPage(store.db, campaign.id)).toMatchObject({
      kind: 'page',
      done: 40,
      total: 100,
    });
    await service.pause(maker, campaign.id);
    expect(await sender.sendPage(store.db, campaign.id)).toEqual({ kind: 'skipped' });
    expect(await sender.runCampaign(store.db, campaign.id)).toBe('stopped');
    expect(await service.get(maker, campaign.id)).toMatchObject({
      state: 'paused',
      progress: { done: 40, total: 100, queued: 40 },
    });
    expect((await refusal(service.pause(maker, campaign.id))).code).toBe('campaign-state');

    await service.start(maker, campaign.id);
    expect(await sender.runCampaign(store.db, campaign.id)).toBe('done');
    const rows = await outbox(campaign.id);
    expect(rows.map((row) => row.recipient_id).sort()).toEqual(subjects);
    expect(await service.get(maker, campaign.id)).toMatchObject({
      progress: { done: 100, total: 100, queued: 100 },
    });
  });

  it('never runs one campaign in two senders at once, and still queues each notice once', async () => {
    const { incidentId } = await incidentWith(200);
    const campaign = await approvedCampaign(incidentId);
    await service.start(maker, campaign.id);
    source.delayMs = 15;
    const other = new BreachNoticeSender({ notifications, affected: source, customers, pageSize: 40 });
    const [a, b] = await Promise.all([
      sender.runCampaign(store.db, campaign.id, { busyWaitMs: 5 }),
      other.runCampaign(store.db, campaign.id, { busyWaitMs: 5 }),
    ]);
    expect([a, b]).toEqual(['done', 'done']);
    expect(source.maxConcurrent.get(incidentId)).toBe(1);
    expect(await outbox(campaign.id)).toHaveLength(400);
    expect(await service.get(maker, campaign.id)).toMatchObject({
      progress: { done: 200, total: 200, queued: 400 },
    });
  });

  it('sweeps again after the blast radius widened, notifying only those added', async () => {
    const { incidentId } = await incidentWith(30);
    const campaign = await approvedCampaign(incidentId, ['sms']);
    await service.start(maker, campaign.id);
    await sender.runCampaign(store.db, campaign.id);
    const added = await seedBulkCustomers(store.db, 15);
    await addAffected(
      store.db,
      incidentId,
      added.map((id) => ({ id, categories: ['location'] })),
    );
    await service.start(maker, campaign.id);
    await sender.runCampaign(store.db, campaign.id);
    const rows = await outbox(campaign.id);
    expect(rows).toHaveLength(45);
    expect(await service.get(maker, campaign.id)).toMatchObject({
      state: 'done',
      progress: { done: 45, total: 45, queued: 45 },
    });
    expect((await service.get(maker, campaign.id)).categories).toContain('location');
  });

  it('renders each notice at sending time with the campaign texts in the customer language, marked when a drill', async () => {
    const { incidentId, reference, subjects } = await incidentWith(4, { isDrill: true });
    const campaign = await approvedCampaign(incidentId, ['in-app', 'sms']);
    await service.start(maker, campaign.id);
    await sender.runCampaign(store.db, campaign.id);
    const directory = new TestDirectory();
    for (const id of subjects)
      directory.set({ kind: 'customer', id }, 'sms', `+86 139 0000 ${id.slice(0, 4)}`);
    const sms = new RecordingSms();
    const dispatcher = new NotificationDispatcher({ service: notifications, directory, sms, batchSize: 50 });
    expect(await dispatcher.dispatchDue(store.db)).toMatchObject({ claimed: 8, sent: 8, failed: 0 });
    expect(sms.sent).toHaveLength(4);
    const english = sms.sent.find((message) => message.language === 'en-US');
    const chinese = sms.sent.find((message) => message.language === 'zh-CN');
    expect(english?.subject).toBe(
      `[DRILL] [Personal data breach notice ${reference}] ${SAMPLE_TEXTS['en-US'].headline}`,
    );
    expect(english?.body).toContain(SAMPLE_TEXTS['en-US'].whatHappened);
    expect(english?.body).toContain('Your personal data involved: Identity, Contact');
    expect(english?.body).toContain('Contact: you may receive unwanted calls');
    expect(english?.body).toContain(`${PUBLIC_URL}/portal/compensation/${reference}`);
    expect(chinese?.subject.startsWith('【演练】【个人信息安全事件告知')).toBe(true);
    expect(chinese?.body).toContain(SAMPLE_TEXTS['zh-CN'].measuresTaken);
    expect(chinese?.body).toContain(SAMPLE_TEXTS['zh-CN'].contact);

    const inbox = await notifications.listInApp(store.db, { kind: 'customer', id: subjects[0] as string });
    expect(inbox.items[0]?.body).toContain(SAMPLE_TEXTS['en-US'].whatYouCanDo);
  });

  it('tracks delivery per channel, lists failures and retries them on another channel once', async () => {
    const { incidentId, subjects } = await incidentWith(6);
    const campaign = await approvedCampaign(incidentId, ['sms', 'email']);
    await service.start(maker, campaign.id);
    await sender.runCampaign(store.db, campaign.id);
    // Two customers have a phone on file; nobody an email (no provider either).
    const directory = new TestDirectory();
    for (const id of subjects.slice(0, 2)) directory.set({ kind: 'customer', id }, 'sms', '+8613900000000');
    const dispatcher = new NotificationDispatcher({
      service: notifications,
      directory,
      sms: new RecordingSms(),
      batchSize: 50,
    });
    await dispatcher.dispatchDue(store.db);
    expect(await service.delivery(maker, campaign.id)).toEqual([
      { channel: 'email', pending: 0, sent: 0, failed: 0, skipped: 6 },
      { channel: 'sms', pending: 0, sent: 2, failed: 0, skipped: 4 },
    ]);
    const failures = await service.failures(maker, campaign.id, { channel: 'sms', limit: 3 });
    expect(failures.items.map((item) => item.subjectId)).toEqual(subjects.slice(2, 5));
    expect(failures.items[0]).toMatchObject({ status: 'skipped', reason: 'no-address', channel: 'sms' });
    expect(failures.nextAfter).toBe(subjects[4]);
    const rest = await service.failures(maker, campaign.id, {
      channel: 'sms',
      after: failures.nextAfter,
      limit: 3,
    });
    expect(rest).toEqual({ items: [expect.objectContaining({ subjectId: subjects[5] })], nextAfter: null });

    expect((await refusal(service.retryOnChannel(maker, campaign.id, { from: 'sms', to: 'sms' }))).code).toBe(
      'bad-request',
    );
    expect(await service.retryOnChannel(maker, campaign.id, { from: 'sms', to: 'in-app' })).toEqual({
      considered: 4,
      queued: 4,
    });
    // Again: nobody gets the in-app notice twice.
    expect(await service.retryOnChannel(maker, campaign.id, { from: 'sms', to: 'in-app' })).toEqual({
      considered: 4,
      queued: 0,
    });
    const inApp = (await outbox(campaign.id)).filter((row) => row.channel === 'in-app');
    expect(inApp.map((row) => row.recipient_id).sort()).toEqual(subjects.slice(2));
    expect(await service.get(maker, campaign.id)).toMatchObject({ progress: { queued: 16 } });
    expect(audit.actions()).toContain('breach-notice.retried-on-channel:success');
  });

  it('prints letters for customers nobody reached, reading names and addresses through the vault, audited', async () => {
    const context = { actor: SYSTEM_ACTOR, requestId: null };
    const zhang = await customers.createCustomer(store.db, ZHANG_SAN, context);
    const li = await customers.createCustomer(store.db, LI_SI, context);
    const reached = await customers.createCustomer(
      store.db,
      { ...ZHANG_SAN, idType: 'passport', idNumber: 'E12345678', name: '王五' },
      context,
    );
    const incidentId = `inc-${randomUUID()}`;
    source.incidents.set(incidentId, {
      reference: 'INC-2026-0100',
      title: 't',
      isDrill: false,
      status: 'open',
    });
    await addAffected(store.db, incidentId, [
      { id: zhang, categories: ['identity'] },
      { id: li, categories: ['health'] },
      { id: reached, categories: ['contact'] },
    ]);
    const campaign = await approvedCampaign(incidentId, ['sms']);
    const early = await refusal(service.letters(checker, campaign.id, {}));
    expect(early.code).toBe('campaign-state');
    await service.start(maker, campaign.id);
    await sender.runCampaign(store.db, campaign.id);
    const directory = new TestDirectory();
    directory.set({ kind: 'customer', id: reached }, 'sms', '+8613900000001');
    await new NotificationDispatcher({
      service: notifications,
      directory,
      sms: new RecordingSms(),
    }).dispatchDue(store.db);

    expect((await refusal(service.letters(officer({ stepUp: false }), campaign.id, {}))).code).toBe(
      'step-up-required',
    );
    audit.events.length = 0;
    const letters = await service.letters(checker, campaign.id, {});
    expect(letters.count).toBe(2);
    expect(letters.nextAfter).toBeNull();
    expect(letters.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(letters.pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(2);
    expect(letters.pdf.toString('latin1')).toContain('NotoSansSC');

    const reads = audit.events.filter((event) => event.action === 'personal-data.unmask');
    expect(new Set(reads.map((event) => event.dataSubjectId))).toEqual(new Set([zhang, li]));
    for (const read of reads) {
      expect(read).toMatchObject({
        purpose: 'incident-response',
        inTransaction: true,
        resource: { type: 'breach-notice-campaign', id: campaign.id },
      });
      expect([...read.fields].sort()).toEqual(['customer.address', 'customer.name']);
    }
    expect(audit.events.at(-1)).toMatchObject({
      action: 'breach-notice.letters-exported',
      inTransaction: true,
      details: { letters: 2, withoutAddress: 0 },
    });
  });

  it('produces the public notice, the public status (never drafts or drills) and the portal banner', async () => {
    const real = await incidentWith(3);
    const drill = await incidentWith(2, { isDrill: true });
    const draftOnly = await incidentWith(1);
    await service.create(maker, draftOnly.incidentId, { channels: ['sms'], texts: SAMPLE_TEXTS });
    const campaign = await approvedCampaign(real.incidentId, ['in-app']);
    const drillCampaign = await approvedCampaign(drill.incidentId, ['in-app']);

    expect(await service.publicStatus()).toEqual([
      expect.objectContaining({ reference: real.reference, status: 'contained', noticesStarted: false }),
    ]);
    await service.start(maker, campaign.id);
    await sender.runCampaign(store.db, campaign.id);
    await service.start(maker, drillCampaign.id);
    await sender.runCampaign(store.db, drillCampaign.id);

    // The incident moves on; the page follows it.
    const summary = source.incidents.get(real.incidentId);
    if (summary) source.incidents.set(real.incidentId, { ...summary, status: 'closed' });
    const [status] = await service.publicStatus();
    expect(status).toMatchObject({
      reference: real.reference,
      status: 'closed',
      noticesStarted: true,
      texts: SAMPLE_TEXTS,
      categories: ['identity', 'contact', 'financial'],
      categoryNames: {
        'zh-CN': ['身份信息', '联系信息', '金融账户信息'],
        'en-US': ['Identity', 'Contact', 'Financial account'],
      },
    });
    expect(await service.publicStatus()).toHaveLength(1);

    const notice = await service.publicNotice(maker, campaign.id);
    expect(notice['zh-CN'].title).toContain(real.reference);
    expect(notice['zh-CN'].body).toContain('涉及的个人信息种类：身份信息、联系信息、金融账户信息');
    expect(notice['en-US'].body).toContain(`${PUBLIC_URL}/breach-status`);
    expect(notice['en-US'].body).toContain(SAMPLE_TEXTS['en-US'].whatYouCanDo);

    const customerContext = (customerId: string) => ({
      principal: {
        kind: 'customer' as const,
        customerId,
        sessionId: randomUUID(),
        sessionState: 'active' as const,
        csrfToken: '',
      },
      requestId: null,
      ip: null,
      userAgent: null,
    });
    expect(await service.portalBanner(customerContext(real.subjects[0] as string))).toEqual({
      affected: true,
      items: [
        {
          incidentReference: real.reference,
          isDrill: false,
          headline: { 'zh-CN': SAMPLE_TEXTS['zh-CN'].headline, 'en-US': SAMPLE_TEXTS['en-US'].headline },
          noticePath: '/portal/notifications',
          compensationPath: `/portal/compensation/${real.reference}`,
        },
      ],
    });
    expect((await service.portalBanner(customerContext(drill.subjects[0] as string))).items[0]?.isDrill).toBe(
      true,
    );
    expect(await service.portalBanner(customerContext(draftOnly.subjects[0] as string))).toEqual({
      affected: false,
      items: [],
    });
  });
});

const ORDER = ['identity', 'contact', 'financial', 'health', 'biometric', 'location', 'claim-evidence'];
