import { hkdfSync, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Language } from '../../config/config.js';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { SecretBox } from '../identity/secret-box.js';
import {
  isTemplateId,
  type RenderedNotice,
  renderTemplate,
  type TemplateId,
  type TemplateParams,
  templateOf,
} from './notification-templates.js';
import * as repository from './notifications.repository.js';
import type { Channel, NotificationParams, RecipientKind } from './notifications.tables.js';

export type { BatchCount, BatchNoticeRow } from './notifications.repository.js';

/**
 * # Notifications (S0.1): the outbox
 *
 * Tells customers of every step of their claim and staff of security alerts, over `in-app`, `email` and
 * `sms`, in zh-CN or en-US.
 *
 * ## Use
 *
 * ```ts
 * const notifications = new NotificationService({ secretKey, publicUrl: config.publicUrl });
 * // In the transaction that moves the claim: both commit, or neither.
 * await notifications.enqueue(trx, {
 *   recipient: { kind: 'customer', id: subjectId },          // a vault data subject id
 *   channel: 'sms',
 *   language: 'zh-CN',
 *   template: 'claim.state-changed',
 *   params: { claimNumber: maskClaimNumber(claim.number), state: 'approved', link: `/portal/claims/${claim.id}` },
 *   dedupeKey: `claim:${claim.id}:state:approved:sms`,
 * });
 *
 * // Somewhere in each process (several processes may run one each):
 * const dispatcher = new NotificationDispatcher({ service: notifications, directory, email, sms });
 * dispatcher.start(store.db, { intervalMs: 5_000 });   // or: await dispatcher.dispatchDue(store.db)
 *
 * // The portal's inbox:
 * await notifications.listInApp(db, { kind: 'customer', id: subjectId }, { limit: 20, offset: 0 });
 * await notifications.markRead(db, { kind: 'customer', id: subjectId }, [messageId]);
 * ```
 *
 * - {@link NotificationService.enqueue}`(db, notice) → { id, duplicate }` queues one notice in the caller's
 *   `db` (pass the transaction of the change it announces). Parameters are checked against the template
 *   (`notification-templates.ts`); a notice whose `dedupeKey` was queued before is not queued again and
 *   answers the earlier id with `duplicate: true`.
 * - {@link NotificationService.listInApp}`(db, recipient, page) → { items, unread, nextOffset }` and
 *   {@link NotificationService.markRead}`(db, recipient, ids) → number` serve the in-app inbox. An in-app
 *   notice is the row itself; it appears once a dispatcher has marked it sent.
 * - `NotificationDispatcher.dispatchDue(db)` (notification-dispatcher.ts) claims due rows, looks the address
 *   up through a {@link RecipientDirectory} at the moment of sending, sends, records the outcome, and
 *   retries failures with exponential backoff up to `maxAttempts`.
 *
 * ## SECURITY
 *
 * - **No personal data in the outbox.** Recipients are internal ids; addresses are looked up when sending
 *   and never stored; parameters are an allow-list of shapes (masked claim numbers, slugs, link paths);
 *   errors are stored as short codes, never as a provider's message (which may quote the address).
 * - **Secrets sealed, then wiped.** Secret parameters (the verification code) are sealed with AES-256-GCM
 *   under the key given to the service, bound to the row id, and set to null as soon as the notice is
 *   sent, skipped, expired or failed for good (a check constraint holds every finished row to that).
 *   A notice with a secret expires (default: the code's validity) and is skipped, not sent, after that.
 * - **No double send between dispatchers.** Rows are claimed with `for update skip locked` under a lease
 *   in a short transaction; the outcome is recorded only by the holder of the claim.
 */

type Db = Kysely<Database>;

export type Recipient = { kind: RecipientKind; id: string };

