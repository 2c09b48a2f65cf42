import { type Kysely, sql } from 'kysely';

/**
 * Leak detection (S2.3, S13.4, S13.5; issue 5 section 1): the rules' settings, the engine's cursor over the
 * audit log, the alerts it raises, and the honeytokens (decoy customers and claims) planted by the security
 * officer. Claims get a `decoy` flag so that decoy claims stay out of every work queue but their one
 * recipient's, out of workloads and out of customer notices.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('detection_rules')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('severity', 'text', (col) =>
      col.notNull().check(sql`severity in ('low', 'medium', 'high', 'critical')`),
    )
    .addColumn('window_minutes', 'integer', (col) =>
      col.notNull().check(sql`window_minutes between 1 and 43200`),
    )
    // Staff roles the rule watches; empty: every role.
    .addColumn('roles', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('thresholds', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid')
    .execute();

  // Where the engine stands in the audit log: the last seq it evaluated. It moves in the same transaction
  // as the alerts of the events up to it, so a restart neither misses nor repeats an alert. A store that
  // already has a log starts from its end: detection covers what happens from now on.
  await db.schema
    .createTable('detection_cursor')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('last_seq', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`
    insert into detection_cursor (name, last_seq)
    select 'engine', coalesce(max(seq), -1) from audit_events`.execute(db);

  await db.schema
    .createTable('detection_honeytokens')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('customer', 'claim')`))
    // The decoy customer (a vault data subject) and, for a decoy claim, the claim and its number.
    .addColumn('subject_id', 'uuid', (col) => col.notNull().unique().references('customers.id'))
    .addColumn('claim_id', 'uuid', (col) => col.unique().references('claims.id'))
    .addColumn('claim_number', 'text', (col) => col.unique())
    .addColumn('recipient_kind', 'text', (col) =>
      col.notNull().check(sql`recipient_kind in ('none', 'staff', 'external')`),
    )
    .addColumn('recipient_user_id', 'uuid')
    // An outside party by organisation and kind (as claim shares name them), never a contact person.
    .addColumn('recipient_label', 'text', (col) => col.check(sql`char_length(recipient_label) <= 200`))
    .addColumn('recipient_party_kind', 'text')
    // The planting's own audit events carry this request id and are not touches.
    .addColumn('plant_request_id', 'text', (col) => col.notNull())
    .addColumn('planted_by', 'uuid', (col) => col.notNull())
    .addColumn('planted_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('note', 'text', (col) => col.check(sql`char_length(note) <= 500`))
    .addCheckConstraint(
      'detection_honeytokens_recipient',
      sql`(recipient_kind = 'staff') = (recipient_user_id is not null)
        and (recipient_kind = 'external') = (recipient_label is not null)`,
    )
    .execute();

  await db.schema
    .createTable('detection_alerts')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('rule_id', 'text', (col) => col.notNull())
    .addColumn('severity', 'text', (col) =>
      col.notNull().check(sql`severity in ('low', 'medium', 'high', 'critical')`),
    )
    .addColumn('status', 'text', (col) =>
      col
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'acknowledged', 'dismissed', 'escalated')`),
    )
    // Whom the alert is about: the acting user or token, or the account a burst of failed sign-ins aimed at.
    .addColumn('actor_type', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text')
    // One open alert per rule, actor and window: later hits in the window add to it.
    .addColumn('dedup_key', 'text', (col) => col.notNull())
    .addColumn('window_start', 'timestamptz', (col) => col.notNull())
    .addColumn('first_seq', 'bigint', (col) => col.notNull())
    .addColumn('last_seq', 'bigint', (col) => col.notNull())
    .addColumn('first_event_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_event_at', 'timestamptz', (col) => col.notNull())
    // The audit events that make the case (seqs, at most 200) and how many events triggered the rule.
    .addColumn('evidence_seqs', 'jsonb', (col) => col.notNull())
    .addColumn('hit_count', 'integer', (col) => col.notNull())
    // Codes and counts only (the measured value, the limit, the network of a sign-in), never personal data.
    .addColumn('details', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('honeytoken_id', 'uuid', (col) => col.references('detection_honeytokens.id'))
    .addColumn('assignee_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'uuid')
    .addColumn('dismissed_at', 'timestamptz')
    .addColumn('dismissed_by', 'uuid')
    .addColumn('dismiss_reason', 'text', (col) => col.check(sql`char_length(dismiss_reason) <= 1000`))
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('escalated_by', 'uuid')
    .addColumn('incident_id', 'uuid')
    .addCheckConstraint(
      'detection_alerts_dismissed_with_reason',
      sql`(status = 'dismissed') = (dismiss_reason is not null)`,
    )
    .addCheckConstraint(
      'detection_alerts_escalated_with_incident',
      sql`(status = 'escalated') = (incident_id is not null)`,
    )
    .execute();
  await sql`
    create unique index detection_alerts_active_dedup on detection_alerts (dedup_key)
    where status in ('open', 'acknowledged')`.execute(db);
  await sql`create index detection_alerts_created on detection_alerts (created_at desc, id)`.execute(db);
  await sql`create index detection_alerts_status on detection_alerts (status, created_at desc)`.execute(db);
  await sql`create index detection_alerts_actor on detection_alerts (actor_id, created_at desc)`.execute(db);
  await sql`create index detection_alerts_rule on detection_alerts (rule_id, created_at desc)`.execute(db);

  // The rules' windows are time ranges of one actor's events (S2.3): this index answers them directly.
  await sql`create index audit_events_actor_time on audit_events (actor_id, occurred_at)`.execute(db);

  await db.schema
    .alterTable('claims')
    .addColumn('decoy', 'boolean', (col) => col.notNull().defaultTo(false))
    .execute();
}
