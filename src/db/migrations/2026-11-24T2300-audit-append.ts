import { type Kysely, sql } from 'kysely';

// Forward-only (see 2026-11-24T0900-installation.ts). The audit sequencer's append as one statement
// (src/modules/audit/audit-sequencer.ts): the sequencer reads a batch of inbox rows, computes their
// canonical bytes, leaf hashes and the subtrees they complete, and hands them to audit_append, which
// takes the log lock, checks that the log still has the size the batch was computed for, removes the
// batch from the inbox and appends it, all in the one transaction of that statement. One round trip
// instead of begin, lock, take, insert and commit; PL/pgSQL also keeps its statements' plans.

// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  // SECURITY: a VOLATILE PL/pgSQL function takes a new snapshot for every statement under READ COMMITTED,
  // so everything after the lock sees what the previous holder committed. Returns false, having changed
  // nothing, when another sequencer appended since the batch was read: the caller reads again.
  await sql`
    create function audit_append(
      lock_key bigint, expected_size bigint, inbox_ids bigint[],
      seqs bigint[], canonicals bytea[], leaf_hashes bytea[], occurred timestamptz[],
      actor_types text[], actor_ids text[], actions text[], resource_types text[], resource_ids text[],
      subject_ids text[], outcomes text[],
      node_levels smallint[], node_indexes bigint[], node_hashes bytea[]
    ) returns boolean language plpgsql volatile as $$
    declare
      current_size bigint;
      taken bigint;
    begin
      if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'audit_append needs READ COMMITTED' using errcode = '25000';
      end if;
      perform pg_advisory_xact_lock(lock_key);
      select coalesce(max(seq) + 1, 0) into current_size from audit_events;
      if current_size <> expected_size then
        return false;
      end if;
      if cardinality(seqs) <> cardinality(inbox_ids) or seqs[1] <> expected_size then
        raise exception 'audit_append: the batch does not start at seq %', expected_size using errcode = '22023';
      end if;
      delete from audit_inbox where id = any(inbox_ids);
      get diagnostics taken = row_count;
      if taken <> cardinality(inbox_ids) then
        -- Only a sequencer deletes from the inbox, and it appends what it deletes, which changes the size.
        raise exception 'audit_append: % of % inbox rows are gone unsequenced', cardinality(inbox_ids) - taken,
          cardinality(inbox_ids) using errcode = '55000';
      end if;
      insert into audit_events (seq, canonical, leaf_hash, occurred_at, actor_type, actor_id, action,
        resource_type, resource_id, data_subject_id, outcome)
      select * from unnest(seqs, canonicals, leaf_hashes, occurred, actor_types, actor_ids, actions,
        resource_types, resource_ids, subject_ids, outcomes);
      insert into audit_tree_nodes (level, idx, hash)
      select * from unnest(node_levels, node_indexes, node_hashes);
      return true;
    end
    $$`.execute(db);
}
