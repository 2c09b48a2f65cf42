import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Language } from '../../config/config.js';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { AppAbility } from '../access/abilities.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import { decideUnmask } from '../access/unmask-decision.js';
import type { AuditActor, AuditRecorder } from '../audit/audit-event.js';
import type { CustomerService } from '../claims/customers.service.js';
import { incidentReference } from '../notifications/notification-templates.js';
import type { BulkRecipient, NotificationService } from '../notifications/notifications.service.js';
import { CHANNELS, type Channel } from '../notifications/notifications.tables.js';
import { DATA_CATEGORIES } from '../vault/personal-data-catalogue.js';
import type { BreachNoticeSources } from './affected-subjects.js';
import {
  compensationPath,
  knownCategories,
  publicNoticeText,
  resolvedNoticeParams,
} from './breach-notice-content.js';
import { renderLetters } from './breach-notice-letters.js';
import { breachDedupePrefix } from './breach-notice-sender.js';
import * as repository from './breach-notices.repository.js';
import type { CampaignState, CampaignText, CampaignTexts } from './breach-notices.tables.js';
import { findPersonalDataIn } from './personal-data-in-text.js';

/**
 * # Breach notices to customers (S4.2)
 *
 * One campaign per incident: staff write its texts in zh-CN and en-US (what happened, what the insurer has
 * done, what customers can do, a contact) and choose its channels; a SECOND security officer approves it
 * (maker-checker: nobody who wrote or edited the texts); then it is sent as a background job
 * (breach-notice-sender.ts) that queues one notice per affected subject and channel in the customer's own
 * language, with the categories of THEIR exposed data, the harm each can do, and a compensation link.
 *
 * States: `draft → approved → sending ⇄ paused`, `sending → done`; editing an approved campaign sends it back
 * to draft (new texts need a new approval); starting a `done` campaign sweeps the blast radius again (for
 * subjects added since; the dedupe keys skip those already notified).
 *
 * Delivery is tracked from the outbox (counts per channel and status; undelivered notices listed per
 * channel and re-queued on another); customers nobody reached get a printed letter (PDF, names and
 * addresses read through the vault with purpose `incident-response`, step-up, audited); a public notice is
 * produced where individual notice is impossible; a public status page and a portal banner say what is known.
 *
 * SECURITY: staff texts are refused when they look like they hold personal data (personal-data-in-text.ts),
 * since they reach a million people and a public page. The outbox rows carry the incident reference,
 * category ids and a link path only; the texts are resolved at sending time.
 */
type Db = Kysely<Database>;

export type BreachNoticeCaller = { context: RequestContext; ability: AppAbility };

export type CampaignInput = { channels: Channel[]; texts: CampaignTexts };

export type CampaignView = {
  id: string;
  incidentId: string;
  incidentReference: string;
  isDrill: boolean;
  state: CampaignState;
  channels: Channel[];
  texts: CampaignTexts;
  version: number;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
  startedAt: Date | null;
  pausedAt: Date | null;
  finishedAt: Date | null;
  progress: { done: number; total: number | null; queued: number };
  categories: string[];
};

export type ChannelDelivery = {
  channel: Channel;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
};

export type Failure = {
  subjectId: string;
  channel: Channel;
  status: 'failed' | 'skipped';
  reason: string | null;
  attempts: number;
  at: Date;
};

export type PublicStatusItem = {
  reference: string;
  status: string;
  texts: CampaignTexts;
  categories: string[];
  /** The categories' catalogue labels, for a page that cannot read the (staff-only) catalogue. */
  categoryNames: Record<Language, string[]>;
  noticesStarted: boolean;
  approvedAt: Date | null;
  updatedAt: Date;
};

export type PortalBannerItem = {
  incidentReference: string;
  isDrill: boolean;
  headline: Record<Language, string>;
  noticePath: string;
  compensationPath: string;
};

/** What the portal's compensation claim form is pre-filled with (issue 5 section 8). */
export type CompensationEligibility = {
  incidentId: string;
  incidentReference: string;
  isDrill: boolean;
  headline: Record<Language, string>;
  /** `DATA_CATEGORIES` ids of the customer's own exposed data (the campaign's when the scope cannot say). */
  categories: string[];
  categoryNames: Record<Language, string[]>;
};

