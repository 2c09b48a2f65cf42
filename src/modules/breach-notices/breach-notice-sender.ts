import type { Kysely } from 'kysely';
import type { Language } from '../../config/config.js';
import type { Database } from '../../db/database-schema.js';
import type { BulkRecipient, NotificationService } from '../notifications/notifications.service.js';
import type { Channel } from '../notifications/notifications.tables.js';
import type { AffectedSubjectsSource } from './affected-subjects.js';
import { compensationPath, knownCategories } from './breach-notice-content.js';
import * as repository from './breach-notices.repository.js';

/**
 * The breach-notice job (S4.2): queues, for every affected subject of a campaign's incident, one
 * `breach.notice` per channel in the customer's own language into the notification outbox, which sends
 * them. A page at a time, each page ONE transaction that:
 *
 * 1. locks the campaign row if it is `sending` (`for update skip locked`: a campaign another process is
 *    working on is skipped, not waited for, so several server processes never run one campaign at once);
 * 2. reads the next keyset page of affected subjects after the stored cursor;
 * 3. reads their languages in one query (CustomerService.languagesOf);
 * 4. inserts their notices (one per subject and channel) in one multi-row insert, `on conflict (dedupe_key)
 *    do nothing`, the dedupe key being `breach:<campaign>:<subject>:<channel>`;
 * 5. moves the cursor to the page's last subject and adds to the counts; a short page ends the campaign.
 *
 * A crash anywhere in a page rolls the whole page back, cursor included, so the job resumes exactly where
 * the last committed page left it; the dedupe keys would stop a double even if it did not. Pausing is seen
 * at the next page (the lock wants `state = 'sending'`). The texts are not copied into the rows: the
 * outbox resolves them from the campaign when it renders each notice (`breach.notice`'s resolver).
 */
type Db = Kysely<Database>;

/** What the sender needs of the claims module. */
export interface CustomerLanguages {
  languagesOf(db: Db, ids: readonly string[]): Promise<Map<string, Language>>;
}

export type SenderOptions = {
  notifications: Pick<NotificationService, 'enqueueToRecipients'>;
  affected: AffectedSubjectsSource;
  customers: CustomerLanguages;
  /** Language of subjects who are no customer (CLAIMGUARD_LANGUAGE). */
  defaultLanguage?: Language;
  /** Affected subjects per page (default 2,000). */
  pageSize?: number;
  now?: () => Date;
};

export type PageOutcome =
  | { kind: 'page'; subjects: number; queued: number; done: number; total: number | null; finished: boolean }
  /** Another process holds the campaign, or it is not sending (paused, done, unknown). */
  | { kind: 'skipped' };

export type CampaignProgress = { done: number; total: number | null; queued: number };

type SenderLoop = { timer: NodeJS.Timeout | null; running: Promise<unknown> | null; stopped: boolean };

/** Notices of a campaign are deduplicated by `breach:<campaign>:<subject>:<channel>`. */
export function breachDedupePrefix(campaignId: string): string {
  return `breach:${campaignId}`;
}

export class BreachNoticeSender {
  private readonly notifications: Pick<NotificationService, 'enqueueToRecipients'>;
  private readonly affected: AffectedSubjectsSource;
  private readonly customers: CustomerLanguages;
  private readonly defaultLanguage: Language;
  private readonly pageSize: number;
  private readonly now: () => Date;
  private loop: SenderLoop | null = null;

  constructor(options: SenderOptions) {
    this.notifications = options.notifications;
    this.affected = options.affected;
    this.customers = options.customers;
    this.defaultLanguage = options.defaultLanguage ?? 'zh-CN';
    this.pageSize = options.pageSize ?? 2_000;
    this.now = options.now ?? (() => new Date());
    if (this.pageSize < 1 || this.pageSize > 10_000) throw new Error('pageSize must be 1 to 10,000');
  }

