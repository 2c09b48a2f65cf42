import {
  appendToLog,
  type Db,
  lockLog,
  type NewEventRow,
  notifyAppended,
  readNodes,
  takeInboxAndSize,
} from './audit.repository.js';
import { encodeCanonicalEvent, toCanonicalEvent } from './canonical-event.js';
import { appendLeaves, frontierAddresses, hashLeaf } from './merkle-tree.js';

export const DEFAULT_BATCH_SIZE = 1_000;

/**
 * Group commit: moves up to `batchSize` committed inbox rows, in insertion order, into the log with
 * consecutive seq numbers, stores every Merkle subtree they complete, and deletes them from the inbox,
 * all in one transaction. Returns how many events it sequenced.
 *
 * SECURITY: the transaction-scoped advisory lock makes sequencers (in this and any other process on the
 * same database) take turns, so seq stays gapless and every append extends the tree the previous one
 * left. Callers of record() never take this lock: they only insert into the inbox.
 */
export async function sequencePending(
  db: Db,
  options: { batchSize?: number; state?: SequencerState } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const cached = options.state?.tree ?? null;
  const { moved, tree } = await db.transaction().execute(async (trx) => {
    await lockLog(trx);
    // Read after taking the lock: under READ COMMITTED each statement sees what the previous holder committed.
    const { rows: inbox, size } = await takeInboxAndSize(trx, batchSize);
    if (inbox.length === 0) return { moved: 0, tree: cached };
    const frontier = cached?.size === size ? cached.frontier : await readFrontier(trx, size);
    const rows: NewEventRow[] = inbox.map((entry, offset) => {
      // Milliseconds, as the canonical encoding keeps them, so the column and the bytes agree.
      const occurredAt = new Date(entry.occurredAt.getTime());
      const canonical = encodeCanonicalEvent(toCanonicalEvent(entry.event, size + offset, occurredAt));
      return { seq: size + offset, canonical, leafHash: hashLeaf(canonical), occurredAt, event: entry.event };
    });
    const appended = appendLeaves(
      size,
      frontier,
      rows.map((row) => row.leafHash),
    );
    await appendToLog(trx, rows, appended.completed);
    // Wakes listeners in other processes (the detection engine, S2.3) once this append commits.
    await notifyAppended(trx, size + rows.length - 1);
    return { moved: rows.length, tree: { size: appended.size, frontier: appended.frontier } };
  });
  // Only after the commit: a rolled-back append must not leave a frontier the store does not have.
  if (options.state) options.state.tree = tree;
  return moved;
}

/**
 * What a sequencer remembers between runs: the size and frontier it last committed. Another process
 * appending changes the size, which every run reads under the lock, so a stale frontier is never used.
 */
export type SequencerState = { tree: { size: number; frontier: Uint8Array[] } | null };

async function readFrontier(trx: Db, size: number): Promise<Uint8Array[]> {
  const addresses = frontierAddresses(size);
  const stored = await readNodes(trx, addresses);
  return addresses.map(({ level, index }) => {
    const hash = stored.get(`${level}:${index}`);
    // SECURITY: never extend a tree whose stored state is incomplete; verification will say why.
    if (!hash) throw new Error(`audit log: stored subtree (${level}, ${index}) is missing; run audit verify`);
    return hash;
  });
}

/**
 * Runs sequencePending until it takes less than a full batch: then every row committed before the call
 * has been sequenced (each run reads the inbox after taking the lock). Returns the number sequenced.
 */
export async function drainInbox(
  db: Db,
  options: { batchSize?: number; state?: SequencerState } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let total = 0;
  for (;;) {
    const moved = await sequencePending(db, { batchSize, state: options.state });
    total += moved;
    if (moved < batchSize) return total;
  }
}

export type AuditSequencerOptions = {
  batchSize?: number;
  /** How often the background loop runs while started (ms). */
  intervalMs?: number;
  /** Called after every run that sequenced events (checkpoint policy hangs here). */
  afterRun?: (sequenced: number) => Promise<void>;
  /** Where background failures go; the loop keeps running. */
  onError?: (error: unknown) => void;
};

/**
 * Drives sequencePending: on nudge() (after requests), on an interval while started, and to completion
 * on flush(). Concurrent nudges coalesce: at most one run is in flight and at most one more is queued.
 */
export class AuditSequencer {
  #running: Promise<number> | null = null;
  #queued: Promise<number> | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #state: SequencerState = { tree: null };

  constructor(
    private readonly db: Db,
    private readonly options: AuditSequencerOptions = {},
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.nudge(), this.options.intervalMs ?? 200);
    this.#timer.unref();
  }

  /** Stops the interval and waits for the run in flight. Call flush() first to empty the inbox. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([this.#running, this.#queued]);
  }

  /** Asks for a run soon; never throws (failures go to onError). */
  nudge(): void {
    this.#schedule().catch((error: unknown) => this.options.onError?.(error));
  }

  /** Sequences until the inbox is empty, after any run in flight. */
  async flush(): Promise<number> {
    // A run already in flight may have read the inbox before the caller's rows committed; one that
    // starts after this call (#schedule queues one behind it) drains everything committed by now.
    return this.#schedule();
  }

  #schedule(): Promise<number> {
    if (!this.#running) {
      this.#running = this.#runDrain().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    // A run is in flight and may have read the inbox before the caller's rows committed: queue one more.
    if (!this.#queued) {
      const after = this.#running.catch(() => 0);
      this.#queued = after.then(() => {
        this.#queued = null;
        return this.#schedule();
      });
    }
    return this.#queued;
  }

  async #runDrain(): Promise<number> {
    const sequenced = await drainInbox(this.db, { batchSize: this.options.batchSize, state: this.#state });
    if (sequenced > 0) await this.options.afterRun?.(sequenced);
    return sequenced;
  }
}