export type ServiceOptions = {
  sources: BreachNoticeSources;
  notifications: NotificationService;
  customers: CustomerService;
  audit: AuditRecorder;
  /** Links in letters and the public notice are under this origin (CLAIMGUARD_PUBLIC_URL). */
  publicUrl: string;
  now?: () => Date;
  /** How long a campaign's texts are cached for rendering notices (default 10 s). */
  textCacheMs?: number;
};

/** Channels a letter does not replace: a notice sent over one of these reached the customer. */
const REACHING_CHANNELS: readonly Channel[] = ['sms', 'email'];
export const LETTERS_MAX = 500;
const TEXT_FIELDS = ['headline', 'whatHappened', 'measuresTaken', 'whatYouCanDo', 'contact'] as const;

function staffIdOf(context: RequestContext): string {
  const principal = context.principal;
  if (principal?.kind === 'staff' || principal?.kind === 'api-token') return principal.userId;
  throw new DomainError('forbidden');
}

function viewOf(row: repository.CampaignRow): CampaignView {
  return {
    id: row.id,
    incidentId: row.incident_id,
    incidentReference: row.incident_reference,
    isDrill: row.is_drill,
    state: row.state,
    channels: row.channels.filter((channel): channel is Channel =>
      (CHANNELS as readonly string[]).includes(channel),
    ),
    texts: row.texts,
    version: row.version,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
    startedAt: row.started_at,
    pausedAt: row.paused_at,
    finishedAt: row.finished_at,
    progress: { done: row.done_count, total: row.total_count, queued: row.queued_count },
    categories: knownCategories(row.categories_seen),
  };
}

/** Refuses texts that look like they hold personal data, naming the field and kind, never the value. */
export function checkTexts(texts: CampaignTexts): void {
  const named: Record<string, string> = {};
  for (const language of Object.keys(texts) as Language[])
    for (const field of TEXT_FIELDS) named[`${language}.${field}`] = (texts[language] as CampaignText)[field];
  const findings = findPersonalDataIn(named);
  if (findings.length > 0)
    throw new DomainError(
      'personal-data-in-text',
      `Remove what looks like personal data from: ${findings.map((finding) => `${finding.field} (${finding.kinds.join(', ')})`).join('; ')}.`,
      { findings },
    );
}

export class BreachNoticesService {
  private readonly sources: BreachNoticeSources;
  private readonly notifications: NotificationService;
  private readonly customers: CustomerService;
  private readonly audit: AuditRecorder;
  private readonly publicUrl: string;
  private readonly now: () => Date;
  private readonly textCacheMs: number;
  private readonly textCache = new Map<string, { at: number; texts: CampaignTexts; isDrill: boolean }>();

  constructor(
    private readonly db: Db,
    options: ServiceOptions,
  ) {
    this.sources = options.sources;
    this.notifications = options.notifications;
    this.customers = options.customers;
    this.audit = options.audit;
    this.publicUrl = options.publicUrl;
    this.now = options.now ?? (() => new Date());
    this.textCacheMs = options.textCacheMs ?? 10_000;
    // The outbox renders `breach.notice` with the campaign's texts, looked up by the row's batch.
    this.notifications.registerResolver('breach.notice', async (db, notice) => {
      if (!notice.batchId) throw new Error('a breach notice without its campaign');
      const campaign = await this.cachedTexts(db, notice.batchId);
      return resolvedNoticeParams(campaign, notice.language, notice.params);
    });
  }

