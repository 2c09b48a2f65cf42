import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CheckpointRow,
  type Db,
  insertCheckpoint,
  latestCheckpoint,
  lockLog,
  readNodes,
  treeSize,
} from './audit.repository.js';
import { drainInbox } from './audit-sequencer.js';
import { type CheckpointSigner, formatCheckpoint, parseCheckpoint } from './checkpoint-note.js';
import { consistencyProof, inclusionProof, type NodeSource, plannedReads, rootHash } from './merkle-tree.js';

/** Runs a tree computation on stored subtrees: plans its reads, fetches them in one go, runs it. */
export async function computeFromStore<T>(db: Db, compute: (source: NodeSource) => T): Promise<T> {
  const nodes = await readNodes(db, plannedReads(compute));
  return compute((level, index) => {
    const hash = nodes.get(`${level}:${index}`);
    if (!hash) throw new Error(`audit log: stored subtree (${level}, ${index}) is missing; run audit verify`);
    return hash;
  });
}

export const storedRoot = (db: Db, size: number): Promise<Buffer> =>
  computeFromStore(db, (source) => Buffer.from(rootHash(source, size)));

export const storedInclusionProof = (db: Db, seq: number, size: number): Promise<Buffer[]> =>
  computeFromStore(db, (source) => inclusionProof(source, seq, size).map((hash) => Buffer.from(hash)));

export const storedConsistencyProof = (db: Db, oldSize: number, newSize: number): Promise<Buffer[]> =>
  computeFromStore(db, (source) =>
    consistencyProof(source, oldSize, newSize).map((hash) => Buffer.from(hash)),
  );

export type CheckpointContext = {
  signer: CheckpointSigner;
  /** Directory outside the store that receives `<size>.checkpoint` copies; null for none. */
  checkpointDir: string | null;
  batchSize?: number;
};

export type CheckpointResult = CheckpointRow & { created: boolean; file: string | null };

/**
 * Flushes the inbox, then signs the current tree size and root, unless the latest checkpoint already
 * covers exactly this tree. The copy written outside the store is what makes a rollback of the
 * database visible: the store cannot take back a file it does not own.
 */
export async function createCheckpoint(db: Db, context: CheckpointContext): Promise<CheckpointResult> {
  await drainInbox(db, { batchSize: context.batchSize });
  const result = await db.transaction().execute(async (trx) => {
    await lockLog(trx);
    const size = await treeSize(trx);
    const root = await storedRoot(trx, size);
    const latest = await latestCheckpoint(trx);
    if (latest && latest.treeSize === size && latest.rootHash.equals(root))
      return { ...latest, created: false };
    const note = context.signer.signNote(formatCheckpoint(context.signer.name, size, root));
    return { ...(await insertCheckpoint(trx, { treeSize: size, rootHash: root, note })), created: true };
  });
  const file = context.checkpointDir
    ? writeCheckpointFile(context.checkpointDir, result.treeSize, result.note)
    : null;
  return { ...result, file };
}

export class CheckpointForkError extends Error {
  override readonly name = 'CheckpointForkError';
}

/**
 * Writes `<dir>/<size>.checkpoint` unless it exists. SECURITY: an existing file for the same size with a
 * different root means the log forked (a restore without reseal, or tampering): refuse, never overwrite.
 */
export function writeCheckpointFile(dir: string, size: number, note: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${size}.checkpoint`);
  try {
    writeFileSync(file, note, { flag: 'wx', mode: 0o644 });
    return file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = readFileSync(file, 'utf8');
  const rootLine = (text: string) => text.split('\n')[2];
  if (rootLine(existing) !== rootLine(note)) {
    throw new CheckpointForkError(
      `${file} holds a different root for tree size ${size}: the log forked; verify, then reseal after a restore`,
    );
  }
  return file;
}

export type CheckpointFile = { file: string; note: string };

export function readCheckpointFiles(dir: string | null): CheckpointFile[] {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => /^\d+\.checkpoint$/.test(name))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((name) => ({ file: join(dir, name), note: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * Moves checkpoint files the current log no longer matches (after a restore from backup) into
 * `<dir>/superseded-<time>/`, keeping them as evidence. Returns what it moved.
 */
export function supersedeCheckpointFiles(
  dir: string | null,
  matches: (checkpoint: { size: number; rootHash: Buffer }) => boolean,
): { moved: string[]; highestSize: number | null } {
  const moved: string[] = [];
  let highestSize: number | null = null;
  if (!dir) return { moved, highestSize };
  const target = join(dir, `superseded-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  for (const { file, note } of readCheckpointFiles(dir)) {
    const split = note.lastIndexOf('\n\n');
    const parsed = split < 0 ? null : parseCheckpoint(note.slice(0, split + 1));
    if (parsed && matches(parsed)) continue;
    mkdirSync(target, { recursive: true, mode: 0o700 });
    const name = file.slice(dir.length + 1);
    renameSync(file, join(target, name));
    moved.push(name);
    if (parsed) highestSize = Math.max(highestSize ?? 0, parsed.size);
  }
  return { moved, highestSize };
}
