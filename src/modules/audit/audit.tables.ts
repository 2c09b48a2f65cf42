import type { Generated } from 'kysely';

/**
 * The audit module's tables (migration 2026-11-24T1000-audit-log), spread into `Database`. Only
 * `audit.repository.ts` reads or writes them.
 */
export type AuditTables = {
  audit_inbox: AuditInboxTable;
  audit_events: AuditEventsTable;
  audit_tree_nodes: AuditTreeNodesTable;
  audit_checkpoints: AuditCheckpointsTable;
};

/** Events recorded in callers' transactions, waiting for the sequencer. */
export type AuditInboxTable = {
  id: Generated<number | bigint>;
  /** The AuditEventInput as recorded (jsonb). */
  event: unknown;
  occurred_at: Generated<Date>;
};

/** The sequenced, append-only log: one row per leaf of the Merkle tree. */
export type AuditEventsTable = {
  seq: number | bigint;
  /** SECURITY: the exact bytes the leaf hash covers; never re-serialised. */
  canonical: Uint8Array;
  leaf_hash: Uint8Array;
  occurred_at: Date;
  sequenced_at: Generated<Date>;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  data_subject_id: string | null;
  outcome: string;
};

/** Hashes of complete perfect subtrees of level >= 1 (level 0 is audit_events.leaf_hash). */
export type AuditTreeNodesTable = {
  level: number;
  idx: number | bigint;
  hash: Uint8Array;
};

/** Signed tree heads (C2SP tlog-checkpoint in a C2SP signed note). */
export type AuditCheckpointsTable = {
  id: Generated<number | bigint>;
  tree_size: number | bigint;
  root_hash: Uint8Array;
  created_at: Generated<Date>;
  note: string;
};
