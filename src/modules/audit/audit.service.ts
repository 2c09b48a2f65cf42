import { once } from 'node:events';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { binaryCopyRows } from '../../db/binary-copy.js';
import type { Database } from '../../db/database-schema.js';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import {
  type AuditQueryFilter,
  checkpointOfSize,
  type Db,
  type EventRow,
  inboxInsertSql,
  insertInbox,
  queryEvents,
  readNodes,
  treeSize,
} from './audit.repository.js';
import {
  type CheckpointResult,
  computeFromStore,
  createCheckpoint,
  readCheckpointFiles,
  storedConsistencyProof,
  storedInclusionProof,
  storedRoot,
  supersedeCheckpointFiles,
} from './audit-checkpoint.js';
import {
  type AuditActor,
  type AuditEventInput,
  type StatementAuditRecorder,
  SYSTEM_ACTOR,
} from './audit-event.js';
import { AuditSequencer, DEFAULT_BATCH_SIZE } from './audit-sequencer.js';
import { type VerifyReport, verifyLog } from './audit-verifier.js';
import { auditEventInputSchema, type CanonicalEvent, decodeCanonicalEvent } from './canonical-event.js';
import {
  type CheckpointSigner,
  createCheckpointSigner,
  loadCheckpointKey,
  parseVerifierKey,
} from './checkpoint-note.js';
import { inclusionProof } from './merkle-tree.js';

export type AuditServiceOptions = {
  signer: CheckpointSigner;
  /** Verifier keys trusted besides the signer's own (keys rotated out, say). */
  trustedVerifierKeys?: readonly string[];
  /** Directory outside the store that receives checkpoint copies; null for none. */
  checkpointDir?: string | null;
  batchSize?: number;
  /** Background sequencing interval while started (ms). */
  intervalMs?: number;
  /** Make a checkpoint once this many events were sequenced since the last one... */
  checkpointEveryEvents?: number;
  /** ...or once this long has passed with new events since the last one (ms). */
  checkpointEveryMs?: number;
  /** Where background failures go (sequencing, periodic checkpoints). */
  onError?: (error: unknown) => void;
};

/** An event as the log holds it: decoded from its canonical bytes. */
export type AuditRecord = { seq: number; leafHash: string; event: CanonicalEvent };

export type AuditPage<T> = {
  items: T[];
  /** Pass as `after` (as `before` when newest first) for the next page; null when this was the last one. */
  nextCursor: number | null;
};

export type AuditFilter = Omit<AuditQueryFilter, 'afterSeq' | 'beforeSeq'>;

/**
 * A page of events: oldest first from `after` (exclusive), or with `newestFirst` newest first from
 * `before` (exclusive), as a person reading their own history wants it.
 */
export type AuditPageRequest = { after?: number; before?: number; limit?: number; newestFirst?: boolean };

/** One entry of a data subject's own access history: who (role and internal id), when, what, why. */
export type AccessHistoryEntry = {
  seq: number;
  at: string;
  actor: { type: AuditActor['type']; id: string | null; role: string | null };
  action: string;
  fields: string[];
  purpose: string | null;
  outcome: CanonicalEvent['outcome'];
};

export type InclusionProofResult = {
  seq: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  proof: string[];
  /** The signed checkpoint of this tree size, when there is one. */
  checkpoint: string | null;
};

export type ConsistencyProofResult = {
  oldSize: number;
  newSize: number;
  oldRootHash: string;
  newRootHash: string;
  proof: string[];
};

export type ExportSummary = { events: number; treeSize: number; rootHash: string };

export type ResealResult = {
  restoredTreeSize: number;
  supersededCheckpointFiles: string[];
  checkpoint: CheckpointResult;
};

const MAX_PAGE = 1_000;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function isStore(value: Store | Kysely<Database>): value is Store {
  return 'db' in value && 'kind' in value;
}

/**
 * The tamper-evident audit log (S6.1, S6.5): record() in the caller's transaction, a sequencer that
 * appends recorded events to an RFC 9162 Merkle tree, signed checkpoints, verification, queries, proofs
 * and exports. See docs/audit-log.md.
 */
export class AuditService implements StatementAuditRecorder {
  readonly #db: Db;
  readonly #copyOutBinary: Store['copyOutBinary'];
  readonly #options: AuditServiceOptions;
  readonly #sequencer: AuditSequencer;
  #sinceCheckpoint = 0;
  #lastCheckpointAt = Date.now();
  readonly #sequencedListeners: (() => void)[] = [];

