import { basename } from 'node:path';
import {
  type Db,
  type EventRow,
  listCheckpoints,
  readEventPage,
  readNodes,
  treeSize,
} from './audit.repository.js';
import { readCheckpointFiles } from './audit-checkpoint.js';
import { claimedSeq } from './canonical-event.js';
import { type CheckpointVerifier, openCheckpoint } from './checkpoint-note.js';
import {
  consistencyProof,
  frontierAddresses,
  hashLeaf,
  MemoryTree,
  verifyConsistency,
} from './merkle-tree.js';

export const AUDIT_PROBLEM_KINDS = [
  'changed-event',
  'deleted-event',
  'inserted-event',
  'reordered-events',
  'truncated-tail',
  'bad-checkpoint-signature',
  'checkpoint-mismatch',
  'inconsistent-checkpoints',
  'tree-node-mismatch',
] as const;
export type AuditProblemKind = (typeof AUDIT_PROBLEM_KINDS)[number];

export type AuditProblem = {
  kind: AuditProblemKind;
  /** The events concerned (inclusive), when the problem can be placed. */
  fromSeq: number | null;
  toSeq: number | null;
  /** The checkpoint concerned: its row id in the store or its file outside it. */
  checkpoint: { id: number | null; file: string | null; size: number } | null;
  message: string;
};

export type VerifyReport = {
  intact: boolean;
  events: number;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  checkpointFilesChecked: number;
  /** Size of the largest checkpoint whose signature and root both verified. */
  latestVerifiedCheckpointSize: number | null;
  problems: AuditProblem[];
  /** More problems were found than reported (the list is capped). */
  problemsTruncated: boolean;
  durationMs: number;
};

export type VerifyOptions = {
  verifiers: readonly CheckpointVerifier[];
  checkpointDir?: string | null;
  pageSize?: number;
  maxProblems?: number;
  onProgress?: (done: number, total: number) => void;
  /** The events in seq order, from a faster source than paged queries (PostgreSQL's binary COPY). */
  eventPages?: AsyncIterable<EventRow[]>;
};

class ProblemList {
  readonly items: AuditProblem[] = [];
  truncated = false;
  constructor(private readonly max: number) {}