type NoticeOf<T extends TemplateId> = {
  recipient: Recipient;
  channel: Channel;
  template: T;
  params: TemplateParams<T>;
  /** Defaults to the service's default language. */
  language?: Language;
  /** Never queue the same notice twice: e.g. `claim:<id>:state:<state>:<channel>`. No personal data. */
  dedupeKey?: string;
  /** Send no earlier than this. */
  notBefore?: Date;
  /** Skip rather than send after this; notices with a secret default to its validity (15 min at most). */
  expiresAt?: Date;
  /**
   * Send to this address instead of the one on file at sending time: the OLD phone or email after a contact
   * change, told that it changed (S3.1, S4.3). SECURITY: personal data, so sealed with the secret
   * parameters (bound to the row) and wiped once the notice is sent, skipped, expired or failed; give the
   * notice an `expiresAt` so it does not stay longer than needed. Not for in-app notices.
   */
  to?: string;
};

/** A notice to queue: a template and its parameters, for one recipient over one channel. */
export type Notice = { [T in TemplateId]: NoticeOf<T> }[TemplateId];

export type EnqueueResult = { id: string; duplicate: boolean };

export type InAppMessage = {
  id: string;
  template: TemplateId;
  subject: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
};

export type InAppPage = { items: InAppMessage[]; unread: number; nextOffset: number | null };

/**
 * Looks up where to reach a recipient over a channel, at the moment of sending: an email address or a
 * phone number, or null when there is none (the notice is then skipped with `no-address`). The claims
 * module implements it for customers by reading through the vault; identity for staff.
 */
export interface RecipientDirectory {
  addressOf(db: Db, recipient: Recipient, channel: 'email' | 'sms'): Promise<string | null>;
}

export type NotificationServiceOptions = {
  /** 32 bytes that seal secret parameters; every process sharing the outbox needs the same key. */
  secretKey: Buffer;
  /** Link parameters are rendered under this origin (CLAIMGUARD_PUBLIC_URL). */
  publicUrl: string;
  /** Language of notices that name none (CLAIMGUARD_LANGUAGE). */
  defaultLanguage?: Language;
  now?: () => Date;
};

/** Derives the outbox sealing key from a master key (e.g. the identity key), separate from its other uses. */
export function deriveNotificationKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'claimguard/notifications/v1', 32));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEDUPE_KEY = /^[A-Za-z0-9:._/-]{1,200}$/;
const DEFAULT_SECRET_LIFETIME_MS = 15 * 60_000;
/** The sealed member holding an address override; no template parameter can have this name. */
const ADDRESS_OVERRIDE = '@to';

function checkRecipient(recipient: Recipient): void {
  if (!UUID.test(recipient.id)) throw new DomainError('bad-request', 'A recipient id is a UUID.');
}

/** A row as the dispatcher hands it over for rendering. */
export type RenderableRow = {
  id: string;
  template_id: string;
  language: Language;
  params: NotificationParams;
  sealed_params: string | null;
  batch_id?: string | null;
};

/**
 * Supplies a template's `resolvedParams` when a notice is rendered (at sending time, in the inbox), from
 * what the row stores: e.g. the breach-notice campaign's texts, looked up by the row's batch instead of
 * being copied into a million rows. SECURITY: what it returns is shown to the recipient as is.
 */
export type ParamResolver = (
  db: Db,
  notice: { batchId: string | null; language: Language; params: NotificationParams },
) => Promise<NotificationParams>;

/** One recipient of {@link NotificationService.enqueueToRecipients}: the same notice on every channel. */
export type BulkRecipient<T extends TemplateId> = {
  recipientId: string;
  language: Language;
  params: TemplateParams<T>;
};

export class NotificationService {
  private readonly box: SecretBox;
  private readonly publicUrl: string;
  private readonly defaultLanguage: Language;
  private readonly now: () => Date;
  private readonly resolvers = new Map<TemplateId, ParamResolver>();

