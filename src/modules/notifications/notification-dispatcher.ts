import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { type EmailProvider, errorCodeOf, type SmsProvider } from './channels.js';
import * as repository from './notifications.repository.js';
import type { NotificationService, RecipientDirectory } from './notifications.service.js';

/**
 * Sends what the outbox holds (see notifications.service.ts for the module's overview). One round
 * ({@link NotificationDispatcher.dispatchDue}):
 *
 * 1. claims up to `batchSize` due rows in a short transaction of its own (`for update skip locked`), each
 *    under a lease of `leaseMs`: no other dispatcher, in this process or another, sees them until the
 *    lease ends, and no transaction stays open while a provider is being talked to;
 * 2. for each row: in-app is delivered by marking it sent; an expired notice is skipped (`expired`); a
 *    channel without a provider is skipped (`email-not-configured`, `sms-not-configured`); otherwise the
 *    address is the one the notice was queued for (`to`, sealed) or else looked up through the
 *    {@link RecipientDirectory} (none: skipped, `no-address`), the text is
 *    rendered in the row's language and sent;
 * 3. records the outcome if the claim still holds: `sent` with the provider's message id; on a failure,
 *    `pending` again after `baseMs · 2^(attempts-1)` (at most `maxMs`), or `failed` once `maxAttempts`
 *    claims have been made or the provider called the failure permanent.
 *
 * A process that dies mid-round leaves its rows claimed; they fall due again when the lease ends (a send
 * that happened just before the crash is then repeated: delivery is at least once across crashes, exactly
 * once otherwise).
 */

type Db = Kysely<Database>;

export type DispatcherOptions = {
  service: NotificationService;
  directory: RecipientDirectory;
  /** Null or absent: email notices are skipped with `email-not-configured`. */
  email?: EmailProvider | null;
  /** Null or absent: SMS notices are skipped with `sms-not-configured`. */
  sms?: SmsProvider | null;
  /** Claims per notice before it fails for good (default 5). */
  maxAttempts?: number;
  /** Delay after the first failure (default 30 s), doubling per further failure up to `maxMs` (1 h). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long a claimed row is held for one round (default 2 min). */
  leaseMs?: number;
  /** Rows per round (default 20). */
  batchSize?: number;
  now?: () => Date;
};

export type DispatchReport = {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Failed this time, due again later. */
  retrying: number;
  /** Rows whose lease ran out before their outcome was recorded (another dispatcher has them now). */
  lost: number;
};

type DispatchLoop = { timer: NodeJS.Timeout | null; running: Promise<unknown> | null; stopped: boolean };

export class NotificationDispatcher {
  private readonly service: NotificationService;
  private readonly directory: RecipientDirectory;
  private readonly email: EmailProvider | null;
  private readonly sms: SmsProvider | null;
  private readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly now: () => Date;
  private loop: DispatchLoop | null = null;

  constructor(options: DispatcherOptions) {
    this.service = options.service;
    this.directory = options.directory;
    this.email = options.email ?? null;
    this.sms = options.sms ?? null;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseMs = options.backoff?.baseMs ?? 30_000;
    this.maxMs = options.backoff?.maxMs ?? 60 * 60_000;
    this.leaseMs = options.leaseMs ?? 2 * 60_000;
    this.batchSize = options.batchSize ?? 20;
    this.now = options.now ?? (() => new Date());
    if (this.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  }

  /** The wait after the `attempts`-th failed claim. */
  backoffAfter(attempts: number): number {
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.max(attempts - 1, 0));
  }

  /** One round: claims due rows, delivers them, records each outcome. */
  async dispatchDue(db: Db): Promise<DispatchReport> {
    const report: DispatchReport = { claimed: 0, sent: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
    const claimedAt = this.now();
    const claimToken = randomUUID();
    const rows = await db.transaction().execute((trx) =>
      repository.claimDue(trx, {
        now: claimedAt,
        leaseUntil: new Date(claimedAt.getTime() + this.leaseMs),
        limit: this.batchSize,
        claimToken,
      }),
    );
    report.claimed = rows.length;
    for (const row of rows) {
      const outcome = await this.deliver(db, row);
      const recorded = await repository.recordOutcome(db, { id: row.id, claimToken }, outcome, this.now());
      if (!recorded) report.lost++;
      else if (outcome.status === 'pending') report.retrying++;
      else report[outcome.status]++;
    }
    return report;
  }

  private async deliver(db: Db, row: repository.ClaimedRow): Promise<repository.Outcome> {
    const now = this.now();
    if (row.expires_at && row.expires_at.getTime() <= now.getTime())
      return { status: 'skipped', reason: 'expired' };
    if (row.channel === 'in-app') return { status: 'sent', sentAt: now, providerMessageId: null };
    const provider = row.channel === 'email' ? this.email : this.sms;
    if (!provider) return { status: 'skipped', reason: `${row.channel}-not-configured` };
    let text: { subject: string; body: string };
    try {
      text = await this.service.renderResolved(db, row);
    } catch {
      // A sealed secret that does not open (another key) or a template gone: retrying cannot help.
      return { status: 'failed', reason: 'render-failed' };
    }
    let address: string | null;
    try {
      // An address the notice was queued for (the old contact after a change) wins over the one on file.
      address = this.service.addressOverride(row);
    } catch {
      return { status: 'failed', reason: 'render-failed' };
    }
    try {
      address ??= await this.directory.addressOf(
        db,
        { kind: row.recipient_kind, id: row.recipient_id },
        row.channel,
      );
    } catch {
      return this.retryOrFail(row, 'directory-error', false);
    }
    if (!address) return { status: 'skipped', reason: 'no-address' };
    try {
      const result = await provider.send({
        to: address,
        subject: text.subject,
        body: text.body,
        language: row.language,
        notificationId: row.id,
      });
      return { status: 'sent', sentAt: this.now(), providerMessageId: result.providerMessageId };
    } catch (error) {
      const { code, permanent } = errorCodeOf(error);
      return this.retryOrFail(row, code, permanent);
    }
  }

  private retryOrFail(row: repository.ClaimedRow, code: string, permanent: boolean): repository.Outcome {
    if (permanent || row.attempts >= this.maxAttempts) return { status: 'failed', reason: code };
    return {
      status: 'pending',
      reason: code,
      nextAttemptAt: new Date(this.now().getTime() + this.backoffAfter(row.attempts)),
    };
  }

  /**
   * Runs rounds every `intervalMs` until {@link stop}; a full round is followed at once by another.
   * `onError` hears of a round that failed (e.g. the store was unreachable); the loop goes on.
   */
  start(db: Db, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): void {
    if (this.loop) throw new Error('the dispatcher is already running');
    const interval = options.intervalMs ?? 5_000;
    const loop: DispatchLoop = { timer: null, running: null, stopped: false };
    this.loop = loop;
    const tick = () => {
      loop.timer = null;
      const round = this.dispatchDue(db).then(
        (report) => report.claimed === this.batchSize,
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

  /** Stops the loop and waits for a round under way to finish. */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    loop.stopped = true;
    if (loop.timer) clearTimeout(loop.timer);
    await loop.running;
    this.loop = null;
  }
}
