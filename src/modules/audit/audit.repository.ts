import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { AuditEventInput } from './audit-event.js';
import type { NodeAddress, StoredNode } from './merkle-tree.js';

/**
 * The audit module's SQL, and the only code that touches its tables. Every function takes the Kysely
 * handle to run on, so callers choose the transaction.
 */
export type Db = Kysely<Database>;

/** Key of the transaction-scoped advisory lock that serialises sequencing and checkpointing. */
export const AUDIT_LOCK_KEY = 0x436c_4175; // "ClAu"

export const toNumber = (value: number | bigint | string): number => Number(value);

const INSERT_INBOX = 'insert into audit_inbox (event) values ($1::jsonb)';

/** The hot path of every audited request: one compiled statement, no query building. */
export async function insertInbox(db: Db, eventJson: string): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(INSERT_INBOX, [eventJson]));
}

/** The inbox insert as a part of another statement (see StatementAuditRecorder). */
export function inboxInsertSql(parameter: string): string {
  return `insert into audit_inbox (event) select ${parameter}::jsonb`;
}

/**
 * The PostgreSQL notification channel the sequencer signals on when it appends (payload:
 * `<schema>:<last seq>`), so that listeners in other processes (the detection engine) wake at once.
 */
export const AUDIT_APPENDED_CHANNEL = 'claimguard_audit_appended';

/** Signals the append in the sequencer's transaction: delivered when, and only if, it commits. */
export async function notifyAppended(trx: Db, lastSeq: number): Promise<void> {
  await sql`select pg_notify(${AUDIT_APPENDED_CHANNEL}, current_schema() || ':' || ${String(lastSeq)})`.execute(
    trx,
  );
}