  constructor(options: NotificationServiceOptions) {
    if (options.secretKey.length !== 32) throw new Error('the notification secret key must be 32 bytes');
    this.box = new SecretBox(options.secretKey);
    this.publicUrl = options.publicUrl;
    this.defaultLanguage = options.defaultLanguage ?? 'zh-CN';
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Queues a notice in `db` (the caller's transaction, if it passes one). Refuses parameters that do not
   * fit the template, a recipient kind or channel the template does not serve, and malformed dedupe keys,
   * with messages that name the template and parameter but never echo a value.
   */
  async enqueue(db: Db, notice: Notice): Promise<EnqueueResult> {
    if (!isTemplateId(notice.template))
      throw new DomainError('bad-request', 'Unknown notification template.');
    const template = templateOf(notice.template);
    checkRecipient(notice.recipient);
    if (!template.recipients.includes(notice.recipient.kind))
      throw new DomainError('bad-request', `Template ${notice.template} is not for this kind of recipient.`);
    if (!template.channels.includes(notice.channel))
      throw new DomainError('bad-request', `Template ${notice.template} is not sent over this channel.`);
    if (notice.to !== undefined && (notice.channel === 'in-app' || notice.to.trim() === ''))
      throw new DomainError('bad-request', 'An address override is for email or SMS notices only.');
    if (notice.dedupeKey !== undefined && !DEDUPE_KEY.test(notice.dedupeKey))
      throw new DomainError('bad-request', 'A dedupe key is 1 to 200 letters, digits and : . _ / -.');
    const parsed = template.params.safeParse(notice.params);
    if (!parsed.success) {
      const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(object)'))];
      throw new DomainError(
        'bad-request',
        `Parameters of ${notice.template} do not fit: ${names.join(', ')}.`,
      );
    }

    const id = randomUUID();
    const now = this.now();
    const plain: NotificationParams = {};
    const secret: NotificationParams = {};
    for (const [name, value] of Object.entries(parsed.data as NotificationParams))
      (template.secretParams.includes(name) ? secret : plain)[name] = value;
    const hasSecret = Object.keys(secret).length > 0;
    const sealed = notice.to !== undefined ? { ...secret, [ADDRESS_OVERRIDE]: notice.to } : secret;
    const validMinutes = typeof plain.validMinutes === 'number' ? plain.validMinutes : null;
    const expiresAt =
      notice.expiresAt ??
      (hasSecret
        ? new Date(now.getTime() + (validMinutes ? validMinutes * 60_000 : DEFAULT_SECRET_LIFETIME_MS))
        : null);

    const inserted = await repository.insertNotification(db, {
      id,
      recipient_kind: notice.recipient.kind,
      recipient_id: notice.recipient.id,
      channel: notice.channel,
      language: notice.language ?? this.defaultLanguage,
      template_id: notice.template,
      params: plain,
      sealed_params:
        hasSecret || notice.to !== undefined ? this.box.seal(JSON.stringify(sealed), sealPurpose(id)) : null,
      next_attempt_at: notice.notBefore ?? now,
      expires_at: expiresAt,
      dedupe_key: notice.dedupeKey ?? null,
    });
    if (inserted) return { id, duplicate: false };
    const existing = notice.dedupeKey ? await repository.findIdByDedupeKey(db, notice.dedupeKey) : undefined;
    if (!existing) throw new Error('notice neither inserted nor found by its dedupe key');
    return { id: existing, duplicate: true };
  }

  /** Registers the resolver of a template's `resolvedParams` (one per template). */
  registerResolver(template: TemplateId, resolver: ParamResolver): void {
    if (templateOf(template).resolvedParams.length === 0)
      throw new Error(`template ${template} resolves no parameters`);
    this.resolvers.set(template, resolver);
  }

  /**
   * Queues one notice per recipient and channel, of one template, in ONE insert (the caller's `db`, e.g.
   * the transaction that also moves a job's cursor). Each notice's dedupe key is
   * `<dedupePrefix>:<recipientId>:<channel>`; those queued before are skipped. Recipients and parameters are
   * checked like {@link enqueue} (identical parameter objects once). Templates with secret parameters are
   * not queued in bulk. Returns how many notices were inserted.
   */
  async enqueueToRecipients<T extends TemplateId>(
    db: Db,
    templateId: T,
    recipients: readonly BulkRecipient<T>[],
    options: {
      channels: readonly Channel[];
      dedupePrefix: string;
      recipientKind?: RecipientKind;
      batchId?: string | null;
      notBefore?: Date;
    },
  ): Promise<number> {
    if (!isTemplateId(templateId)) throw new DomainError('bad-request', 'Unknown notification template.');
    const template = templateOf(templateId);
    const kind = options.recipientKind ?? 'customer';
    if (template.secretParams.length > 0)
      throw new DomainError(
        'bad-request',
        `Template ${templateId} carries a secret and is not queued in bulk.`,
      );
    if (!template.recipients.includes(kind))
      throw new DomainError('bad-request', `Template ${templateId} is not for this kind of recipient.`);
    if (options.channels.some((channel) => !template.channels.includes(channel)))
      throw new DomainError('bad-request', `Template ${templateId} is not sent over this channel.`);
    // The longest key: prefix, ':', a UUID, ':', the longest channel name.
    if (!DEDUPE_KEY.test(`${options.dedupePrefix}:${'0'.repeat(36)}:in-app`))
      throw new DomainError('bad-request', 'A dedupe key is 1 to 200 letters, digits and : . _ / -.');
    if (options.batchId && !UUID.test(options.batchId))
      throw new DomainError('bad-request', 'A batch id is a UUID.');
    const checked = new Map<string, string>();
    const rows: repository.BulkRecipientRow[] = recipients.map((recipient) => {
      if (!UUID.test(recipient.recipientId))
        throw new DomainError('bad-request', 'A recipient id is a UUID.');
      const raw = JSON.stringify(recipient.params);
      let params = checked.get(raw);
      if (params === undefined) {
        const parsed = template.params.safeParse(recipient.params);
        if (!parsed.success) {
          const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(object)'))];
          throw new DomainError(
            'bad-request',
            `Parameters of ${templateId} do not fit: ${names.join(', ')}.`,
          );
        }
        params = JSON.stringify(parsed.data);
        checked.set(raw, params);
      }
      return { recipient_id: recipient.recipientId.toLowerCase(), language: recipient.language, params };
    });
    return repository.insertNotificationsForRecipients(
      db,
      {
        recipient_kind: kind,
        template_id: templateId,
        next_attempt_at: options.notBefore ?? this.now(),
        batch_id: options.batchId ?? null,
        channels: [...new Set(options.channels)],
        dedupe_prefix: options.dedupePrefix,
      },
      rows,
    );
  }

  /** How many notices of a batch are in each channel and status. */
  async batchCounts(db: Db, batchId: string): Promise<repository.BatchCount[]> {
    return repository.countBatch(db, batchId);
  }

  /** A batch's notices on `channel` that failed or were skipped, a page at a time by recipient id. */
  async batchUndelivered(
    db: Db,
    batchId: string,
    options: { channel: Channel; after?: string | null; limit?: number },
  ): Promise<repository.BatchNoticeRow[]> {
    if (options.after && !UUID.test(options.after)) throw new DomainError('bad-request', 'after is a UUID.');
    return repository.undeliveredInBatch(db, batchId, {
      channel: options.channel,
      after: options.after ?? null,
      limit: Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 5_000),
    });
  }

  /**
   * Recipients of a batch whom nothing reached over `reaching` channels and nothing is still pending for,
   * with their language and stored parameters, a page at a time by recipient id.
   */
  async batchUnreached(
    db: Db,
    batchId: string,
    options: { reaching: readonly Channel[]; after?: string | null; limit?: number },
  ) {
    if (options.after && !UUID.test(options.after)) throw new DomainError('bad-request', 'after is a UUID.');
    return repository.unreachedInBatch(db, batchId, {
      reaching: options.reaching,
      after: options.after ?? null,
      limit: Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 5_000),
    });
  }

