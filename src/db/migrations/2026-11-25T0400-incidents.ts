import { type Kysely, sql } from 'kysely';

/**
 * Incident response (src/modules/incidents; S2.5, S4.1, S4.3, S4.5): the breach register with its
 * notification decisions (GDPR Art. 33(5)), the timeline, editable playbooks and their tasks, the blast
 * radius saved as scope versions, containment actions with maker-checker reversal and the per-subject
 * controls they impose (freeze, change hold), and the closing review.
 *
 * SECURITY: nothing here holds personal data: data subjects are named by internal id, fields by catalogue id,
 * and timeline details carry codes, ids and counts only. The free texts (title, summary, reasons, review,
 * evidence notes) are staff-written descriptions of the incident, never copies of customer data.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence incident_reference_seq`.execute(db);

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('reference', 'text', (col) => col.notNull().unique())
    .addColumn('title', 'text', (col) => col.notNull().check(sql`char_length(title) between 1 and 200`))
    .addColumn('kind', 'text', (col) =>
      col
        .notNull()
        .check(
          sql`kind in ('insider-misuse', 'stolen-credentials', 'external-intrusion', 'misdirected-documents', 'processor-leak', 'lost-device', 'ransomware')`,
        ),
    )
    .addColumn('is_drill', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .check(
          sql`state in ('declared', 'investigating', 'contained', 'notifying', 'remediating', 'closed')`,
        ),
    )
    .addColumn('source_alert_id', 'text')
    .addColumn('summary', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('declared_by', 'text', (col) => col.notNull())
    .addColumn('declared_at', 'timestamptz', (col) => col.notNull())
    .addColumn('detected_at', 'timestamptz', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('contained_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    // The five S1 impact dimensions, each rated 0..4 by the security officer.
    .addColumn('impact', 'jsonb', (col) => col.notNull())
    // The officer's estimate of people affected where the audit log cannot tell (a lost laptop, say).
    .addColumn('estimated_subjects', 'bigint', (col) => col.check(sql`estimated_subjects >= 0`))
    .addColumn('notification_decision', 'text', (col) =>
      col
        .notNull()
        .defaultTo('undecided')
        .check(sql`notification_decision in ('undecided', 'notify', 'not-required')`),
    )
    .addColumn('notification_reasons', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('notification_decided_by', 'text')
    .addColumn('notification_decided_at', 'timestamptz')
    .addColumn('playbook_version', 'integer', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('incidents_declared_idx').on('incidents').columns(['declared_at']).execute();

  await db.schema
    .createTable('incident_timeline')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('incident_id', 'uuid', (col) => col.notNull().references('incidents.id'))
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('actor_type', 'text', (col) => col.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text')
    .addColumn('entry', 'text', (col) => col.notNull())
    .addColumn('details', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('incident_timeline_incident_idx')
    .on('incident_timeline')
    .columns(['incident_id', 'id'])
    .execute();

  // Playbooks as data: each save is a new version, so an incident keeps the version it was declared under.
  await db.schema
    .createTable('incident_playbooks')
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('labels', 'jsonb', (col) => col.notNull())
    .addColumn('steps', 'jsonb', (col) => col.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('incident_playbooks_pk', ['kind', 'version'])
    .execute();

  await db.schema
    .createTable('incident_tasks')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('incident_id', 'uuid', (col) => col.notNull().references('incidents.id'))
    .addColumn('source', 'text', (col) =>
      col.notNull().check(sql`source in ('playbook', 'remedial', 'regulator', 'follow-up')`),
    )
    .addColumn('step_key', 'text')
    .addColumn('title', 'jsonb', (col) => col.notNull())
    .addColumn('owner_role', 'text', (col) => col.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('due_at', 'timestamptz')
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('open', 'done', 'cancelled')`))
    .addColumn('evidence', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('done_by', 'text')
    .addColumn('done_at', 'timestamptz')
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('incident_tasks_incident_idx')
    .on('incident_tasks')
    .columns(['incident_id', 'position'])
    .execute();

  // The blast radius (S4.1), one row per saved version of the scope; widening adds a version.
  await db.schema
    .createTable('incident_scopes')
    .addColumn('incident_id', 'uuid', (col) => col.notNull().references('incidents.id'))
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('criteria', 'jsonb', (col) => col.notNull())
    .addColumn('summary', 'jsonb', (col) => col.notNull())
    .addColumn('subjects', 'bigint', (col) => col.notNull())
    .addColumn('events', 'bigint', (col) => col.notNull())
    .addColumn('computed_ms', 'integer', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('incident_scopes_pk', ['incident_id', 'version'])
    .execute();
  await db.schema
    .createTable('incident_scope_subjects')
    .addColumn('incident_id', 'uuid', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('subject_id', 'text', (col) => col.notNull())
    .addColumn('fields', sql`text[]`, (col) => col.notNull())
    .addColumn('unmasked_fields', sql`text[]`, (col) => col.notNull())
    .addColumn('events', 'integer', (col) => col.notNull())
    .addColumn('first_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('incident_scope_subjects_pk', ['incident_id', 'version', 'subject_id'])
    .addForeignKeyConstraint(
      'incident_scope_subjects_scope_fk',
      ['incident_id', 'version'],
      'incident_scopes',
      ['incident_id', 'version'],
    )
    .execute();

  await db.schema
    .createTable('incident_containment_actions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('incident_id', 'uuid', (col) => col.notNull().references('incidents.id'))
    .addColumn('kind', 'text', (col) =>
      col
        .notNull()
        .check(
          sql`kind in ('suspend-user', 'revoke-sessions', 'revoke-api-tokens', 'freeze-records', 'block-exports', 'rotate-keys', 'hold-changes')`,
        ),
    )
    .addColumn('target', 'jsonb', (col) => col.notNull())
    .addColumn('result', 'jsonb', (col) => col.notNull())
    // A drill records what would have been done, and does nothing.
    .addColumn('simulated', 'boolean', (col) => col.notNull())
    .addColumn('reversible', 'boolean', (col) => col.notNull())
    .addColumn('state', 'text', (col) =>
      col.notNull().check(sql`state in ('active', 'done', 'reversal-requested', 'reversed')`),
    )
    .addColumn('taken_by', 'text', (col) => col.notNull())
    .addColumn('taken_at', 'timestamptz', (col) => col.notNull())
    .addColumn('reversal_requested_by', 'text')
    .addColumn('reversal_requested_at', 'timestamptz')
    .addColumn('reversal_reason', 'text')
    .addColumn('reversed_by', 'text')
    .addColumn('reversed_at', 'timestamptz')
    .addCheckConstraint(
      'incident_containment_four_eyes',
      sql`reversed_by is null or reversed_by <> reversal_requested_by`,
    )
    .execute();
  await db.schema
    .createIndex('incident_containment_incident_idx')
    .on('incident_containment_actions')
    .columns(['incident_id', 'taken_at'])
    .execute();
  await sql`
    create index incident_containment_live_idx on incident_containment_actions (kind)
    where state in ('active', 'reversal-requested') and not simulated`.execute(db);

  // What a freeze or a change hold does to each affected customer, until the action is reversed.
  await db.schema
    .createTable('incident_subject_controls')
    .addColumn('action_id', 'uuid', (col) => col.notNull().references('incident_containment_actions.id'))
    .addColumn('subject_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('freeze', 'change-hold')`))
    .addColumn('lifted_at', 'timestamptz')
    .addPrimaryKeyConstraint('incident_subject_controls_pk', ['action_id', 'subject_id'])
    .execute();
  await sql`
    create index incident_subject_controls_live_idx on incident_subject_controls (subject_id, kind)
    where lifted_at is null`.execute(db);

  await db.schema
    .createTable('incident_reviews')
    .addColumn('incident_id', 'uuid', (col) => col.primaryKey().references('incidents.id'))
    .addColumn('cause', 'text', (col) => col.notNull())
    .addColumn('what_worked', 'text', (col) => col.notNull())
    .addColumn('lessons', 'text', (col) => col.notNull())
    .addColumn('follow_ups', 'jsonb', (col) => col.notNull())
    .addColumn('recorded_by', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull())
    .execute();
}