export async function lockLog(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_LOCK_KEY)})`.execute(trx);
}

export type InboxRow = { id: number; event: AuditEventInput; occurredAt: Date };

export async function countInbox(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_inbox')
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return toNumber(row.n);
}

/** Number of sequenced events, i.e. the tree size (seq is gapless from 0). */
export async function treeSize(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max<number | bigint | null>('seq').as('last'))
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : toNumber(row.last) + 1;
}

export type NewEventRow = {
  seq: number;
  canonical: Buffer;
  leafHash: Buffer;
  occurredAt: Date;
  event: AuditEventInput;
};

/**
 * Takes (deletes and returns) up to `limit` inbox rows, oldest first, together with the current tree
 * size, in one statement (one round trip of the sequencer's few). Call it holding the log lock, inside
 * the transaction that appends the rows: if the append fails, they come back.
 */
export async function takeInboxAndSize(trx: Db, limit: number): Promise<{ rows: InboxRow[]; size: number }> {
  const { rows } = await sql<{
    size: number | bigint;
    id: number | bigint;
    event: unknown;
    occurred_at: Date;
  }>`
    with taken as (
      delete from audit_inbox where id in (select id from audit_inbox order by id limit ${limit})
      returning id, event, occurred_at
    )
    select (select coalesce(max(seq) + 1, 0) from audit_events) as size, id, event, occurred_at from taken`.execute(
    trx,
  );
  const inbox = rows
    .map((row) => ({
      id: toNumber(row.id),
      event: (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as AuditEventInput,
      occurredAt: row.occurred_at,
    }))
    .sort((a, b) => a.id - b.id);
  return { rows: inbox, size: rows[0] ? toNumber(rows[0].size) : 0 };
}

const eventValues = (row: NewEventRow) => ({
  seq: row.seq,
  canonical: row.canonical,
  leaf_hash: row.leafHash,
  occurred_at: row.occurredAt,
  actor_type: row.event.actor.type,
  actor_id: row.event.actor.id,
  action: row.event.action,
  resource_type: row.event.resource.type,
  resource_id: row.event.resource.id,
  data_subject_id: row.event.dataSubjectId,
  outcome: row.event.outcome,
});

/** Inserts sequenced events and the subtrees they complete; one statement for a batch of up to 500. */
export async function appendToLog(
  trx: Db,
  rows: readonly NewEventRow[],
  nodes: readonly StoredNode[],
): Promise<void> {
  for (let at = 0; at + 500 < rows.length; at += 500) {
    await trx
      .insertInto('audit_events')
      .values(rows.slice(at, at + 500).map(eventValues))
      .execute();
  }
  const last = rows.slice(Math.floor((rows.length - 1) / 500) * 500).map(eventValues);
  if (nodes.length === 0 || nodes.length > 5_000) {
    if (last.length > 0) await trx.insertInto('audit_events').values(last).execute();
    await insertNodes(trx, nodes);
    return;
  }
  await trx
    .with('nodes', (db) =>
      db
        .insertInto('audit_tree_nodes')
        .values(nodes.map((node) => ({ level: node.level, idx: node.index, hash: node.hash })))
        .returning('level'),
    )
    .insertInto('audit_events')
    .values(last)
    .execute();
}

export async function insertNodes(trx: Db, nodes: readonly StoredNode[]): Promise<void> {
  for (let at = 0; at < nodes.length; at += 5_000) {
    const chunk = nodes.slice(at, at + 5_000);
    await trx
      .insertInto('audit_tree_nodes')
      .values(chunk.map((node) => ({ level: node.level, idx: node.index, hash: node.hash })))
      .execute();
  }
}

/**
 * Reads perfect-subtree hashes: level 0 from the events' leaf hashes, higher levels from the stored
 * nodes. Missing nodes are simply absent from the map.
 */
export async function readNodes(db: Db, addresses: readonly NodeAddress[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const leaves = [...new Set(addresses.filter((a) => a.level === 0).map((a) => a.index))];
  for (let at = 0; at < leaves.length; at += 500) {
    const rows = await db
      .selectFrom('audit_events')
      .select(['seq', 'leaf_hash'])
      .where('seq', 'in', leaves.slice(at, at + 500))
      .execute();
    for (const row of rows) found.set(`0:${toNumber(row.seq)}`, Buffer.from(row.leaf_hash));
  }
  // Upper nodes level by level, each once, with a plain IN list. (A row-value IN list of (level, idx) pairs
  // made PGlite spin for minutes on a page of export proofs: the audit export hung.)
  const byLevel = new Map<number, Set<number>>();
  for (const address of addresses) {
    if (address.level === 0) continue;
    const set = byLevel.get(address.level) ?? new Set<number>();
    set.add(address.index);
    byLevel.set(address.level, set);
  }
  for (const [level, indexSet] of byLevel) {
    const indexes = [...indexSet];
    for (let at = 0; at < indexes.length; at += 500) {
      const rows = await db
        .selectFrom('audit_tree_nodes')
        .select(['level', 'idx', 'hash'])
        .where('level', '=', level)
        .where('idx', 'in', indexes.slice(at, at + 500))
        .execute();
      for (const row of rows) found.set(`${row.level}:${toNumber(row.idx)}`, Buffer.from(row.hash));
    }
  }
  return found;
}

export type EventRow = { seq: number; canonical: Buffer; leafHash: Buffer };

/**
 * One page of the log in seq order, for verification and export (keyset on seq). The bytes travel as
 * base64 text: on PostgreSQL that is about a third faster to send and parse than bytea's hex form, and
 * verification spends most of its time here.
 */
export async function readEventPage(db: Db, fromSeq: number, limit: number): Promise<EventRow[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select([
      'seq',
      sql<string>`encode(canonical, 'base64')`.as('canonical'),
      sql<string>`encode(leaf_hash, 'base64')`.as('leaf_hash'),
    ])
    .where('seq', '>=', fromSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: toNumber(row.seq),
    // Node's base64 decoder skips the line breaks PostgreSQL puts every 76 characters.
    canonical: Buffer.from(row.canonical, 'base64'),
    leafHash: Buffer.from(row.leaf_hash, 'base64'),
  }));
}

export type CheckpointRow = { id: number; treeSize: number; rootHash: Buffer; createdAt: Date; note: string };

export async function listCheckpoints(db: Db): Promise<CheckpointRow[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .select(['id', 'tree_size', 'root_hash', 'created_at', 'note'])
    .orderBy('id')
    .execute();
  return rows.map(toCheckpointRow);
}

export async function latestCheckpoint(db: Db): Promise<CheckpointRow | null> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .select(['id', 'tree_size', 'root_hash', 'created_at', 'note'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toCheckpointRow(row) : null;
}

export async function checkpointOfSize(db: Db, size: number): Promise<CheckpointRow | null> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .select(['id', 'tree_size', 'root_hash', 'created_at', 'note'])
    .where('tree_size', '=', size)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toCheckpointRow(row) : null;
}

export async function insertCheckpoint(
  trx: Db,
  checkpoint: { treeSize: number; rootHash: Buffer; note: string },
): Promise<CheckpointRow> {
  const row = await trx
    .insertInto('audit_checkpoints')
    .values({ tree_size: checkpoint.treeSize, root_hash: checkpoint.rootHash, note: checkpoint.note })
    .returning(['id', 'tree_size', 'root_hash', 'created_at', 'note'])
    .executeTakeFirstOrThrow();
  return toCheckpointRow(row);
}

function toCheckpointRow(row: {
  id: number | bigint;
  tree_size: number | bigint;
  root_hash: Uint8Array;
  created_at: Date;
  note: string;
}): CheckpointRow {
  return {
    id: toNumber(row.id),
    treeSize: toNumber(row.tree_size),
    rootHash: Buffer.from(row.root_hash),
    createdAt: row.created_at,
    note: row.note,
  };
}

export type AuditQueryFilter = {
  actorId?: string;
  actorType?: string;
  dataSubjectId?: string;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: only events with seq > afterSeq. */
  afterSeq?: number;
  /** Only events with seq < beforeSeq (exports stop at a checkpoint). */
  beforeSeq?: number;
};

export async function queryEvents(
  db: Db,
  filter: AuditQueryFilter,
  limit: number,
  order: 'asc' | 'desc' = 'asc',
): Promise<EventRow[]> {
  let query = db.selectFrom('audit_events').select(['seq', 'canonical', 'leaf_hash']);
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  if (filter.actorType !== undefined) query = query.where('actor_type', '=', filter.actorType);
  if (filter.dataSubjectId !== undefined) query = query.where('data_subject_id', '=', filter.dataSubjectId);
  if (filter.resourceType !== undefined) query = query.where('resource_type', '=', filter.resourceType);
  if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  const rows = await query.orderBy('seq', order).limit(limit).execute();
  return rows.map((row) => ({
    seq: toNumber(row.seq),
    canonical: Buffer.from(row.canonical),
    leafHash: Buffer.from(row.leaf_hash),
  }));
}