  /** The batches a recipient has notices in (e.g. the breach-notice campaigns that reached a customer). */
  async batchesOf(db: Db, recipient: Recipient): Promise<string[]> {
    checkRecipient(recipient);
    return repository.batchesOfRecipient(db, recipient);
  }

  /**
   * A notice's text as its recipient sees it, resolved parameters included (see {@link registerResolver}),
   * for a notice that is rendered outside the outbox too (a letter printed for a customer nobody reached).
   */
  async renderNotice(
    db: Db,
    notice: { template: TemplateId; language: Language; params: NotificationParams; batchId: string | null },
  ): Promise<RenderedNotice> {
    return this.renderResolved(db, {
      id: '',
      template_id: notice.template,
      language: notice.language,
      params: notice.params,
      sealed_params: null,
      batch_id: notice.batchId,
    });
  }

  /** {@link render} with the template's resolved parameters looked up first. */
  async renderResolved(db: Db, row: RenderableRow): Promise<RenderedNotice> {
    if (!isTemplateId(row.template_id)) throw new Error('unknown template');
    const template = templateOf(row.template_id);
    if (template.resolvedParams.length === 0) return this.render(row);
    const resolver = this.resolvers.get(row.template_id);
    if (!resolver) throw new Error(`no resolver for template ${row.template_id}`);
    const resolved = await resolver(db, {
      batchId: row.batch_id ?? null,
      language: row.language,
      params: row.params,
    });
    return this.render({ ...row, params: { ...resolved, ...row.params } });
  }

