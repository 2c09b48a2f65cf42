import type pg from 'pg';
import type { Store } from '../../db/store.js';
import { AUDIT_APPENDED_CHANNEL } from '../audit/audit.repository.js';
import type { DetectionService, EvaluationResult } from './detection.service.js';

/**
 * Runs the detection rules over the audit log as it grows (S2.3, S13.5): woken as soon as events are
 * sequenced, it evaluates them in seq order from the stored cursor (`DetectionService.evaluateNext`).
 *
 * - **Wake-ups.** In this process, the audit sequencer calls `wake()` after every append (see
 *   `AuditService.onSequenced`). On PostgreSQL the sequencer also issues `pg_notify` in its append
 *   transaction, so an append by any process wakes the leader here through LISTEN. A slow poll
 *   (`pollMs`) catches anything a lost notification would miss.
 * - **One evaluator.** On PostgreSQL, several processes may run an engine; only the one holding a
 *   session-level advisory lock (on a connection of its own, keyed by the schema) evaluates. When that
 *   connection dies, PostgreSQL releases the lock and another process takes it within `leaderRetryMs`.
 *   The embedded store has one process, which is always the leader.
 * - **Exactly once.** Alerts and the cursor commit together, and the cursor row is locked by each batch,
 *   so even a former leader still finishing a batch cannot make an event count twice.
 */
export type DetectionEngineOptions = {
  store: Pick<Store, 'kind' | 'openSession'>;
  service: DetectionService;
  /** Events per transaction (default 500 on PostgreSQL, 200 on the embedded store, whose one session requests share). */
  batchSize?: number;
  /** The safety-net poll (default 5 s). */
  pollMs?: number;
  /** How often a follower tries to become the leader (default 2 s). */
  leaderRetryMs?: number;
  onError?: (error: unknown) => void;
  /** Called inside each batch's transaction before it commits (crash tests). */
  beforeCommit?: (result: EvaluationResult) => Promise<void>;
};

/** First key of the leader lock (the second is a hash of the schema, so installations do not collide). */
export const DETECTION_LEADER_LOCK = 0x4364_6574; // "Cdet"

export class DetectionEngine {
  readonly #options: DetectionEngineOptions;
  #running = false;
  #loop: Promise<void> | null = null;
  #pending = false;
  #wakeUp: (() => void) | null = null;
  #session: pg.Client | null = null;
  #schema: string | null = null;
  #leader = false;

  constructor(options: DetectionEngineOptions) {
    this.#options = options;
  }

  /** Whether this engine evaluates now (always true on the embedded store once started). */
  get isLeader(): boolean {
    return this.#leader;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#pending = true;
    this.#loop = this.#run();
  }

  /** Stops after the batch in flight (which commits or rolls back whole) and gives up the leadership. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.wake();
    await this.#loop;
    this.#loop = null;
    await this.#resign();
  }

  /** Asks for an evaluation soon; cheap, never throws. */
  wake(): void {
    this.#pending = true;
    this.#wakeUp?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        if (!this.#leader) await this.#tryToLead();
        // A leader whose connection died without a word finds out here (the query fails, `lost` runs).
        if (this.#leader && this.#session) await this.#session.query('select 1');
        if (this.#leader) {
          this.#pending = false;
          await this.#drain();
        }
      } catch (error) {
        this.#options.onError?.(error);
      }
      if (!this.#running) break;
      await this.#sleep(
        this.#leader ? (this.#options.pollMs ?? 5_000) : (this.#options.leaderRetryMs ?? 2_000),
      );
    }
  }

  async #drain(): Promise<void> {
    const batchSize = this.#options.batchSize ?? (this.#options.store.kind === 'postgres' ? 500 : 200);
    while (this.#running && this.#leader) {
      const result = await this.#options.service.evaluateNext({
        batchSize,
        ...(this.#options.beforeCommit ? { beforeCommit: this.#options.beforeCommit } : {}),
      });
      if (result.evaluated < batchSize) return;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#pending || !this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wakeUp = null;
        resolve();
      }
      this.#wakeUp = done;
    });
  }

  async #tryToLead(): Promise<void> {
    const openSession = this.#options.store.openSession;
    if (this.#options.store.kind !== 'postgres' || !openSession) {
      this.#leader = true;
      return;
    }
    if (!this.#session) {
      const session = await openSession('claimguard-detection');
      const lost = () => {
        if (this.#session !== session) return;
        // The lock went with the connection: stop evaluating; the loop tries again on a new one.
        this.#session = null;
        this.#leader = false;
        session.end().catch(() => {});
      };
      session.on('error', lost);
      session.on('end', lost);
      session.on('notification', (message) => {
        if (message.channel === AUDIT_APPENDED_CHANNEL && message.payload?.startsWith(`${this.#schema}:`))
          this.wake();
      });
      const { rows } = await session.query<{ schema: string }>('select current_schema() as schema');
      this.#schema = rows[0]?.schema ?? 'public';
      this.#session = session;
    }
    const session = this.#session;
    const { rows } = await session.query<{ locked: boolean }>(
      'select pg_try_advisory_lock($1, hashtext(current_schema())) as locked',
      [DETECTION_LEADER_LOCK],
    );
    if (rows[0]?.locked !== true) return;
    await session.query(`listen ${AUDIT_APPENDED_CHANNEL}`);
    // Whatever was appended while another process led (or nobody did) is evaluated now.
    this.#pending = true;
    this.#leader = true;
  }

  async #resign(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#leader = false;
    // Ending the connection releases the session lock and the LISTEN with it.
    await session?.end().catch(() => {});
  }
}
