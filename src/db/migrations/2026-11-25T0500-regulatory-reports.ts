import { type Kysely, sql } from 'kysely';
import { SHIPPED_REGIMES } from '../../modules/regulatory-reports/shipped-regimes.js';

/**
 * Reports to regulators with deadlines (S4.4, issue 5 section 6): the reporting regimes as data, shipped
 * with PIPL Art. 57, the CAC incident-reporting measures (2025), the NFRA data-security measures, GDPR
 * Art. 33 and 34 and NAIC Model Law #668; and the reports opened for incidents, with their deadlines.
 * Incident ids are plain text: incidents belong to another module.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('regulatory_regimes')
    .addColumn('id', 'text', (col) => col.primaryKey().check(sql`id ~ '^[a-z][a-z0-9-]{1,47}$'`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1).check(sql`version >= 1`))
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('builtin', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('definition', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid')
    .execute();

  if (SHIPPED_REGIMES.length > 0)
    await db
      .insertInto('regulatory_regimes')
      .values(
        SHIPPED_REGIMES.map((regime) => ({
          id: regime.id,
          version: 1,
          enabled: true,
          builtin: true,
          definition: JSON.stringify(regime.definition),
          updated_by: null,
        })),
      )
      .execute();

  await db.schema
    .createTable('regulatory_reports')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('incident_id', 'text', (col) =>
      col.notNull().check(sql`char_length(incident_id) between 1 and 100`),
    )
    .addColumn('incident_reference', 'text', (col) => col.notNull())
    .addColumn('regime_id', 'text', (col) => col.notNull().references('regulatory_regimes.id'))
    .addColumn('regime_version', 'integer', (col) => col.notNull())
    .addColumn('regime', 'jsonb', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('initial', 'update', 'summary')`))
    .addColumn('parent_id', 'uuid', (col) => col.references('regulatory_reports.id'))
    .addColumn('sequence', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('language', 'text', (col) => col.notNull().check(sql`language in ('zh-CN', 'en-US')`))
    .addColumn('is_drill', 'boolean', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().defaultTo('draft').check(sql`status in ('draft', 'ready', 'submitted', 'waived')`),
    )
    .addColumn('starts_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz')
    .addColumn('deadline_minutes', 'integer')
    .addColumn('deadline_to_be_confirmed', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('facts', 'jsonb', (col) => col.notNull())
    .addColumn('facts_at', 'timestamptz', (col) => col.notNull())
    .addColumn('fields', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('waived_reason', 'text')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('submitted_by', 'uuid')
    .addColumn('submission_channel', 'text')
    .addColumn('submission_reference', 'text')
    .addColumn('approach_alerted_at', 'timestamptz')
    .addColumn('missed_alerted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    // The first report has no parent; updates and summaries always have one.
    .addCheckConstraint('regulatory_reports_parent', sql`(kind = 'initial') = (parent_id is null)`)
    .addCheckConstraint(
      'regulatory_reports_submitted',
      sql`(status = 'submitted') = (submitted_at is not null and submission_channel is not null)`,
    )
    .addCheckConstraint('regulatory_reports_waived', sql`(status = 'waived') = (waived_reason is not null)`)
    .execute();
  // One initial and one summary report per incident and regime; updates are numbered per first report.
  await sql`create unique index regulatory_reports_one_per_kind on regulatory_reports (incident_id, regime_id, kind) where kind <> 'update'`.execute(
    db,
  );
  await sql`create unique index regulatory_reports_update_sequence on regulatory_reports (parent_id, sequence) where kind = 'update'`.execute(
    db,
  );
  await db.schema
    .createIndex('regulatory_reports_incident_idx')
    .on('regulatory_reports')
    .columns(['incident_id', 'created_at'])
    .execute();
  // The deadline check reads open reports with a due time.
  await sql`create index regulatory_reports_open_due_idx on regulatory_reports (due_at) where status in ('draft', 'ready') and due_at is not null`.execute(
    db,
  );
}