  /** Writes a campaign for an incident (one per incident), as a draft. */
  async create(caller: BreachNoticeCaller, incidentId: string, input: CampaignInput): Promise<CampaignView> {
    const userId = staffIdOf(caller.context);
    checkTexts(input.texts);
    return this.db.transaction().execute(async (trx) => {
      const incident = await this.sources.incidents.incidentSummary(trx, incidentId);
      if (!incident) throw new DomainError('not-found', 'No such incident.');
      if (!incidentReference.safeParse(incident.reference).success)
        throw new DomainError('bad-request', "The incident's reference cannot be put in a link.");
      const id = randomUUID();
      const now = this.now();
      const inserted = await repository.insertCampaign(trx, {
        id,
        incident_id: incidentId,
        incident_reference: incident.reference,
        is_drill: incident.isDrill,
        channels: [...new Set(input.channels)],
        texts: input.texts,
        created_by: userId,
        updated_by: userId,
        created_at: now,
        updated_at: now,
      });
      if (!inserted) throw new DomainError('conflict', 'The incident already has a notice campaign.');
      await this.record(trx, caller, 'breach-notice.campaign-created', id, { incidentId });
      return viewOf(await this.mustFind(trx, id));
    });
  }

  async get(_caller: BreachNoticeCaller, id: string): Promise<CampaignView> {
    return viewOf(await this.mustFind(this.db, id));
  }

  /** The incident's campaign, or null when none was written yet. */
  async forIncident(_caller: BreachNoticeCaller, incidentId: string): Promise<CampaignView | null> {
    const row = await repository.findCampaignByIncident(this.db, incidentId);
    return row ? viewOf(row) : null;
  }

  /** Changes texts and channels of a draft or an approved campaign (which then needs approving again). */
  async update(
    caller: BreachNoticeCaller,
    id: string,
    input: CampaignInput & { version: number },
  ): Promise<CampaignView> {
    const userId = staffIdOf(caller.context);
    checkTexts(input.texts);
    return this.db.transaction().execute(async (trx) => {
      const current = await this.mustFind(trx, id);
      if (current.state !== 'draft' && current.state !== 'approved')
        throw new DomainError('campaign-state', 'Texts cannot change once sending has begun.');
      const row = await repository.updateTexts(trx, id, {
        version: input.version,
        states: ['draft', 'approved'],
        channels: [...new Set(input.channels)],
        texts: input.texts,
        updated_by: userId,
        now: this.now(),
      });
      if (!row) throw new DomainError('stale-version');
      this.textCache.delete(id);
      await this.record(trx, caller, 'breach-notice.campaign-edited', id, { version: row.version });
      return viewOf(row);
    });
  }

  /** A second security officer, who wrote none of it, approves the draft at the version they read. */
  async approve(caller: BreachNoticeCaller, id: string, version: number): Promise<CampaignView> {
    const userId = staffIdOf(caller.context);
    return this.db.transaction().execute(async (trx) => {
      const current = await this.mustFind(trx, id);
      if (current.created_by === userId || current.updated_by === userId)
        throw new DomainError('four-eyes-required', 'Nobody approves notice texts they wrote.');
      if (current.state !== 'draft') throw new DomainError('campaign-state', 'Only a draft is approved.');
      if (current.version !== version) throw new DomainError('stale-version');
      const row = await repository.approve(trx, id, { version, approved_by: userId, now: this.now() });
      if (!row) throw new DomainError('stale-version');
      await this.record(trx, caller, 'breach-notice.campaign-approved', id, { version });
      return viewOf(row);
    });
  }

