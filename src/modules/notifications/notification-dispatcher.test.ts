import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { Store } from '../../db/store.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { DeliveryError, type OutgoingMessage, SmtpEmailProvider } from './channels.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { claimDue } from './notifications.repository.js';
import { type Notice, NotificationService, type Recipient } from './notifications.service.js';
import { RecordingSms, startSmtpTestServer, TestClock, TestDirectory } from './notifications-test-kit.js';

const PUBLIC_URL = 'https://claims.example.com';
const PHONE = '13912345678';

describeEachStore('notification dispatcher', (kind) => {
  let store: Store;
  let clock: TestClock;
  let service: NotificationService;
  let directory: TestDirectory;
  let sms: RecordingSms;
  let customer: Recipient;

  const notice = (overrides: Partial<Notice> = {}): Notice =>
    ({
      recipient: customer,
      channel: 'sms',
      template: 'claim.reported',
      params: { claimNumber: 'CLM-****0123', link: '/portal/claims/42' },
      ...overrides,
    }) as Notice;

  const row = (id: string) =>
    store.db
      .selectFrom('notifications')
      .select([
        'status',
        'attempts',
        'next_attempt_at',
        'last_error',
        'sent_at',
        'provider_message_id',
        'sealed_params',
        'claim_token',
      ])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  const dispatcher = (options: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {}) =>
    new NotificationDispatcher({ service, directory, sms, now: clock.now, ...options });

  beforeAll(async () => {
    store = await openTestStore(kind);
  });

  afterAll(async () => {
    await store.close();
  });

  beforeEach(async () => {
    await store.db.deleteFrom('notifications').execute();
    clock = new TestClock();
    service = new NotificationService({ secretKey: randomBytes(32), publicUrl: PUBLIC_URL, now: clock.now });
    customer = { kind: 'customer', id: randomUUID() };
    directory = new TestDirectory();
    directory.set(customer, 'sms', PHONE);
    sms = new RecordingSms();
  });

  it('sends a due notice once, marks it sent with the provider id, and leaves later ones for later', async () => {
    const { id } = await service.enqueue(store.db, notice());
    const later = await service.enqueue(
      store.db,
      notice({ notBefore: new Date(clock.now().getTime() + 60_000) }),
    );
    expect(await dispatcher().dispatchDue(store.db)).toEqual({
      claimed: 1,
      sent: 1,
      skipped: 0,
      failed: 0,
      retrying: 0,
      lost: 0,
    });
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]).toMatchObject({ to: PHONE, language: 'zh-CN', notificationId: id });
    expect(sms.sent[0]?.body).toBe(
      `我们已收到您的理赔申请 CLM-****0123，将尽快处理。查看进度：${PUBLIC_URL}/portal/claims/42`,
    );
    expect(await row(id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      last_error: null,
      claim_token: null,
      provider_message_id: expect.stringMatching(/^sms-/),
      sent_at: clock.now(),
    });
    expect(await dispatcher().dispatchDue(store.db)).toMatchObject({ claimed: 0 });
    expect((await row(later.id)).status).toBe('pending');
    clock.advance(60_000);
    expect(await dispatcher().dispatchDue(store.db)).toMatchObject({ claimed: 1, sent: 1 });
    expect(sms.sent).toHaveLength(2);
  });

  it('retries a failing provider with exponential backoff and gives up after the limit', async () => {
    const { id } = await service.enqueue(
      store.db,
      notice({
        template: 'claim.verification-code',
        params: { claimNumber: 'CLM-****0123', code: '482913', validMinutes: 60 },
      }),
    );
    sms.failTimes(10);
    const d = dispatcher({ maxAttempts: 4, backoff: { baseMs: 1_000, maxMs: 60_000 } });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await d.dispatchDue(store.db)).toMatchObject({ claimed: 1, retrying: 1 });
      const state = await row(id);
      expect(state).toMatchObject({ status: 'pending', attempts: attempt, last_error: 'carrier-busy' });
      expect(state.sealed_params).not.toBeNull(); // still needed for the next attempt
      const delay = state.next_attempt_at.getTime() - clock.now().getTime();
      delays.push(delay);
      // Not due before its time.
      clock.advance(delay - 1);
      expect(await d.dispatchDue(store.db)).toMatchObject({ claimed: 0 });
      clock.advance(1);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(await d.dispatchDue(store.db)).toMatchObject({ claimed: 1, failed: 1 });
    expect(await row(id)).toMatchObject({
      status: 'failed',
      attempts: 4,
      last_error: 'carrier-busy',
      sealed_params: null,
      sent_at: null,
    });
    clock.advance(3_600_000);
    expect(await d.dispatchDue(store.db)).toMatchObject({ claimed: 0 });
    expect(sms.sent).toEqual([]);
  });

  it('succeeds on a retry, and gives up at once on a permanent refusal', async () => {
    const flaky = await service.enqueue(store.db, notice());
    sms.failTimes(1, () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const d = dispatcher({ backoff: { baseMs: 1_000 } });
    expect(await d.dispatchDue(store.db)).toMatchObject({ retrying: 1 });
    expect((await row(flaky.id)).last_error).toBe('ECONNREFUSED');
    clock.advance(1_000);
    expect(await d.dispatchDue(store.db)).toMatchObject({ sent: 1 });
    expect(await row(flaky.id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });

    const refused = await service.enqueue(store.db, notice());
    sms.failTimes(1, () => new DeliveryError('number-unreachable', true));
    expect(await d.dispatchDue(store.db)).toMatchObject({ failed: 1 });
    expect(await row(refused.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'number-unreachable',
    });
  });

  it('skips what cannot be sent: no provider, no address, expired; retries a directory that is down', async () => {
    const noEmail = await service.enqueue(store.db, notice({ channel: 'email' }));
    const stranger: Recipient = { kind: 'customer', id: randomUUID() };
    const noAddress = await service.enqueue(store.db, notice({ recipient: stranger }));
    const code = await service.enqueue(
      store.db,
      notice({
        template: 'claim.verification-code',
        params: { claimNumber: 'CLM-****0123', code: '482913', validMinutes: 5 },
      }),
    );
    clock.advance(5 * 60_000);
    expect(await dispatcher({ sms: null }).dispatchDue(store.db)).toMatchObject({ claimed: 3, skipped: 3 });
    expect(await row(noEmail.id)).toMatchObject({ status: 'skipped', last_error: 'email-not-configured' });
    expect(await row(noAddress.id)).toMatchObject({ status: 'skipped', last_error: 'sms-not-configured' });
    expect(await row(code.id)).toMatchObject({
      status: 'skipped',
      last_error: 'expired',
      sealed_params: null,
    });

    const again = await service.enqueue(store.db, notice({ recipient: stranger }));
    expect(await dispatcher().dispatchDue(store.db)).toMatchObject({ skipped: 1 });
    expect(await row(again.id)).toMatchObject({ status: 'skipped', last_error: 'no-address' });

    const down = await service.enqueue(store.db, notice());
    directory.failing = true;
    expect(await dispatcher().dispatchDue(store.db)).toMatchObject({ retrying: 1 });
    expect(await row(down.id)).toMatchObject({ status: 'pending', last_error: 'directory-error' });
    expect(sms.sent).toEqual([]);
  });

  it('delivers in-app notices by marking them sent, with no directory look-up', async () => {
    const { id } = await service.enqueue(store.db, notice({ channel: 'in-app' }));
    expect(await dispatcher({ sms: null }).dispatchDue(store.db)).toMatchObject({ sent: 1 });
    expect(await row(id)).toMatchObject({ status: 'sent', provider_message_id: null });
    expect(directory.lookups).toBe(0);
  });

  it('records nothing for a dispatcher whose lease ran out and whose rows were claimed again', async () => {
    const { id } = await service.enqueue(store.db, notice());
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = dispatcher({
      leaseMs: 10_000,
      sms: {
        async send(message: OutgoingMessage) {
          await stalled;
          return { providerMessageId: `slow-${message.notificationId}` };
        },
      },
    });
    const slowRound = slow.dispatchDue(store.db);
    // Wait until the slow dispatcher holds the row.
    while ((await row(id)).claim_token === null) await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(10_000);
    expect(await dispatcher().dispatchDue(store.db)).toMatchObject({ claimed: 1, sent: 1 });
    release();
    expect(await slowRound).toMatchObject({ claimed: 1, lost: 1 });
    expect((await row(id)).provider_message_id).toMatch(/^sms-/);
  });

  it('S3.1: sends to the address a notice was queued for (the old phone), sealed at rest and wiped once sent', async () => {
    const OLD_PHONE = '13700001111';
    const { id } = await service.enqueue(
      store.db,
      notice({
        template: 'customer.contact-changed',
        params: {},
        to: OLD_PHONE,
        expiresAt: new Date(clock.now().getTime() + 3_600_000),
      }),
    );
    const stored = await row(id);
    expect(stored.sealed_params).not.toBeNull();
    expect(stored.sealed_params).not.toContain(OLD_PHONE);
    expect(await dispatcher().dispatchDue(store.db)).toMatchObject({ sent: 1 });
    // Not to the phone on file (the new one), and the address is not in the text.
    expect(sms.sent.map((message) => message.to)).toEqual([OLD_PHONE]);
    expect(sms.sent[0]?.body).not.toContain(OLD_PHONE);
    expect(await row(id)).toMatchObject({ status: 'sent', sealed_params: null });
    await expect(
      service.enqueue(
        store.db,
        notice({ template: 'customer.contact-changed', params: {}, channel: 'in-app', to: OLD_PHONE }),
      ),
    ).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('fails, and wipes, a sealed secret that does not open under its key', async () => {
    const { id } = await service.enqueue(
      store.db,
      notice({
        template: 'claim.verification-code',
        params: { claimNumber: 'CLM-****0123', code: '482913', validMinutes: 5 },
      }),
    );
    const otherKey = new NotificationService({ secretKey: randomBytes(32), publicUrl: PUBLIC_URL });
    expect(await dispatcher({ service: otherKey }).dispatchDue(store.db)).toMatchObject({ failed: 1 });
    expect(await row(id)).toMatchObject({
      status: 'failed',
      last_error: 'render-failed',
      sealed_params: null,
    });
    expect(sms.sent).toEqual([]);
  });

  it('runs rounds in the background until stopped', async () => {
    const d = new NotificationDispatcher({ service, directory, sms });
    d.start(store.db, { intervalMs: 10 });
    await service.enqueue(store.db, notice({ notBefore: new Date(0) }));
    await vi.waitFor(() => expect(sms.sent).toHaveLength(1), { timeout: 5_000 });
    await d.stop();
    await service.enqueue(store.db, notice({ notBefore: new Date(0) }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sms.sent).toHaveLength(1);
  });

  it('two dispatchers at once never send one row twice', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 40; index++) ids.add((await service.enqueue(store.db, notice())).id);
    sms.delayMs = 2;
    const first = dispatcher({ batchSize: 5 });
    const second = dispatcher({ batchSize: 5 });
    const drain = async (d: NotificationDispatcher) => {
      let sent = 0;
      for (;;) {
        const report = await d.dispatchDue(store.db);
        sent += report.sent;
        if (report.claimed === 0) return sent;
      }
    };
    const [a, b] = await Promise.all([drain(first), drain(second)]);
    expect(a + b).toBe(40);
    const sentIds = sms.sent.map((message) => message.notificationId);
    expect(sentIds).toHaveLength(40);
    expect(new Set(sentIds)).toEqual(ids);
    if (kind === 'postgres') expect(Math.min(a, b)).toBeGreaterThan(0);
  });

  it.runIf(kind === 'postgres')(
    'claims skip rows another transaction holds, without waiting for it (for update skip locked)',
    async () => {
      for (let index = 0; index < 6; index++) await service.enqueue(store.db, notice());
      const now = clock.now();
      const options = { now, leaseUntil: new Date(now.getTime() + 60_000), limit: 4 };
      await store.db.transaction().execute(async (holder) => {
        const held = await claimDue(holder, { ...options, claimToken: randomUUID() });
        expect(held).toHaveLength(4);
        // Another connection, while the holder's transaction is still open.
        const other = await store.db
          .transaction()
          .execute((trx) => claimDue(trx, { ...options, claimToken: randomUUID() }));
        expect(other).toHaveLength(2);
        expect(other.filter((claimed) => held.some((row) => row.id === claimed.id))).toEqual([]);
      });
    },
  );

  it('sends email over SMTP in the notice language, and keeps SMTP errors as codes without the address', async () => {
    const smtp = await startSmtpTestServer({ reject: ['gone@example.com'] });
    const email = new SmtpEmailProvider({
      smtpUrl: smtp.url,
      from: 'ClaimGuard <noreply@claims.example.com>',
    });
    try {
      const staff: Recipient = { kind: 'staff', id: randomUUID() };
      const gone: Recipient = { kind: 'customer', id: randomUUID() };
      directory.set(customer, 'email', 'ouyang.nana@example.com');
      directory.set(staff, 'email', 'officer@example.com');
      directory.set(gone, 'email', 'gone@example.com');
      const zh = await service.enqueue(store.db, notice({ channel: 'email', language: 'zh-CN' }));
      await service.enqueue(store.db, {
        recipient: staff,
        channel: 'email',
        language: 'en-US',
        template: 'security.alert',
        params: { alertKind: 'break-glass', severity: 'critical', link: '/console/security/alerts' },
      });
      const rejected = await service.enqueue(store.db, notice({ channel: 'email', recipient: gone }));

      expect(await dispatcher({ email }).dispatchDue(store.db)).toMatchObject({ sent: 2, failed: 1 });
      expect(smtp.received).toHaveLength(2);
      const byRecipient = new Map(smtp.received.map((entry) => [entry.envelopeTo[0], entry.mail]));
      const chinese = byRecipient.get('ouyang.nana@example.com');
      expect(chinese?.subject).toBe('您的理赔申请 CLM-****0123 已受理');
      expect(chinese?.text?.trim()).toBe(
        `我们已收到您的理赔申请 CLM-****0123，将尽快处理。查看进度：${PUBLIC_URL}/portal/claims/42`,
      );
      expect(chinese?.headers.get('content-language')).toBe('zh-CN');
      expect(chinese?.from?.value).toEqual([{ name: 'ClaimGuard', address: 'noreply@claims.example.com' }]);
      const english = byRecipient.get('officer@example.com');
      expect(english?.subject).toBe('[critical] Security alert: break-glass');
      expect(english?.text).toContain(`Sign in to handle it: ${PUBLIC_URL}/console/security/alerts`);
      expect(english?.headers.get('content-language')).toBe('en-US');

      expect((await row(zh.id)).provider_message_id).toMatch(/^<.+@.+>$/);
      // A 550 is permanent; the reply quoted the address, the stored error does not.
      expect(await row(rejected.id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'smtp-550' });
    } finally {
      email.close();
      await smtp.close();
    }
  });
});