  constructor(store: Store | Kysely<Database>, options: AuditServiceOptions) {
    this.#db = isStore(store) ? store.db : store;
    this.#copyOutBinary = isStore(store) ? store.copyOutBinary : undefined;
    this.#options = options;
    this.#sequencer = new AuditSequencer(this.#db, {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      intervalMs: options.intervalMs ?? 200,
      afterRun: (sequenced) => this.#afterSequencing(sequenced),
      onError: options.onError,
    });
  }

  /**
   * Builds the service from the configuration: the signing key from CLAIMGUARD_AUDIT_SIGNING_KEY or the
   * data directory, checkpoints copied to CLAIMGUARD_AUDIT_CHECKPOINT_DIR (default <dataDir>/checkpoints),
   * origin `claimguard.local/audit/<name>` with the installation id or a configured name.
   */
  static fromConfig(
    store: Store | Kysely<Database>,
    config: { dataDir: string; auditCheckpointDir: string | undefined; auditSigningKey: string | undefined },
    options: { logName: string } & Partial<Omit<AuditServiceOptions, 'signer' | 'checkpointDir'>>,
  ): AuditService {
    const key = loadCheckpointKey({ dataDir: config.dataDir, signingKeyPem: config.auditSigningKey });
    const { logName, ...rest } = options;
    return new AuditService(store, {
      ...rest,
      signer: createCheckpointSigner(`claimguard.local/audit/${logName}`, key),
      checkpointDir: config.auditCheckpointDir ?? join(config.dataDir, 'checkpoints'),
    });
  }

  /** The key outsiders use to check checkpoints: `<name>+<key ID>+<public key>`. */
  get verifierKey(): string {
    return this.#options.signer.verifierKey;
  }

  get origin(): string {
    return this.#options.signer.name;
  }

  /**
   * Records an event inside the caller's transaction (`db` may be one): durable when the caller commits,
   * gone if it rolls back. Takes no lock, so concurrent requests do not wait for each other here.
   */
  async record(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
    await insertInbox(db, this.serialise(event));
  }

  /** The event checked against the contract and serialised (see {@link StatementAuditRecorder}). */
  serialise(event: AuditEventInput): string {
    const parsed = auditEventInputSchema.safeParse(event);
    if (!parsed.success) {
      // SECURITY: name the fields, never echo their values.
      throw new DomainError('validation-failed', 'the audit event does not match the audit event contract', {
        fields: [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))],
      });
    }
    return JSON.stringify(parsed.data);
  }

  inboxInsertSql(parameter: string): string {
    return inboxInsertSql(parameter);
  }

  /** Starts background sequencing (and periodic checkpoints) for a running server. */
  start(): void {
    this.#sequencer.start();
  }

  /** Stops background work after sequencing what is recorded. */
  async stop(): Promise<void> {
    await this.#sequencer.flush().catch((error: unknown) => this.#options.onError?.(error));
    await this.#sequencer.stop();
  }

  /**
   * Calls `listener` after every run of this process's sequencer that appended events (the detection engine
   * wakes on it, S2.3). Other processes' appends are signalled on PostgreSQL by NOTIFY (see
   * `AUDIT_APPENDED_CHANNEL`). The listener must not throw and should return at once.
   */
  onSequenced(listener: () => void): void {
    this.#sequencedListeners.push(listener);
  }

  /** Asks for a sequencing run soon (call after a request that recorded events has committed). */
  nudge(): void {
    this.#sequencer.nudge();
  }

  /** Sequences until the inbox is empty; returns how many events it appended. */
  flush(): Promise<number> {
    return this.#sequencer.flush();
  }

  async createCheckpoint(): Promise<CheckpointResult> {
    await this.flush();
    const result = await createCheckpoint(this.#db, this.#checkpointContext());
    this.#sinceCheckpoint = 0;
    this.#lastCheckpointAt = Date.now();
    return result;
  }

  async verify(
    options: { pageSize?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<VerifyReport> {
    await this.flush();
    const verifiers = [this.verifierKey, ...(this.#options.trustedVerifierKeys ?? [])].map(parseVerifierKey);
    return verifyLog(this.#db, {
      ...(this.#copyOutBinary
        ? { eventPages: eventPagesByCopy(this.#copyOutBinary, options.pageSize ?? 10_000) }
        : {}),
      verifiers,
      checkpointDir: this.#options.checkpointDir ?? null,
      pageSize: options.pageSize,
      onProgress: options.onProgress,
    });
  }

  /** Events matching every given filter, oldest first (or newest first, paged by `before`), paged by seq. */
  async query(filter: AuditFilter, page: AuditPageRequest = {}): Promise<AuditPage<AuditRecord>> {
    await this.flush();
    const limit = Math.min(Math.max(page.limit ?? 100, 1), MAX_PAGE);
    const rows = page.newestFirst
      ? await queryEvents(this.#db, { ...filter, beforeSeq: page.before }, limit + 1, 'desc')
      : await queryEvents(this.#db, { ...filter, afterSeq: page.after }, limit + 1);
    const items = rows.slice(0, limit).map(toRecord);
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.seq ?? null) : null };
  }

  /**
   * A data subject's own access history. SECURITY: staff appear by role and internal id only; their
   * session, address and browser stay out, as do the details.
   */
  async accessHistory(
    dataSubjectId: string,
    page: AuditPageRequest = {},
  ): Promise<AuditPage<AccessHistoryEntry>> {
    const records = await this.query({ dataSubjectId }, page);
    return {
      nextCursor: records.nextCursor,
      items: records.items.map(({ seq, event }) => ({
        seq,
        at: event.ts,
        actor: { type: event.actor.type, id: event.actor.id, role: event.actor.role },
        action: event.action,
        fields: event.fields,
        purpose: event.purpose,
        outcome: event.outcome,
      })),
    };
  }

  /** Proof that event `seq` is in the tree of a checkpoint's size (default: the current tree). */
  async inclusionProof(seq: number, options: { treeSize?: number } = {}): Promise<InclusionProofResult> {
    await this.flush();
    const size = options.treeSize ?? (await treeSize(this.#db));
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= size) {
      throw new DomainError('not-found', 'no such event in a tree of that size');
    }
    if (size > (await treeSize(this.#db))) throw new DomainError('bad-request', 'the tree is not that large');
    const [proof, root, leaves, checkpoint] = await Promise.all([
      storedInclusionProof(this.#db, seq, size),
      storedRoot(this.#db, size),
      readNodes(this.#db, [{ level: 0, index: seq }]),
      checkpointOfSize(this.#db, size),
    ]);
    return {
      seq,
      treeSize: size,
      leafHash: hex(leaves.get(`0:${seq}`) ?? Buffer.alloc(0)),
      rootHash: hex(root),
      proof: proof.map(hex),
      checkpoint: checkpoint?.note ?? null,
    };
  }

  /** Proof that the tree of `newSize` leaves extends the tree of `oldSize` leaves. */
  async consistencyProof(oldSize: number, newSize: number): Promise<ConsistencyProofResult> {
    await this.flush();
    const size = await treeSize(this.#db);
    if (!(Number.isSafeInteger(oldSize) && oldSize >= 0 && oldSize <= newSize && newSize <= size)) {
      throw new DomainError('bad-request', 'sizes must satisfy 0 <= old <= new <= current tree size');
    }
    const [proof, oldRoot, newRoot] = await Promise.all([
      storedConsistencyProof(this.#db, oldSize, newSize),
      storedRoot(this.#db, oldSize),
      storedRoot(this.#db, newSize),
    ]);
    return { oldSize, newSize, oldRootHash: hex(oldRoot), newRootHash: hex(newRoot), proof: proof.map(hex) };
  }

  /**
   * Writes matching events as JSON lines, each with its canonical bytes (as a UTF-8 string), leaf hash
   * and inclusion proof against a checkpoint made now, then that signed checkpoint: enough to verify
   * the export offline with docs/verify-audit-export.mjs, without ClaimGuard.
   */
  async exportJsonl(filter: AuditFilter, writable: Writable): Promise<ExportSummary> {
    const checkpoint = await this.createCheckpoint();
    const size = checkpoint.treeSize;
    const write = async (value: unknown) => {
      if (!writable.write(`${JSON.stringify(value)}\n`)) await once(writable, 'drain');
    };
    let after: number | undefined;
    let events = 0;
    for (;;) {
      const rows = await queryEvents(this.#db, { ...filter, afterSeq: after, beforeSeq: size }, MAX_PAGE);
      if (rows.length === 0) break;
      // One read for every proof of the page: plan all of them, fetch the union, compute.
      const proofs = await computeFromStore(this.#db, (source) =>
        rows.map((row) => inclusionProof(source, row.seq, size)),
      );
      for (const [i, row] of rows.entries()) {
        await write({
          type: 'event',
          seq: row.seq,
          leafHash: hex(row.leafHash),
          canonical: row.canonical.toString('utf8'),
          inclusionProof: (proofs[i] ?? []).map(hex),
        });
      }
      events += rows.length;
      after = rows.at(-1)?.seq;
    }
    await write({
      type: 'checkpoint',
      treeSize: size,
      rootHash: hex(checkpoint.rootHash),
      note: checkpoint.note,
      verifierKey: this.verifierKey,
    });
    return { events, treeSize: size, rootHash: hex(checkpoint.rootHash) };
  }

  /**
   * After a restore from backup: checkpoint files the restored log no longer matches are moved aside (kept
   * as evidence), an `audit.resealed` event records that and why, and a new checkpoint is signed.
   */
  async reseal(reason: string, actor: AuditActor = SYSTEM_ACTOR): Promise<ResealResult> {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > 500) {
      throw new DomainError('bad-request', 'a reason of 1 to 500 characters is required');
    }
    await this.flush();
    const size = await treeSize(this.#db);
    const roots = new Map<number, Buffer>();
    for (const checkpoint of readCheckpointSizes(this.#options.checkpointDir ?? null)) {
      if (checkpoint <= size) roots.set(checkpoint, await storedRoot(this.#db, checkpoint));
    }
    const superseded = supersedeCheckpointFiles(
      this.#options.checkpointDir ?? null,
      (checkpoint) => roots.get(checkpoint.size)?.equals(checkpoint.rootHash) ?? false,
    );
    await this.record(this.#db, {
      actor,
      action: 'audit.resealed',
      resource: { type: 'audit-log', id: this.origin },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: null,
      details: {
        reason: trimmed,
        restoredTreeSize: size,
        supersededCheckpointFiles: superseded.moved.length,
        highestSupersededSize: superseded.highestSize,
      },
    });
    const checkpoint = await this.createCheckpoint();
    return { restoredTreeSize: size, supersededCheckpointFiles: superseded.moved, checkpoint };
  }

  #checkpointContext() {
    return {
      signer: this.#options.signer,
      checkpointDir: this.#options.checkpointDir ?? null,
      batchSize: this.#options.batchSize,
    };
  }

  async #afterSequencing(sequenced: number): Promise<void> {
    for (const listener of this.#sequencedListeners) listener();
    this.#sinceCheckpoint += sequenced;
    const dueByCount = this.#sinceCheckpoint >= (this.#options.checkpointEveryEvents ?? 10_000);
    const dueByTime = Date.now() - this.#lastCheckpointAt >= (this.#options.checkpointEveryMs ?? 5 * 60_000);
    if (dueByCount || dueByTime) {
      this.#sinceCheckpoint = 0;
      this.#lastCheckpointAt = Date.now();
      await createCheckpoint(this.#db, this.#checkpointContext());
    }
  }
}

function toRecord(row: EventRow): AuditRecord {
  return { seq: row.seq, leafHash: hex(row.leafHash), event: decodeCanonicalEvent(row.canonical) };
}

function readCheckpointSizes(dir: string | null): number[] {
  return readCheckpointFiles(dir).map((entry) => Number.parseInt(basename(entry.file), 10));
}

/**
 * On PostgreSQL, verification reads the whole log as one binary COPY stream: roughly twice the rows per
 * second of paged text queries, which is what full verification is bound by.
 */
async function* eventPagesByCopy(
  copyOutBinary: NonNullable<Store['copyOutBinary']>,
  pageSize: number,
): AsyncGenerator<EventRow[]> {
  let page: EventRow[] = [];
  const rows = binaryCopyRows(
    copyOutBinary('select seq, canonical, leaf_hash from audit_events order by seq'),
  );
  for await (const [seq, canonical, leafHash] of rows) {
    if (!seq || !canonical || !leafHash) throw new Error('audit_events holds a NULL where none is allowed');
    page.push({
      seq: Number(seq.readBigInt64BE(0)),
      canonical: Buffer.from(canonical),
      leafHash: Buffer.from(leafHash),
    });
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