  /**
   * Starts (or resumes) sending: the background job takes it from here. Starting a finished campaign sweeps
   * the blast radius again from the start, for subjects added since (nobody gets a notice twice).
   */
  async start(caller: BreachNoticeCaller, id: string): Promise<CampaignView> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.mustFind(trx, id);
      if (current.state === 'sending') return viewOf(current);
      if (!['approved', 'paused', 'done'].includes(current.state))
        throw new DomainError('campaign-state', 'A campaign is approved before it is sent.');
      const row = await repository.moveState(trx, id, {
        from: [current.state],
        to: 'sending',
        now: this.now(),
        restart: current.state === 'done',
      });
      if (!row) throw new DomainError('stale-version');
      await this.record(trx, caller, 'breach-notice.sending-started', id, { from: current.state });
      return viewOf(row);
    });
  }

  /** Pauses sending at the next page; notices already queued are still delivered. */
  async pause(caller: BreachNoticeCaller, id: string): Promise<CampaignView> {
    return this.db.transaction().execute(async (trx) => {
      const row = await repository.moveState(trx, id, { from: ['sending'], to: 'paused', now: this.now() });
      if (!row) {
        await this.mustFind(trx, id);
        throw new DomainError('campaign-state', 'Only a campaign that is sending can be paused.');
      }
      await this.record(trx, caller, 'breach-notice.sending-paused', id, { done: row.done_count });
      return viewOf(row);
    });
  }

  /** Delivery per channel, from the outbox. */
  async delivery(_caller: BreachNoticeCaller, id: string): Promise<ChannelDelivery[]> {
    const campaign = await this.mustFind(this.db, id);
    const counts = await this.notifications.batchCounts(this.db, id);
    const channels = [...new Set([...campaign.channels, ...counts.map((count) => count.channel)])];
    return CHANNELS.filter((channel) => channels.includes(channel)).map((channel) => {
      const of = (status: string) =>
        counts.find((count) => count.channel === channel && count.status === status)?.count ?? 0;
      return {
        channel,
        pending: of('pending'),
        sent: of('sent'),
        failed: of('failed'),
        skipped: of('skipped'),
      };
    });
  }

  /** Undelivered notices (failed or skipped) on a channel, by subject id, a page at a time. */
  async failures(
    _caller: BreachNoticeCaller,
    id: string,
    options: { channel: Channel; after?: string | null; limit?: number },
  ): Promise<{ items: Failure[]; nextAfter: string | null }> {
    await this.mustFind(this.db, id);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
    const rows = await this.notifications.batchUndelivered(this.db, id, { ...options, limit });
    return {
      items: rows.map((row) => ({
        subjectId: row.recipient_id,
        channel: row.channel,
        status: row.status === 'failed' ? 'failed' : 'skipped',
        reason: row.last_error,
        attempts: row.attempts,
        at: row.updated_at,
      })),
      nextAfter: rows.length === limit ? (rows.at(-1)?.recipient_id ?? null) : null,
    };
  }

  /**
   * "Retry failed by <channel>": queues every notice undelivered on `from` again on `to`, for the same
   * customers, in their language, with the same content (the dedupe key of `to` keeps anyone from getting
   * it twice on `to`). A page of 1,000 per transaction.
   */
  async retryOnChannel(
    caller: BreachNoticeCaller,
    id: string,
    route: { from: Channel; to: Channel },
  ): Promise<{ considered: number; queued: number }> {
    if (route.from === route.to) throw new DomainError('bad-request', 'Choose another channel to retry on.');
    const campaign = await this.mustFind(this.db, id);
    if (!['sending', 'paused', 'done'].includes(campaign.state))
      throw new DomainError('campaign-state', 'Nothing has been sent yet.');
    let after: string | null = null;
    let considered = 0;
    let queued = 0;
    for (;;) {
      const page = await this.notifications.batchUndelivered(this.db, id, {
        channel: route.from,
        after,
        limit: 1_000,
      });
      if (page.length === 0) break;
      const recipients: BulkRecipient<'breach.notice'>[] = page.map((row) => ({
        recipientId: row.recipient_id,
        language: row.language,
        params: row.params as BulkRecipient<'breach.notice'>['params'],
      }));
      const inserted = await this.db.transaction().execute(async (trx) => {
        const count = await this.notifications.enqueueToRecipients(trx, 'breach.notice', recipients, {
          channels: [route.to],
          dedupePrefix: breachDedupePrefix(id),
          batchId: id,
        });
        await repository.addQueued(trx, id, count);
        return count;
      });
      considered += page.length;
      queued += inserted;
      after = page.at(-1)?.recipient_id ?? null;
      if (page.length < 1_000) break;
    }
    await this.record(this.db, caller, 'breach-notice.retried-on-channel', id, {
      from: route.from,
      to: route.to,
      considered,
      queued,
    });
    return { considered, queued };
  }

  /**
   * Letters for customers no notice reached (nothing pending, nothing sent by SMS or email): a PDF with one
   * page per customer, their name and postal address read through the vault (purpose incident-response,
   * unmasked: the caller needs the unmask permission and a fresh second factor) in the same transaction as
   * the export's own audit event. At most {@link LETTERS_MAX} per file; `nextAfter` continues.
   */
  async letters(
    caller: BreachNoticeCaller,
    id: string,
    options: { after?: string | null; limit?: number },
  ): Promise<{ pdf: Buffer; count: number; nextAfter: string | null }> {
    const campaign = await this.mustFind(this.db, id);
    if (!['sending', 'paused', 'done'].includes(campaign.state))
      throw new DomainError('campaign-state', 'Nothing has been sent yet.');
    for (const field of ['customer.name', 'customer.address'] as const) {
      const decision = decideUnmask(
        caller.context.principal,
        caller.ability,
        field,
        'incident-response',
        this.now(),
      );
      if (!decision.unmask)
        throw new DomainError(decision.reason === 'step-up-required' ? 'step-up-required' : 'forbidden');
    }
    const limit = Math.min(Math.max(options.limit ?? LETTERS_MAX, 1), LETTERS_MAX);
    return this.db.transaction().execute(async (trx) => {
      const unreached = await this.notifications.batchUnreached(trx, id, {
        reaching: REACHING_CHANNELS,
        after: options.after ?? null,
        limit,
      });
      const actor = auditActorOf(caller.context);
      const views = await this.customers.view(
        trx,
        unreached.map((row) => row.recipient_id),
        ['name', 'address'],
        {
          actor,
          purpose: 'incident-response',
          unmask: true,
          requestId: caller.context.requestId,
          resource: { type: 'breach-notice-campaign', id },
        },
      );
      const byId = new Map(views.map((view) => [view.id, view]));
      const pages = [];
      for (const row of unreached) {
        const view = byId.get(row.recipient_id);
        const text = await this.notifications.renderNotice(trx, {
          template: 'breach.notice',
          language: row.language,
          params: row.params,
          batchId: id,
        });
        pages.push({
          language: row.language,
          name: view?.fields.name?.value ?? null,
          address: view?.fields.address?.value ?? null,
          subject: text.subject,
          body: text.body,
        });
      }
      const pdf = await renderLetters(pages, {
        watermark: `${campaign.incident_reference} · ${id} · ${actor.id ?? 'system'} · ${this.now().toISOString()}`,
      });
      await this.record(trx, caller, 'breach-notice.letters-exported', id, {
        letters: pages.length,
        withoutAddress: pages.filter((page) => !page.address).length,
      });
      return {
        pdf,
        count: pages.length,
        nextAfter: unreached.length === limit ? (unreached.at(-1)?.recipient_id ?? null) : null,
      };
    });
  }

  /** The public notice, in both languages, for when informing each customer is impossible. */
  async publicNotice(
    _caller: BreachNoticeCaller,
    id: string,
  ): Promise<Record<Language, { title: string; body: string }>> {
    const campaign = await this.mustFind(this.db, id);
    if (campaign.state === 'draft')
      throw new DomainError('campaign-state', 'A public notice is produced from approved texts only.');
    const input = {
      texts: campaign.texts,
      isDrill: campaign.is_drill,
      reference: campaign.incident_reference,
      categories: campaign.categories_seen,
    };
    return {
      'zh-CN': publicNoticeText(input, 'zh-CN', this.publicUrl),
      'en-US': publicNoticeText(input, 'en-US', this.publicUrl),
    };
  }

  /**
   * The public breach-status page (no sign-in): every approved campaign that is not a drill, with the
   * incident's current status from the incidents module, newest first.
   */
  async publicStatus(): Promise<PublicStatusItem[]> {
    const rows = await repository.publicCampaigns(this.db, 20);
    const items: PublicStatusItem[] = [];
    for (const row of rows) {
      const incident = await this.sources.incidents.incidentSummary(this.db, row.incident_id);
      // SECURITY: drills are never public, whatever was stored when the campaign was written.
      if (!incident || incident.isDrill) continue;
      const categories = knownCategories(row.categories_seen);
      items.push({
        reference: row.incident_reference,
        status: incident.status,
        texts: row.texts,
        categories,
        categoryNames: {
          'zh-CN': categories.map((id) => DATA_CATEGORIES[id]['zh-CN']),
          'en-US': categories.map((id) => DATA_CATEGORIES[id]['en-US']),
        },
        noticesStarted: row.state !== 'approved',
        approvedAt: row.approved_at,
        updatedAt: new Date(
          Math.max(
            ...[row.approved_at, row.started_at, row.paused_at, row.finished_at, row.updated_at].map(
              (date) => date?.getTime() ?? 0,
            ),
          ),
        ),
      });
    }
    return items;
  }

  /** The portal banner: the campaigns whose notices reached this customer (S4.2). */
  async portalBanner(context: RequestContext): Promise<{ affected: boolean; items: PortalBannerItem[] }> {
    const principal = context.principal;
    if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
    const batches = await this.notifications.batchesOf(this.db, {
      kind: 'customer',
      id: principal.customerId,
    });
    const rows = (await repository.findCampaigns(this.db, batches)).filter((row) =>
      ['sending', 'paused', 'done'].includes(row.state),
    );
    const items = rows.map((row) => ({
      incidentReference: row.incident_reference,
      isDrill: row.is_drill,
      headline: { 'zh-CN': row.texts['zh-CN'].headline, 'en-US': row.texts['en-US'].headline },
      noticePath: '/portal/notifications',
      compensationPath: compensationPath(row.incident_reference),
    }));
    return { affected: items.length > 0, items };
  }

  /**
   * Whether the signed-in customer was affected by the incident with this reference, as the portal banner
   * says it (a notice of a started campaign was queued for them), with what the compensation claim form is
   * pre-filled with (issue 5 section 8). Refuses with `not-affected` otherwise: the answer is the same for an
   * unknown reference and for an incident that did not touch this customer, so it tells nothing of others.
   */
  async compensationEligibility(
    context: RequestContext,
    reference: string,
  ): Promise<CompensationEligibility> {
    const principal = context.principal;
    if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
    const batches = await this.notifications.batchesOf(this.db, {
      kind: 'customer',
      id: principal.customerId,
    });
    const row = (await repository.findCampaigns(this.db, batches)).find(
      (campaign) =>
        campaign.incident_reference === reference && ['sending', 'paused', 'done'].includes(campaign.state),
    );
    if (!row) throw new DomainError('not-affected');
    const subject = this.sources.affected.affectedSubject
      ? await this.sources.affected.affectedSubject(this.db, row.incident_id, principal.customerId)
      : null;
    const categories = knownCategories(subject ? subject.categories : row.categories_seen);
    return {
      incidentId: row.incident_id,
      incidentReference: row.incident_reference,
      isDrill: row.is_drill,
      headline: { 'zh-CN': row.texts['zh-CN'].headline, 'en-US': row.texts['en-US'].headline },
      categories,
      categoryNames: {
        'zh-CN': categories.map((id) => DATA_CATEGORIES[id]['zh-CN']),
        'en-US': categories.map((id) => DATA_CATEGORIES[id]['en-US']),
      },
    };
  }

  private async cachedTexts(db: Db, id: string): Promise<{ texts: CampaignTexts; isDrill: boolean }> {
    const cached = this.textCache.get(id);
    const now = Date.now();
    if (cached && now - cached.at < this.textCacheMs) return cached;
    const row = await repository.findCampaign(db, id);
    if (!row) throw new Error('the campaign of a breach notice is gone');
    const entry = { at: now, texts: row.texts, isDrill: row.is_drill };
    if (this.textCache.size > 100) this.textCache.clear();
    this.textCache.set(id, entry);
    return entry;
  }

  private async mustFind(db: Db, id: string): Promise<repository.CampaignRow> {
    const row = await repository.findCampaign(db, id);
    if (!row) throw new DomainError('not-found', 'No such notice campaign.');
    return row;
  }

  private async record(
    db: Db,
    caller: BreachNoticeCaller,
    action: string,
    campaignId: string,
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    const actor: AuditActor = auditActorOf(caller.context);
    await this.audit.record(db, {
      actor,
      action,
      resource: { type: 'breach-notice-campaign', id: campaignId },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: caller.context.requestId,
      details,
    });
  }
}