  /**
   * Adds a problem; with `merge`, a problem that continues the previous one's run of events (same key,
   * next seq) extends it instead, described anew for the whole run.
   */
  add(problem: AuditProblem, merge?: { key: string; describe: (from: number, to: number) => string }): void {
    const last = this.items.at(-1) as (AuditProblem & { mergeKey?: string }) | undefined;
    if (
      merge &&
      last?.mergeKey === merge.key &&
      last.fromSeq !== null &&
      last.toSeq !== null &&
      problem.fromSeq === last.toSeq + 1 &&
      problem.toSeq !== null
    ) {
      last.toSeq = problem.toSeq;
      last.message = merge.describe(last.fromSeq, problem.toSeq);
      return;
    }
    if (this.items.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.items.push(merge ? Object.assign(problem, { mergeKey: merge.key }) : problem);
  }

  list(): AuditProblem[] {
    return this.items.map(({ kind, fromSeq, toSeq, checkpoint, message }) => ({
      kind,
      fromSeq,
      toSeq,
      checkpoint,
      message,
    }));
  }
}

const range = (from: number, to: number) => (from === to ? `seq ${from}` : `seq ${from}..${to}`);

/**
 * Verifies the whole log from the stored bytes up: every leaf hash, the tree rebuilt from them, every
 * checkpoint's signature and root (in the store and in the checkpoint directory), consistency between
 * consecutive checkpoints, and the stored subtrees. Streams events in pages; keeps 64 bytes per event.
 */
/** Pages of the log in seq order; the next page is fetched while this one is hashed (the database works on another core). */
async function* pagesFromStore(db: Db, pageSize: number): AsyncGenerator<EventRow[]> {
  let pending = readEventPage(db, 0, pageSize);
  for (;;) {
    const page = await pending;
    if (page.length === 0) return;
    pending = readEventPage(db, (page.at(-1)?.seq ?? 0) + 1, pageSize);
    yield page;
  }
}

export async function verifyLog(db: Db, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 10_000;
  const problems = new ProblemList(options.maxProblems ?? 1_000);
  const total = await treeSize(db);
  const tree = new MemoryTree();
  let expected = 0;
  let events = 0;
  const misplacedRows: [number, number | null][] = [];

  const pages = options.eventPages ?? pagesFromStore(db, pageSize);
  for await (const page of pages) {
    for (const row of page) {
      if (row.seq > expected) {
        problems.add({
          kind: 'deleted-event',
          fromSeq: expected,
          toSeq: row.seq - 1,
          checkpoint: null,
          message: `${range(expected, row.seq - 1)}: missing from the log (gap in seq)`,
        });
      }
      const leaf = hashLeaf(row.canonical);
      if (!leaf.equals(row.leafHash)) {
        problems.add(
          {
            kind: 'changed-event',
            fromSeq: row.seq,
            toSeq: row.seq,
            checkpoint: null,
            message: `seq ${row.seq}: stored bytes do not hash to its leaf hash`,
          },
          {
            key: 'changed',
            describe: (from, to) => `${range(from, to)}: stored bytes do not hash to their leaf hashes`,
          },
        );
      }
      const claimed = claimedSeq(row.canonical);
      if (claimed !== row.seq && misplacedRows.length < 100_000) misplacedRows.push([row.seq, claimed]);
      // The tree is rebuilt from what the bytes say, in the order the log holds them.
      tree.append(leaf);
      expected = row.seq + 1;
      events++;
    }
    options.onProgress?.(events, Math.max(total, events));
  }

  // Rows whose bytes name another seq. Rows that hold each other's events (a cycle) were reordered;
  // a run shifted one way had events inserted before it, the other way deleted and renumbered.
  const claimedBy = new Map(misplacedRows);
  const inCycle = (start: number): boolean => {
    let at: number | null | undefined = claimedBy.get(start);
    for (let steps = 0; at !== null && at !== undefined && steps < 10_000; steps++) {
      if (at === start) return true;
      at = claimedBy.get(at);
    }
    return false;
  };
  for (const [seq, claimed] of misplacedRows) problems.add(...misplaced(seq, claimed, inCycle(seq)));

  const checkpointsChecked = await checkCheckpoints(db, tree, options, problems);
  await checkStoredNodes(db, tree, problems);

  const list = problems.list();
  return {
    intact: list.length === 0,
    events,
    treeSize: tree.size,
    rootHash: Buffer.from(tree.root()).toString('hex'),
    checkpointsChecked: checkpointsChecked.store,
    checkpointFilesChecked: checkpointsChecked.files,
    latestVerifiedCheckpointSize: checkpointsChecked.latestVerified,
    problems: list,
    problemsTruncated: problems.truncated,
    durationMs: Math.round(performance.now() - started),
  };
}

type Merge = { key: string; describe: (from: number, to: number) => string };

/** A row whose bytes name another seq: events were inserted, deleted and renumbered, or swapped. */
function misplaced(seq: number, claimed: number | null, reordered: boolean): [AuditProblem, Merge] {
  const at = { fromSeq: seq, toSeq: seq, checkpoint: null };
  if (claimed === null) {
    const describe = (from: number, to: number) =>
      `${range(from, to)}: stored bytes are not a canonical event`;
    return [
      { kind: 'changed-event', ...at, message: describe(seq, seq) },
      { key: 'unreadable', describe },
    ];
  }
  if (reordered) {
    return [
      {
        kind: 'reordered-events',
        ...at,
        message: `seq ${seq}: holds the event sequenced as seq ${claimed}; events were reordered`,
      },
      {
        key: 'reordered',
        describe: (from, to) =>
          `${range(from, to)}: hold events sequenced at other positions; events were reordered`,
      },
    ];
  }
  const shift = seq - claimed;
  if (shift > 0) {
    const describe = (from: number, to: number) =>
      `${range(from, to)}: each holds the event sequenced ${shift} earlier; ${shift} event(s) were inserted at seq ${from}${shift > 1 ? `..${from + shift - 1}` : ''}`;
    return [
      { kind: 'inserted-event', ...at, message: describe(seq, seq) },
      { key: `inserted:${shift}`, describe },
    ];
  }
  const describe = (from: number, to: number) =>
    `${range(from, to)}: each holds the event sequenced ${-shift} later; ${-shift} event(s) before seq ${from} were deleted and the rest renumbered`;
  return [
    { kind: 'deleted-event', ...at, message: describe(seq, seq) },
    { key: `deleted:${shift}`, describe },
  ];
}

async function checkCheckpoints(
  db: Db,
  tree: MemoryTree,
  options: VerifyOptions,
  problems: ProblemList,
): Promise<{ store: number; files: number; latestVerified: number | null }> {
  const stored = (await listCheckpoints(db)).map((row) => ({
    id: row.id as number | null,
    file: null as string | null,
    size: row.treeSize,
    rootHash: row.rootHash as Buffer | null,
    note: row.note,
  }));
  const files = readCheckpointFiles(options.checkpointDir ?? null).map((entry) => ({
    id: null,
    file: entry.file,
    size: Number.parseInt(basename(entry.file), 10),
    rootHash: null,
    note: entry.note,
  }));
  let latestVerified: number | null = null;
  let lastGood: { size: number; root: Buffer } | null = null;
  for (const checkpoint of [...stored, ...files]) {
    const where = { id: checkpoint.id, file: checkpoint.file, size: checkpoint.size };
    const label = checkpoint.file ? `checkpoint file ${checkpoint.file}` : `checkpoint ${checkpoint.id}`;
    const opened = openCheckpoint(checkpoint.note, options.verifiers);
    if (!opened) {
      problems.add({
        kind: 'bad-checkpoint-signature',
        fromSeq: null,
        toSeq: null,
        checkpoint: where,
        message: `${label} (size ${checkpoint.size}): signature does not verify with the trusted key(s)`,
      });
      continue;
    }
    if (
      opened.size !== checkpoint.size ||
      (checkpoint.rootHash && !opened.rootHash.equals(checkpoint.rootHash))
    ) {
      problems.add({
        kind: 'checkpoint-mismatch',
        fromSeq: null,
        toSeq: null,
        checkpoint: where,
        message: `${label}: its stored size or root differs from what its signed note says`,
      });
      continue;
    }
    if (opened.size > tree.size) {
      problems.add({
        kind: 'truncated-tail',
        fromSeq: tree.size,
        toSeq: opened.size - 1,
        checkpoint: where,
        message: `${range(tree.size, opened.size - 1)}: missing; ${label} commits to ${opened.size} events but the log holds ${tree.size}`,
      });
      continue;
    }
    const root = Buffer.from(tree.root(opened.size));
    if (!root.equals(opened.rootHash)) {
      const from = lastGood && lastGood.size < opened.size ? lastGood.size : 0;
      problems.add({
        kind: 'checkpoint-mismatch',
        fromSeq: from,
        toSeq: opened.size - 1,
        checkpoint: where,
        message: `${range(from, opened.size - 1)}: the log no longer matches ${label} (size ${opened.size}); an event in this range was changed, inserted or removed`,
      });
      continue;
    }
    if (lastGood && lastGood.size <= opened.size) {
      const proof = consistencyProof(tree.source, lastGood.size, opened.size);
      if (!verifyConsistency(lastGood.size, opened.size, proof, lastGood.root, opened.rootHash)) {
        problems.add({
          kind: 'inconsistent-checkpoints',
          fromSeq: null,
          toSeq: null,
          checkpoint: where,
          message: `${label} is not consistent with the checkpoint of size ${lastGood.size}`,
        });
        continue;
      }
    }
    if (!checkpoint.file) lastGood = { size: opened.size, root };
    latestVerified = Math.max(latestVerified ?? 0, opened.size);
  }
  return { store: stored.length, files: files.length, latestVerified };
}

/**
 * Compares the stored subtrees with the rebuilt tree. Proofs are served from the stored subtrees, so a
 * difference matters on its own; it also pins down a change whose leaf hash was rewritten to match: the
 * search descends to the lowest differing subtree, i.e. to the pair of events that differs.
 */
async function checkStoredNodes(db: Db, tree: MemoryTree, problems: ProblemList): Promise<void> {
  const frontier = frontierAddresses(tree.size).filter((address) => address.level > 0);
  const stored = await readNodes(db, frontier);
  for (const address of frontier) {
    let { level, index } = address;
    const hash = stored.get(`${level}:${index}`);
    if (hash?.equals(tree.node(level, index) as Buffer)) continue;
    // Descend to the lowest stored subtree that differs.
    while (level > 1) {
      const children = [
        { level: level - 1, index: index * 2 },
        { level: level - 1, index: index * 2 + 1 },
      ];
      const found = await readNodes(db, children);
      const differing = children.find((child) => {
        const storedChild = found.get(`${child.level}:${child.index}`);
        return !storedChild?.equals(tree.node(child.level, child.index) as Buffer);
      });
      if (!differing) break;
      level = differing.level;
      index = differing.index;
    }
    const from = index * 2 ** level;
    const to = from + 2 ** level - 1;
    problems.add({
      kind: 'tree-node-mismatch',
      fromSeq: from,
      toSeq: to,
      checkpoint: null,
      message: `${range(from, to)}: the stored subtree (level ${level}, index ${index}) ${
        hash || level < address.level ? 'differs from the one rebuilt from the events' : 'is missing'
      }; an event in this range changed after it was sequenced, or was appended outside the sequencer`,
    });
  }
}
