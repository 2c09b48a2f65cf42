import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { RegimeDefinition, ReportKind } from './regime-definition.js';
import type { ReportStatus, StoredFacts } from './regulatory-reports.tables.js';

/** The only SQL of the regulatory-reports module. */
type Db = Kysely<Database>;

export type RegimeRow = {
  id: string;
  version: number;
  enabled: boolean;
  builtin: boolean;
  definition: RegimeDefinition;
  updated_at: Date;
  updated_by: string | null;
};

const REGIME_COLUMNS = [
  'id',
  'version',
  'enabled',
  'builtin',
  'definition',
  'updated_at',
  'updated_by',
] as const;

export async function listRegimes(db: Db): Promise<RegimeRow[]> {
  return db
    .selectFrom('regulatory_regimes')
    .select(REGIME_COLUMNS)
    .orderBy('builtin', 'desc')
    .orderBy('id')
    .execute();
}

export async function findRegime(db: Db, id: string): Promise<RegimeRow | undefined> {
  return db.selectFrom('regulatory_regimes').select(REGIME_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** Writes a new version if `expectedVersion` is still current; false when someone else got there first. */
export async function updateRegime(
  db: Db,
  id: string,
  expectedVersion: number,
  change: { definition: RegimeDefinition; enabled: boolean; updatedBy: string },
): Promise<boolean> {
  const result = await db
    .updateTable('regulatory_regimes')
    .set({
      definition: JSON.stringify(change.definition),
      enabled: change.enabled,
      updated_by: change.updatedBy,
      updated_at: new Date(),
      version: sql<number>`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export type ReportRow = {
  id: string;
  incident_id: string;
  incident_reference: string;
  regime_id: string;
  regime_version: number;
  regime: RegimeDefinition;
  kind: ReportKind;
  parent_id: string | null;
  sequence: number;
  language: 'zh-CN' | 'en-US';
  is_drill: boolean;
  status: ReportStatus;
  starts_at: Date | null;
  due_at: Date | null;
  deadline_minutes: number | null;
  deadline_to_be_confirmed: boolean;
  facts: StoredFacts;
  facts_at: Date;
  fields: Record<string, string>;
  waived_reason: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  submission_channel: string | null;
  submission_reference: string | null;
  approach_alerted_at: Date | null;
  missed_alerted_at: Date | null;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  version: number;
};

const REPORT_COLUMNS = [
  'id',
  'incident_id',
  'incident_reference',
  'regime_id',
  'regime_version',
  'regime',
  'kind',
  'parent_id',
  'sequence',
  'language',
  'is_drill',
  'status',
  'starts_at',
  'due_at',
  'deadline_minutes',
  'deadline_to_be_confirmed',
  'facts',
  'facts_at',
  'fields',
  'waived_reason',
  'submitted_at',
  'submitted_by',
  'submission_channel',
  'submission_reference',
  'approach_alerted_at',
  'missed_alerted_at',
  'created_at',
  'created_by',
  'updated_at',
  'version',
] as const;

export type NewReport = {
  id: string;
  incident_id: string;
  incident_reference: string;
  regime_id: string;
  regime_version: number;
  regime: RegimeDefinition;
  kind: ReportKind;
  parent_id: string | null;
  sequence: number;
  language: 'zh-CN' | 'en-US';
  is_drill: boolean;
  starts_at: Date | null;
  due_at: Date | null;
  deadline_minutes: number | null;
  deadline_to_be_confirmed: boolean;
  facts: StoredFacts;
  facts_at: Date;
  created_by: string | null;
};

/** Inserts the report unless its incident already has one of that regime and kind; true when inserted. */
export async function insertReport(db: Db, report: NewReport): Promise<boolean> {
  const rows = await db
    .insertInto('regulatory_reports')
    .values({
      ...report,
      regime: JSON.stringify(report.regime),
      facts: JSON.stringify(report.facts),
      fields: '{}',
      status: 'draft',
    })
    .onConflict((conflict) => conflict.doNothing())
    .returning('id')
    .execute();
  return rows.length === 1;
}

export async function findReport(
  db: Db,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ReportRow | undefined> {
  let query = db.selectFrom('regulatory_reports').select(REPORT_COLUMNS).where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst() as Promise<ReportRow | undefined>;
}

export async function reportsOfIncident(db: Db, incidentId: string): Promise<ReportRow[]> {
  return db
    .selectFrom('regulatory_reports')
    .select(REPORT_COLUMNS)
    .where('incident_id', '=', incidentId)
    .orderBy('created_at')
    .orderBy('sequence')
    .orderBy('id')
    .execute() as Promise<ReportRow[]>;
}

/** The first report of an incident under a regime, if opened. */
export async function findInitial(
  db: Db,
  incidentId: string,
  regimeId: string,
): Promise<ReportRow | undefined> {
  return db
    .selectFrom('regulatory_reports')
    .select(REPORT_COLUMNS)
    .where('incident_id', '=', incidentId)
    .where('regime_id', '=', regimeId)
    .where('kind', '=', 'initial')
    .executeTakeFirst() as Promise<ReportRow | undefined>;
}

export async function nextUpdateSequence(db: Db, parentId: string): Promise<number> {
  const row = await db
    .selectFrom('regulatory_reports')
    .select((eb) => eb.fn.max('sequence').as('last'))
    .where('parent_id', '=', parentId)
    .where('kind', '=', 'update')
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

export type ReportChange = Partial<{
  status: ReportStatus;
  fields: Record<string, string>;
  facts: StoredFacts;
  facts_at: Date;
  starts_at: Date | null;
  due_at: Date | null;
  deadline_minutes: number | null;
  waived_reason: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  submission_channel: string | null;
  submission_reference: string | null;
}>;

/** Applies a change if the report is still at `expectedVersion`; false otherwise. */
export async function updateReport(
  db: Db,
  id: string,
  expectedVersion: number,
  change: ReportChange,
): Promise<boolean> {
  const { fields, facts, ...rest } = change;
  const result = await db
    .updateTable('regulatory_reports')
    .set({
      ...rest,
      ...(fields ? { fields: JSON.stringify(fields) } : {}),
      ...(facts ? { facts: JSON.stringify(facts) } : {}),
      updated_at: new Date(),
      version: sql<number>`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Open reports whose warning point has passed and whose alerts are not all sent: due within
 * `warnFraction` of their span (`due - (due - start) · fraction <= now`).
 */
export async function reportsNeedingAlerts(
  db: Db,
  now: Date,
  warnFraction: number,
  limit: number,
): Promise<ReportRow[]> {
  return (
    db
      .selectFrom('regulatory_reports')
      .select(REPORT_COLUMNS)
      .where('status', 'in', ['draft', 'ready'])
      .where('due_at', 'is not', null)
      .where('missed_alerted_at', 'is', null)
      .where(
        sql<boolean>`due_at - (due_at - coalesce(starts_at, due_at)) * ${warnFraction}::double precision <= ${now}::timestamptz`,
      )
      // Approaching alert sent: only its missed alert is still to come.
      .where((eb) => eb.or([eb('approach_alerted_at', 'is', null), eb('due_at', '<=', now)]))
      .orderBy('due_at')
      .limit(limit)
      .execute() as Promise<ReportRow[]>
  );
}

/**
 * Marks an alert as sent, once: true only for the caller that set it (so, with several processes, one
 * sends it). A missed deadline also marks the approaching alert, which is then pointless.
 */
export async function claimAlert(
  db: Db,
  id: string,
  stage: 'approaching' | 'missed',
  now: Date,
): Promise<boolean> {
  const query =
    stage === 'approaching'
      ? db
          .updateTable('regulatory_reports')
          .set({ approach_alerted_at: now })
          .where('id', '=', id)
          .where('approach_alerted_at', 'is', null)
          .where('missed_alerted_at', 'is', null)
      : db
          .updateTable('regulatory_reports')
          .set({
            missed_alerted_at: now,
            approach_alerted_at: sql`coalesce(approach_alerted_at, ${now}::timestamptz)`,
          })
          .where('id', '=', id)
          .where('missed_alerted_at', 'is', null);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
