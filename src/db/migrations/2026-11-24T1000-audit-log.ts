import { type Kysely, sql } from 'kysely';

/**
 * The tamper-evident audit log (src/modules/audit, docs/audit-log.md): an inbox written in callers'
 * transactions, the sequenced append-only log, the stored Merkle subtrees and the signed checkpoints.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_inbox (
      id bigserial primary key,
      event jsonb not null,
      occurred_at timestamptz not null default clock_timestamp()
    )`.execute(db);

  await sql`
    create table audit_events (
      seq bigint primary key check (seq >= 0),
      canonical bytea not null,
      leaf_hash bytea not null check (length(leaf_hash) = 32),
      occurred_at timestamptz not null,
      sequenced_at timestamptz not null default now(),
      actor_type text not null,
      actor_id text,
      action text not null,
      resource_type text not null,
      resource_id text,
      data_subject_id text,
      outcome text not null
    )`.execute(db);
  // Every query pages by seq within its filter, so seq ends each index.
  await sql`create index audit_events_actor on audit_events (actor_id, seq)`.execute(db);
  await sql`create index audit_events_subject on audit_events (data_subject_id, seq)`.execute(db);
  await sql`create index audit_events_resource on audit_events (resource_type, resource_id, seq)`.execute(db);
  await sql`create index audit_events_action on audit_events (action, seq)`.execute(db);
  await sql`create index audit_events_outcome on audit_events (outcome, seq) where outcome <> 'success'`.execute(
    db,
  );
  await sql`create index audit_events_time on audit_events (occurred_at, seq)`.execute(db);

  await sql`
    create table audit_tree_nodes (
      level smallint not null check (level >= 1),
      idx bigint not null check (idx >= 0),
      hash bytea not null check (length(hash) = 32),
      primary key (level, idx)
    )`.execute(db);

  await sql`
    create table audit_checkpoints (
      id bigserial primary key,
      tree_size bigint not null check (tree_size >= 0),
      root_hash bytea not null check (length(root_hash) = 32),
      created_at timestamptz not null default now(),
      note text not null
    )`.execute(db);

  // SECURITY: the log, its subtrees and its checkpoints are append-only for everyone, owner included.
  // Triggers work on PostgreSQL and PGlite alike; an owner can still disable them (verification catches
  // what follows), which is why docs/audit-log.md also shows how to run the app as a non-owner role.
  await sql`
    create function audit_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only: % on % refused', tg_op, tg_table_name
        using errcode = '55000';
    end
    $$`.execute(db);
  for (const table of ['audit_events', 'audit_tree_nodes', 'audit_checkpoints']) {
    await sql`
      create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function audit_refuse_change()`.execute(db);
    await sql`
      create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function audit_refuse_change()`.execute(db);
  }
}