  /** The recipient's in-app messages that have been delivered, newest first, rendered in their language. */
  async listInApp(
    db: Db,
    recipient: Recipient,
    page: { limit?: number; offset?: number } = {},
  ): Promise<InAppPage> {
    checkRecipient(recipient);
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? 20), 1), 100);
    const offset = Math.max(Math.trunc(page.offset ?? 0), 0);
    const rows = await repository.listInbox(db, recipient, { limit: limit + 1, offset });
    const items: InAppMessage[] = [];
    for (const row of rows.slice(0, limit)) {
      if (!isTemplateId(row.template_id)) continue;
      let text: RenderedNotice;
      try {
        text = await this.renderResolved(db, { ...row, sealed_params: null });
      } catch {
        continue; // a notice whose resolved texts are gone is left out rather than failing the inbox
      }
      items.push({
        id: row.id,
        template: row.template_id,
        subject: text.subject,
        body: text.body,
        createdAt: row.created_at,
        readAt: row.read_at,
      });
    }
    return {
      items,
      unread: await repository.countUnread(db, recipient),
      nextOffset: rows.length > limit ? offset + limit : null,
    };
  }

  /** Marks the recipient's own in-app messages read; others' ids are ignored. Returns how many changed. */
  async markRead(db: Db, recipient: Recipient, ids: readonly string[]): Promise<number> {
    checkRecipient(recipient);
    if (ids.some((id) => !UUID.test(id))) throw new DomainError('bad-request', 'A message id is a UUID.');
    return repository.markRead(db, recipient, ids, this.now());
  }

  /**
   * The notice's text with its secret parameters opened, for the dispatcher at the moment of sending.
   * SECURITY: the result may hold a verification code; send it and drop it.
   */
  render(row: RenderableRow): RenderedNotice {
    if (!isTemplateId(row.template_id)) throw new Error('unknown template');
    const { [ADDRESS_OVERRIDE]: _address, ...secret } = this.openSealed(row);
    return renderTemplate(row.template_id, row.language, { ...row.params, ...secret }, this.publicUrl);
  }

  /**
   * The address the notice was queued for, when it was queued with `to` (see {@link Notice}); null when
   * the address on file is to be looked up. SECURITY: personal data, for the dispatcher to send to.
   */
  addressOverride(row: Pick<RenderableRow, 'id' | 'sealed_params'>): string | null {
    const address = this.openSealed(row)[ADDRESS_OVERRIDE];
    return typeof address === 'string' ? address : null;
  }

  private openSealed(row: Pick<RenderableRow, 'id' | 'sealed_params'>): NotificationParams {
    return row.sealed_params
      ? (JSON.parse(this.box.open(row.sealed_params, sealPurpose(row.id))) as NotificationParams)
      : {};
  }
}

/** Sealed parameters are bound to their row: copied to another row, they do not open. */
function sealPurpose(notificationId: string): string {
  return `notification-params:${notificationId}`;
}