  /** One page of one campaign, in a transaction of its own (see the module comment). */
  async sendPage(db: Db, campaignId: string): Promise<PageOutcome> {
    return db.transaction().execute(async (trx) => {
      const campaign = await repository.lockSending(trx, campaignId);
      if (!campaign) return { kind: 'skipped' as const };
      const total =
        campaign.total_count ??
        (await this.countAffected(trx, campaign.incident_id, campaign.done_count, campaign.cursor));
      const page = await this.affected.affectedSubjects(
        trx,
        campaign.incident_id,
        campaign.cursor,
        this.pageSize,
      );
      const ids = page.map((subject) => subject.subjectId);
      const languages = await this.customers.languagesOf(trx, ids);
      const link = compensationPath(campaign.incident_reference);
      const channels = campaign.channels as Channel[];
      const seen = new Set(campaign.categories_seen);
      const recipients: BulkRecipient<'breach.notice'>[] = page.map((subject) => {
        const categories = knownCategories(subject.categories);
        for (const category of categories) seen.add(category);
        return {
          recipientId: subject.subjectId,
          language: languages.get(subject.subjectId) ?? this.defaultLanguage,
          params: { incident: campaign.incident_reference, categories: categories.join(','), link },
        };
      });
      const queued = await this.notifications.enqueueToRecipients(trx, 'breach.notice', recipients, {
        channels,
        dedupePrefix: breachDedupePrefix(campaign.id),
        batchId: campaign.id,
      });
      const finished = page.length < this.pageSize;
      const done = campaign.done_count + page.length;
      await repository.advance(trx, campaign.id, {
        cursor: page.at(-1)?.subjectId ?? campaign.cursor,
        doneDelta: page.length,
        queuedDelta: queued,
        // A total that the sweep outgrew (the blast radius widened meanwhile) follows the count done.
        totalCount: finished ? done : Math.max(total, done),
        categories: knownCategories([...seen]),
        finished,
        now: this.now(),
      });
      return {
        kind: 'page' as const,
        subjects: page.length,
        queued,
        done,
        total: finished ? done : Math.max(total, done),
        finished,
      };
    });
  }

  /**
   * Runs a campaign until it is done or stops sending (paused), page after page; when another process
   * holds it, waits `busyWaitMs` and tries again, until `signal` aborts. Reports progress after each page.
   */
  async runCampaign(
    db: Db,
    campaignId: string,
    options: {
      onProgress?: (progress: CampaignProgress) => void;
      signal?: AbortSignal;
      busyWaitMs?: number;
    } = {},
  ): Promise<'done' | 'stopped'> {
    let queued = 0;
    for (;;) {
      if (options.signal?.aborted) return 'stopped';
      const outcome = await this.sendPage(db, campaignId);
      if (outcome.kind === 'page') {
        queued += outcome.queued;
        options.onProgress?.({ done: outcome.done, total: outcome.total, queued });
        if (outcome.finished) return 'done';
        continue;
      }
      const campaign = await repository.findCampaign(db, campaignId);
      if (campaign?.state !== 'sending') return campaign?.state === 'done' ? 'done' : 'stopped';
      await new Promise((resolve) => setTimeout(resolve, options.busyWaitMs ?? 1_000));
    }
  }

  /**
   * One round of the background job: a page of every campaign that is sending and that no other process
   * holds. Returns how many pages were written (0: nothing to do right now).
   */
  async sendDue(db: Db): Promise<number> {
    let pages = 0;
    for (const id of await repository.sendingIds(db)) {
      const outcome = await this.sendPage(db, id);
      if (outcome.kind === 'page') pages++;
    }
    return pages;
  }

  /**
   * Runs rounds every `intervalMs` until {@link stop}; a round that wrote pages is followed at once by the
   * next. `onError` hears of a failed round; the loop goes on.
   */
  start(db: Db, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): void {
    if (this.loop) throw new Error('the breach-notice sender is already running');
    const interval = options.intervalMs ?? 2_000;
    const loop: SenderLoop = { timer: null, running: null, stopped: false };
    this.loop = loop;
    const tick = () => {
      loop.timer = null;
      const round = this.sendDue(db).then(
        (pages) => pages > 0,
        (error: unknown) => {
          options.onError?.(error);
          return false;
        },
      );
      loop.running = round;
      void round.then((more) => {
        loop.running = null;
        if (!loop.stopped) loop.timer = setTimeout(tick, more ? 0 : interval);
      });
    };
    loop.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and waits for a page under way to commit. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    loop.stopped = true;
    if (loop.timer) clearTimeout(loop.timer);
    await loop.running;
    this.loop = null;
  }

  /**
   * How many subjects are affected in all: the source's count when it has one, otherwise `done` plus those
   * after the cursor, counted by paging through the source once.
   */
  private async countAffected(
    db: Db,
    incidentId: string,
    done: number,
    after: string | null,
  ): Promise<number> {
    if (this.affected.countAffectedSubjects) return this.affected.countAffectedSubjects(db, incidentId);
    let count = done;
    let cursor = after;
    for (;;) {
      const page = await this.affected.affectedSubjects(db, incidentId, cursor, 10_000);
      count += page.length;
      if (page.length < 10_000) return count;
      cursor = page.at(-1)?.subjectId ?? cursor;
    }
  }
}
