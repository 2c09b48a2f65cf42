import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { DISTINCTIVE_PERSONAL_VALUES, scanForPersonalData } from '../../test-support/personal-data-scan.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { type Notice, NotificationService, type Recipient } from './notifications.service.js';
import { RecordingSms, TestClock, TestDirectory } from './notifications-test-kit.js';

const PUBLIC_URL = 'https://claims.example.com';

describeEachStore('notification service', (kind) => {
  let store: Store;
  let clock: TestClock;
  let service: NotificationService;
  let customer: Recipient;

  const stateChanged = (overrides: Partial<Notice> = {}): Notice =>
    ({
      recipient: customer,
      channel: 'in-app',
      template: 'claim.state-changed',
      params: { claimNumber: 'CLM-****0123', state: 'approved', link: '/portal/claims/42' },
      ...overrides,
    }) as Notice;

  const rows = () =>
    store.db
      .selectFrom('notifications')
      .select(['id', 'status', 'params', 'sealed_params', 'language', 'dedupe_key'])
      .orderBy('created_at')
      .execute();

  // One store per suite (opening and migrating one per test costs seconds on the embedded store).
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
  });

  it("queues in the caller's transaction: a rolled-back transaction leaves nothing", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await service.enqueue(trx, stateChanged());
        expect((await trx.selectFrom('notifications').select('id').execute()).length).toBe(1);
        throw new Error('the claim transition failed');
      }),
    ).rejects.toThrow('the claim transition failed');
    expect(await rows()).toEqual([]);

    await store.db.transaction().execute((trx) => service.enqueue(trx, stateChanged()));
    expect(await rows()).toHaveLength(1);
  });

  it('never queues the same notice twice under one dedupe key', async () => {
    const dedupeKey = 'claim:42:state:approved:in-app';
    const first = await service.enqueue(store.db, stateChanged({ dedupeKey }));
    const again = await store.db
      .transaction()
      .execute((trx) => service.enqueue(trx, stateChanged({ dedupeKey })));
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, duplicate: true });
    await service.enqueue(store.db, stateChanged({ dedupeKey: 'claim:42:state:paid:in-app' }));
    await service.enqueue(store.db, stateChanged());
    await service.enqueue(store.db, stateChanged());
    expect((await rows()).map((row) => row.dedupe_key)).toEqual([
      dedupeKey,
      'claim:42:state:paid:in-app',
      null,
      null,
    ]);
  });

  it('refuses what the template does not allow, without echoing values', async () => {
    const refusals: [Partial<Notice>, RegExp][] = [
      [
        { params: { claimNumber: 'CLM-2026-000123', state: 'approved', link: '/x' } } as Partial<Notice>,
        /claimNumber/,
      ],
      [{ recipient: { kind: 'staff', id: randomUUID() } }, /not for this kind of recipient/],
      [
        {
          template: 'claim.verification-code',
          params: { claimNumber: 'CLM-****0123', code: '123456', validMinutes: 5 },
        } as Partial<Notice>,
        /not sent over this channel/,
      ],
      [{ recipient: { kind: 'customer', id: DISTINCTIVE_PERSONAL_VALUES.phone } }, /UUID/],
      [{ dedupeKey: `phone ${DISTINCTIVE_PERSONAL_VALUES.name}` }, /dedupe key/],
    ];
    for (const [overrides, message] of refusals) {
      const error = await service
        .enqueue(store.db, stateChanged(overrides))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('bad-request');
      expect((error as DomainError).message).toMatch(message);
      expect((error as DomainError).message).not.toMatch(/CLM-2026|13912345678|欧阳/);
    }
    expect(await rows()).toEqual([]);
  });

  it('selects the language: the notice’s own, else the service default', async () => {
    const english = new NotificationService({
      secretKey: randomBytes(32),
      publicUrl: PUBLIC_URL,
      defaultLanguage: 'en-US',
      now: clock.now,
    });
    await service.enqueue(store.db, stateChanged());
    await english.enqueue(store.db, stateChanged());
    await service.enqueue(store.db, stateChanged({ language: 'en-US' }));
    expect((await rows()).map((row) => row.language)).toEqual(['zh-CN', 'en-US', 'en-US']);
  });

  it('serves the in-app inbox: delivered messages only, rendered, paged, marked read by their owner', async () => {
    const dispatcher = new NotificationDispatcher({
      service,
      directory: new TestDirectory(),
      now: clock.now,
    });
    const other: Recipient = { kind: 'customer', id: randomUUID() };
    for (const state of ['reported', 'under-review', 'approved']) {
      await service.enqueue(
        store.db,
        stateChanged({
          params: { claimNumber: 'CLM-****0123', state, link: '/portal/claims/42' },
          language: 'en-US',
        }),
      );
      clock.advance(1_000);
    }
    await service.enqueue(store.db, stateChanged({ recipient: other }));
    expect((await service.listInApp(store.db, customer)).items).toEqual([]); // not delivered yet

    expect((await dispatcher.dispatchDue(store.db)).sent).toBe(4);
    const first = await service.listInApp(store.db, customer, { limit: 2 });
    expect(first.unread).toBe(3);
    expect(first.nextOffset).toBe(2);
    expect(first.items).toHaveLength(2);
    const all = [
      ...first.items,
      ...(await service.listInApp(store.db, customer, { limit: 2, offset: 2 })).items,
    ];
    expect(new Set(all.map((item) => item.id)).size).toBe(3);
    expect(all.every((item) => item.template === 'claim.state-changed')).toBe(true);
    expect(all.map((item) => item.subject)).toContain('Your claim CLM-****0123 has a new status');
    expect(all.some((item) => item.body.includes(`${PUBLIC_URL}/portal/claims/42`))).toBe(true);

    const otherInbox = await service.listInApp(store.db, other);
    expect(otherInbox.items[0]?.subject).toBe('您的理赔 CLM-****0123 状态已更新');
    // Marking someone else's message read does nothing.
    expect(await service.markRead(store.db, customer, [otherInbox.items[0]?.id ?? ''])).toBe(0);
    expect(await service.markRead(store.db, customer, [all[0]?.id ?? '', all[1]?.id ?? ''])).toBe(2);
    expect(await service.markRead(store.db, customer, [all[0]?.id ?? ''])).toBe(0);
    expect((await service.listInApp(store.db, customer)).unread).toBe(1);
    expect((await service.listInApp(store.db, other)).unread).toBe(1);
  });

  it('stores no personal data: not the address the directory returned, not the verification code', async () => {
    const directory = new TestDirectory();
    directory.set(customer, 'sms', DISTINCTIVE_PERSONAL_VALUES.phone);
    directory.set(customer, 'email', DISTINCTIVE_PERSONAL_VALUES.email);
    const sms = new RecordingSms();
    const emailSent: string[] = [];
    const dispatcher = new NotificationDispatcher({
      service,
      directory,
      sms,
      email: {
        async send(message) {
          emailSent.push(message.to);
          return { providerMessageId: '<m1@claims.example.com>' };
        },
      },
      now: clock.now,
    });
    const code = '482913';
    await service.enqueue(store.db, {
      recipient: customer,
      channel: 'sms',
      template: 'claim.verification-code',
      params: { claimNumber: 'CLM-****0123', code, validMinutes: 5 },
    });
    await service.enqueue(store.db, stateChanged({ channel: 'email' }));

    const dump = async () =>
      JSON.stringify(
        (await store.db.selectFrom('notifications').selectAll().execute()).map((row) => ({
          ...row,
          // Everything as text, the way a database dump would show it.
          created_at: String(row.created_at),
        })),
      );
    // Queued: the code is sealed, not readable.
    const queued = await dump();
    expect(queued).not.toContain(code);
    const [pending] = await rows();
    expect(pending?.params).toEqual({ claimNumber: 'CLM-****0123', validMinutes: 5 });
    expect(pending?.sealed_params).toMatch(/^v1\./);

    expect(await dispatcher.dispatchDue(store.db)).toMatchObject({ sent: 2 });
    expect(sms.sent[0]?.to).toBe(DISTINCTIVE_PERSONAL_VALUES.phone);
    expect(sms.sent[0]?.body).toContain(code);
    expect(emailSent).toEqual([DISTINCTIVE_PERSONAL_VALUES.email]);

    // Sent: the sealed code is gone, and nothing personal was ever written.
    const after = await dump();
    expect(after).not.toContain(code);
    expect((await rows()).map((row) => row.sealed_params)).toEqual([null, null]);
    expect(
      scanForPersonalData(
        [
          { where: 'queued rows', text: queued },
          { where: 'sent rows', text: after },
        ],
        Object.values(DISTINCTIVE_PERSONAL_VALUES),
      ),
    ).toEqual([]);
  });

  it('refuses to store a finished notice that still holds a secret (check constraint)', async () => {
    const { id } = await service.enqueue(store.db, {
      recipient: customer,
      channel: 'sms',
      template: 'claim.verification-code',
      params: { claimNumber: 'CLM-****0123', code: '482913', validMinutes: 5 },
    });
    await expect(
      store.db.updateTable('notifications').set({ status: 'sent' }).where('id', '=', id).execute(),
    ).rejects.toThrow();
  });

  it('queues to many recipients in one insert: one notice per channel, dedupe keys from a prefix, doubles skipped (S4.2)', async () => {
    const batchId = randomUUID();
    const recipients = Array.from({ length: 5 }, (_, index) => ({
      recipientId: randomUUID(),
      language: index % 2 === 0 ? ('en-US' as const) : ('zh-CN' as const),
      params: {
        incident: 'INC-2026-0042',
        categories: index === 0 ? '' : 'identity',
        link: '/portal/compensation/INC-2026-0042',
      },
    }));
    const options = { channels: ['in-app', 'sms'] as const, dedupePrefix: `breach:${batchId}`, batchId };
    const queue = (list: typeof recipients) =>
      store.db
        .transaction()
        .execute((trx) => service.enqueueToRecipients(trx, 'breach.notice', list, options));
    expect(await queue(recipients.slice(0, 3))).toBe(6);
    // A resumed page repeats some recipients: only the new ones are queued.
    expect(await queue(recipients)).toBe(4);
    const queued = await store.db
      .selectFrom('notifications')
      .select([
        'recipient_id',
        'channel',
        'language',
        'dedupe_key',
        'batch_id',
        'template_id',
        'params',
        'status',
      ])
      .where('batch_id', '=', batchId)
      .execute();
    expect(queued).toHaveLength(10);
    for (const [index, recipient] of recipients.entries())
      for (const channel of ['in-app', 'sms'])
        expect(
          queued.find((row) => row.recipient_id === recipient.recipientId && row.channel === channel),
        ).toEqual({
          recipient_id: recipient.recipientId,
          channel,
          language: recipient.language,
          dedupe_key: `breach:${batchId}:${recipient.recipientId}:${channel}`,
          batch_id: batchId,
          template_id: 'breach.notice',
          params: recipients[index]?.params,
          status: 'pending',
        });
    expect(await service.batchCounts(store.db, batchId)).toEqual([
      { channel: 'in-app', status: 'pending', count: 5 },
      { channel: 'sms', status: 'pending', count: 5 },
    ]);

    // Checked like single notices, without echoing values; secrets are never queued in bulk.
    const refused = async (promise: Promise<unknown>) =>
      ((await promise.catch((error) => error)) as DomainError).message;
    const person = {
      ...recipients[0],
      params: { ...recipients[0]?.params, categories: 'identity,13812345678' },
    };
    expect(
      await refused(service.enqueueToRecipients(store.db, 'breach.notice', [person as never], options)),
    ).toBe('Parameters of breach.notice do not fit: categories.');
    expect(
      await refused(
        service.enqueueToRecipients(store.db, 'claim.verification-code', [], {
          ...options,
          channels: ['sms'],
        }),
      ),
    ).toContain('is not queued in bulk');
    expect(
      await refused(
        service.enqueueToRecipients(store.db, 'breach.notice', recipients, {
          ...options,
          dedupePrefix: 'bad key!',
        }),
      ),
    ).toContain('dedupe key');
  });
});
