import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { type ExposureCriteria, exposureFieldRows } from '../audit/audit-exposures.js';
import type {
  ContainmentKind,
  ContainmentState,
  IncidentKind,
  IncidentState,
  IncidentsTable,
  NotificationDecision,
  SubjectControlKind,
  TaskSource,
  TaskState,
} from './incidents.tables.js';

/**
 * The only SQL of the incidents module. Every function takes the handle to run on, so the service picks
 * the transaction. The blast radius is aggregated inside the database (`insertScopeSubjects`) from the
 * audit module's exposure query: a scope of millions of subjects never passes through this process.
 */
type Db = Kysely<Database>;

const num = (value: number | bigint | string | null | undefined): number => Number(value ?? 0);
const json = (value: unknown): string => JSON.stringify(value);

// ---- incidents ------------------------------------------------------------------------------------

export type IncidentRow = {
  id: string;
  reference: string;
  title: string;
  kind: IncidentKind;
  is_drill: boolean;
  state: IncidentState;
  source_alert_id: string | null;
  summary: string;
  declared_by: string;
  declared_at: Date;
  detected_at: Date;
  started_at: Date | null;
  contained_at: Date | null;
  closed_at: Date | null;
  impact: Record<string, number>;
  estimated_subjects: number | null;
  raised_grade: string | null;
  raised_grade_reason: string | null;
  notification_decision: NotificationDecision;
  notification_reasons: string;
  notification_decided_by: string | null;
  notification_decided_at: Date | null;
  playbook_version: number;
  version: number;
  updated_at: Date;
};

const INCIDENT_COLUMNS = [
  'id',
  'reference',
  'title',
  'kind',
  'is_drill',
  'state',
  'source_alert_id',
  'summary',
  'declared_by',
  'declared_at',
  'detected_at',
  'started_at',
  'contained_at',
  'closed_at',
  'impact',
  'estimated_subjects',
  'raised_grade',
  'raised_grade_reason',
  'notification_decision',
  'notification_reasons',
  'notification_decided_by',
  'notification_decided_at',
  'playbook_version',
  'version',
  'updated_at',
] as const;

function toIncident(row: Record<(typeof INCIDENT_COLUMNS)[number], unknown>): IncidentRow {
  const impact = typeof row.impact === 'string' ? JSON.parse(row.impact) : row.impact;
  return {
    ...(row as unknown as IncidentRow),
    impact: impact as Record<string, number>,
    estimated_subjects:
      row.estimated_subjects === null ? null : num(row.estimated_subjects as number | bigint | string),
  };
}

export async function nextReferenceNumber(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number | bigint }>`select nextval('incident_reference_seq') as n`.execute(
    db,
  );
  return num(rows[0]?.n);
}

export async function insertIncident(
  db: Db,
  row: Omit<
    IncidentRow,
    | 'version'
    | 'updated_at'
    | 'notification_decision'
    | 'notification_reasons'
    | 'raised_grade'
    | 'raised_grade_reason'
  >,
): Promise<void> {
  await db
    .insertInto('incidents')
    .values({
      ...row,
      impact: json(row.impact),
      estimated_subjects: row.estimated_subjects,
    })
    .execute();
}

export async function findIncident(db: Db, id: string, lock = false): Promise<IncidentRow | undefined> {
  let query = db.selectFrom('incidents').select(INCIDENT_COLUMNS).where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export type IncidentListFilter = {
  state?: IncidentState;
  isDrill?: boolean;
  kind?: IncidentKind;
};

export async function listIncidents(
  db: Db,
  filter: IncidentListFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: IncidentRow[]; total: number }> {
  let query = db.selectFrom('incidents');
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.isDrill !== undefined) query = query.where('is_drill', '=', filter.isDrill);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  const rows = await query
    .select(INCIDENT_COLUMNS)
    .orderBy('declared_at', 'desc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await query
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return { rows: rows.map(toIncident), total: num(total.n) };
}

export type IncidentChanges = Partial<{
  title: string;
  summary: string;
  state: IncidentState;
  started_at: Date | null;
  contained_at: Date | null;
  closed_at: Date | null;
  impact: Record<string, number>;
  estimated_subjects: number | null;
  raised_grade: string | null;
  raised_grade_reason: string | null;
  notification_decision: NotificationDecision;
  notification_reasons: string;
  notification_decided_by: string | null;
  notification_decided_at: Date | null;
}>;

/** Applies changes and bumps the version; false when the incident is not at `expectedVersion`. */
export async function updateIncident(
  db: Db,
  id: string,
  changes: IncidentChanges,
  expectedVersion?: number,
): Promise<boolean> {
  const { impact, ...rest } = changes;
  let query = db
    .updateTable('incidents')
    .set({
      ...rest,
      ...(impact ? { impact: json(impact) } : {}),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id);
  if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// ---- timeline -------------------------------------------------------------------------------------

export type TimelineRow = {
  id: number;
  incident_id: string;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  entry: string;
  details: Record<string, string | number | boolean | null>;
};

export async function insertTimeline(db: Db, row: Omit<TimelineRow, 'id' | 'at'>): Promise<void> {
  await db
    .insertInto('incident_timeline')
    .values({ ...row, details: json(row.details) })
    .execute();
}

export async function timelineOf(db: Db, incidentId: string, limit = 2_000): Promise<TimelineRow[]> {
  const rows = await db
    .selectFrom('incident_timeline')
    .select(['id', 'incident_id', 'at', 'actor_type', 'actor_id', 'actor_role', 'entry', 'details'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    ...row,
    id: num(row.id),
    details: (typeof row.details === 'string'
      ? JSON.parse(row.details)
      : row.details) as TimelineRow['details'],
  }));
}

// ---- playbooks ------------------------------------------------------------------------------------

export type PlaybookRow = {
  kind: string;
  version: number;
  labels: unknown;
  steps: unknown;
  updated_by: string | null;
  updated_at: Date;
};

export async function latestPlaybooks(db: Db): Promise<PlaybookRow[]> {
  return db
    .selectFrom('incident_playbooks as p')
    .select(['p.kind', 'p.version', 'p.labels', 'p.steps', 'p.updated_by', 'p.updated_at'])
    .where(({ eb, selectFrom }) =>
      eb(
        'p.version',
        '=',
        selectFrom('incident_playbooks as q')
          .select((q) => q.fn.max('q.version').as('v'))
          .whereRef('q.kind', '=', 'p.kind'),
      ),
    )
    .execute();
}

export async function playbookVersion(
  db: Db,
  kind: string,
  version?: number,
): Promise<PlaybookRow | undefined> {
  let query = db
    .selectFrom('incident_playbooks')
    .select(['kind', 'version', 'labels', 'steps', 'updated_by', 'updated_at'])
    .where('kind', '=', kind);
  query =
    version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  return query.executeTakeFirst();
}

/** Every saved version of a playbook, newest first (the shipped version 0 is not stored). */
export async function playbookVersions(db: Db, kind: string): Promise<PlaybookRow[]> {
  return db
    .selectFrom('incident_playbooks')
    .select(['kind', 'version', 'labels', 'steps', 'updated_by', 'updated_at'])
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .execute();
}

export async function insertPlaybook(
  db: Db,
  row: { kind: string; version: number; labels: unknown; steps: unknown; updated_by: string },
): Promise<void> {
  await db
    .insertInto('incident_playbooks')
    .values({ ...row, labels: json(row.labels), steps: json(row.steps) })
    .execute();
}

// ---- tasks ----------------------------------------------------------------------------------------

export type TaskRow = {
  id: string;
  incident_id: string;
  source: TaskSource;
  step_key: string | null;
  title: { 'zh-CN': string; 'en-US': string };
  owner_role: string;
  owner_id: string | null;
  due_at: Date | null;
  state: TaskState;
  evidence: string;
  done_by: string | null;
  done_at: Date | null;
  position: number;
  created_by: string;
  created_at: Date;
};

const TASK_COLUMNS = [
  'id',
  'incident_id',
  'source',
  'step_key',
  'title',
  'owner_role',
  'owner_id',
  'due_at',
  'state',
  'evidence',
  'done_by',
  'done_at',
  'position',
  'created_by',
  'created_at',
] as const;

export async function insertTasks(db: Db, rows: Omit<TaskRow, 'created_at' | 'evidence'>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('incident_tasks')
    .values(rows.map((row) => ({ ...row, title: json(row.title) })))
    .execute();
}

export async function nextTaskPosition(db: Db, incidentId: string): Promise<number> {
  const row = await db
    .selectFrom('incident_tasks')
    .select((eb) => eb.fn.max<number | null>('position').as('p'))
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return (row?.p ?? -1) + 1;
}

export async function tasksOf(db: Db, incidentId: string): Promise<TaskRow[]> {
  return (await db
    .selectFrom('incident_tasks')
    .select(TASK_COLUMNS)
    .where('incident_id', '=', incidentId)
    .orderBy('position')
    .execute()) as TaskRow[];
}

export async function findTask(db: Db, incidentId: string, taskId: string): Promise<TaskRow | undefined> {
  return (await db
    .selectFrom('incident_tasks')
    .select(TASK_COLUMNS)
    .where('incident_id', '=', incidentId)
    .where('id', '=', taskId)
    .forUpdate()
    .executeTakeFirst()) as TaskRow | undefined;
}

export async function updateTask(
  db: Db,
  taskId: string,
  changes: Partial<Pick<TaskRow, 'state' | 'evidence' | 'done_by' | 'done_at' | 'owner_id' | 'due_at'>>,
): Promise<void> {
  await db.updateTable('incident_tasks').set(changes).where('id', '=', taskId).execute();
}

// ---- scopes (blast radius) ------------------------------------------------------------------------

export type ScopeRow = {
  incident_id: string;
  version: number;
  criteria: unknown;
  summary: unknown;
  subjects: number;
  events: number;
  computed_ms: number;
  created_by: string;
  created_at: Date;
};

const SCOPE_COLUMNS = [
  'incident_id',
  'version',
  'criteria',
  'summary',
  'subjects',
  'events',
  'computed_ms',
  'created_by',
  'created_at',
] as const;

function toScope(row: Record<(typeof SCOPE_COLUMNS)[number], unknown>): ScopeRow {
  const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return {
    ...(row as unknown as ScopeRow),
    criteria: parse(row.criteria),
    summary: parse(row.summary),
    subjects: num(row.subjects as number),
    events: num(row.events as number),
  };
}

export async function lockIncidentScopes(db: Db, incidentId: string): Promise<number> {
  const row = await db
    .selectFrom('incident_scopes')
    .select((eb) => eb.fn.max<number | null>('version').as('v'))
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return row?.v ?? 0;
}

export async function insertScope(db: Db, row: Omit<ScopeRow, 'created_at'>): Promise<void> {
  await db
    .insertInto('incident_scopes')
    .values({ ...row, criteria: json(row.criteria), summary: json(row.summary) })
    .execute();
}

export async function updateScopeTotals(
  db: Db,
  incidentId: string,
  version: number,
  totals: { summary: unknown; subjects: number; events: number; computed_ms: number },
): Promise<void> {
  await db
    .updateTable('incident_scopes')
    .set({ ...totals, summary: json(totals.summary) })
    .where('incident_id', '=', incidentId)
    .where('version', '=', version)
    .execute();
}

/**
 * Computes the scope from the audit log into `incident_scope_subjects`: one row per exposed subject with
 * the fields seen (sorted), those seen unmasked, how many exposure events, first and last. Returns the
 * number of subjects.
 */
export async function insertScopeSubjects(
  db: Db,
  incidentId: string,
  version: number,
  criteria: ExposureCriteria,
): Promise<number> {
  const result = await sql`
    insert into incident_scope_subjects
      (incident_id, version, subject_id, fields, unmasked_fields, events, first_at, last_at)
    select ${incidentId}::uuid, ${version}::integer, x.subject_id,
           array_agg(distinct x.field order by x.field),
           coalesce(array_agg(distinct x.field order by x.field) filter (where x.unmasked), '{}'::text[]),
           count(distinct x.seq), min(x.occurred_at), max(x.occurred_at)
    from (${exposureFieldRows(criteria)}) x
    group by x.subject_id`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Takes the given subjects (detection's decoys) out of a scope version; returns how many were in it. */
export async function deleteScopeSubjects(
  db: Db,
  incidentId: string,
  version: number,
  subjectIds: readonly string[],
): Promise<number> {
  if (subjectIds.length === 0) return 0;
  const result = await db
    .deleteFrom('incident_scope_subjects')
    .where('incident_id', '=', incidentId)
    .where('version', '=', version)
    .where('subject_id', 'in', [...subjectIds])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export type ScopeCounts = {
  subjects: number;
  events: number;
  unmaskedSubjects: number;
  byField: { field: string; subjects: number; unmaskedSubjects: number }[];
  byCategory: { category: string; subjects: number }[];
  sensitiveSubjects: number;
  firstAt: Date | null;
  lastAt: Date | null;
};

/**
 * Counts of a saved scope: subjects and events, per field, per catalogue category (distinct subjects), and
 * subjects with any sensitive field. `fieldCategories` maps catalogue fields to their category; fields
 * outside the catalogue count as `uncatalogued`.
 */
export async function scopeCounts(
  db: Db,
  incidentId: string,
  version: number,
  fieldCategories: readonly { field: string; category: string }[],
  sensitiveFields: readonly string[],
): Promise<ScopeCounts> {
  const { rows: totals } = await sql<{
    subjects: number | bigint;
    events: number | bigint | string | null;
    unmasked: number | bigint;
    sensitive: number | bigint;
    first_at: Date | null;
    last_at: Date | null;
  }>`
    select count(*) as subjects, sum(events) as events,
           count(*) filter (where cardinality(unmasked_fields) > 0) as unmasked,
           count(*) filter (where fields && ${sql`array[${sql.join(sensitiveFields.length > 0 ? sensitiveFields : [''])}]::text[]`}) as sensitive,
           min(first_at) as first_at, max(last_at) as last_at
    from incident_scope_subjects where incident_id = ${incidentId} and version = ${version}`.execute(db);
  const { rows: byField } = await sql<{
    field: string;
    subjects: number | bigint;
    unmasked: number | bigint;
  }>`
    select f.field, count(*) as subjects, count(*) filter (where f.field = any(s.unmasked_fields)) as unmasked
    from incident_scope_subjects s cross join unnest(s.fields) as f(field)
    where s.incident_id = ${incidentId} and s.version = ${version}
    group by f.field order by f.field`.execute(db);
  const mapping = sql.join(fieldCategories.map((entry) => sql`(${entry.field}, ${entry.category})`));
  const { rows: byCategory } = await sql<{ category: string; subjects: number | bigint }>`
    select coalesce(m.category, 'uncatalogued') as category, count(distinct s.subject_id) as subjects
    from incident_scope_subjects s cross join unnest(s.fields) as f(field)
    left join (values ${mapping}) as m(field, category) on m.field = f.field
    where s.incident_id = ${incidentId} and s.version = ${version}
    group by 1 order by 1`.execute(db);
  const total = totals[0];
  return {
    subjects: num(total?.subjects),
    events: num(total?.events),
    unmaskedSubjects: num(total?.unmasked),
    sensitiveSubjects: num(total?.sensitive),
    firstAt: total?.first_at ?? null,
    lastAt: total?.last_at ?? null,
    byField: byField.map((row) => ({
      field: row.field,
      subjects: num(row.subjects),
      unmaskedSubjects: num(row.unmasked),
    })),
    byCategory: byCategory.map((row) => ({ category: row.category, subjects: num(row.subjects) })),
  };
}

export async function scopesOf(db: Db, incidentId: string): Promise<ScopeRow[]> {
  const rows = await db
    .selectFrom('incident_scopes')
    .select(SCOPE_COLUMNS)
    .where('incident_id', '=', incidentId)
    .orderBy('version')
    .execute();
  return rows.map(toScope);
}

export async function findScope(db: Db, incidentId: string, version?: number): Promise<ScopeRow | undefined> {
  let query = db.selectFrom('incident_scopes').select(SCOPE_COLUMNS).where('incident_id', '=', incidentId);
  query =
    version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? toScope(row) : undefined;
}

export type ScopeSubjectRow = {
  subject_id: string;
  fields: string[];
  unmasked_fields: string[];
  events: number;
  first_at: Date;
  last_at: Date;
};

/** A page of a scope's subjects in subject id order (keyset), for lists, exports and notices. */
export async function scopeSubjectsPage(
  db: Db,
  incidentId: string,
  version: number,
  page: { after: string | null; limit: number },
): Promise<ScopeSubjectRow[]> {
  let query = db
    .selectFrom('incident_scope_subjects')
    .select(['subject_id', 'fields', 'unmasked_fields', 'events', 'first_at', 'last_at'])
    .where('incident_id', '=', incidentId)
    .where('version', '=', version);
  if (page.after !== null) query = query.where('subject_id', '>', page.after);
  return query.orderBy('subject_id').limit(page.limit).execute();
}

/** One subject of a scope version, or undefined when they are not in it. */
export async function scopeSubject(
  db: Db,
  incidentId: string,
  version: number,
  subjectId: string,
): Promise<ScopeSubjectRow | undefined> {
  return db
    .selectFrom('incident_scope_subjects')
    .select(['subject_id', 'fields', 'unmasked_fields', 'events', 'first_at', 'last_at'])
    .where('incident_id', '=', incidentId)
    .where('version', '=', version)
    .where('subject_id', '=', subjectId)
    .executeTakeFirst();
}

// ---- containment ----------------------------------------------------------------------------------

export type ContainmentRow = {
  id: string;
  incident_id: string;
  kind: ContainmentKind;
  target: Record<string, string | number | boolean | null>;
  result: Record<string, string | number | boolean | null>;
  simulated: boolean;
  reversible: boolean;
  state: ContainmentState;
  taken_by: string;
  taken_at: Date;
  reversal_requested_by: string | null;
  reversal_requested_at: Date | null;
  reversal_reason: string | null;
  reversed_by: string | null;
  reversed_at: Date | null;
};

const CONTAINMENT_COLUMNS = [
  'id',
  'incident_id',
  'kind',
  'target',
  'result',
  'simulated',
  'reversible',
  'state',
  'taken_by',
  'taken_at',
  'reversal_requested_by',
  'reversal_requested_at',
  'reversal_reason',
  'reversed_by',
  'reversed_at',
] as const;

function toContainment(row: Record<(typeof CONTAINMENT_COLUMNS)[number], unknown>): ContainmentRow {
  const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return {
    ...(row as unknown as ContainmentRow),
    target: parse(row.target) as ContainmentRow['target'],
    result: parse(row.result) as ContainmentRow['result'],
  };
}

export async function insertContainment(
  db: Db,
  row: Omit<
    ContainmentRow,
    'reversal_requested_by' | 'reversal_requested_at' | 'reversal_reason' | 'reversed_by' | 'reversed_at'
  >,
): Promise<void> {
  await db
    .insertInto('incident_containment_actions')
    .values({ ...row, target: json(row.target), result: json(row.result) })
    .execute();
}

export async function containmentOf(db: Db, incidentId: string): Promise<ContainmentRow[]> {
  const rows = await db
    .selectFrom('incident_containment_actions')
    .select(CONTAINMENT_COLUMNS)
    .where('incident_id', '=', incidentId)
    .orderBy('taken_at')
    .orderBy('id')
    .execute();
  return rows.map(toContainment);
}

export async function findContainment(
  db: Db,
  incidentId: string,
  actionId: string,
  lock = false,
): Promise<ContainmentRow | undefined> {
  let query = db
    .selectFrom('incident_containment_actions')
    .select(CONTAINMENT_COLUMNS)
    .where('incident_id', '=', incidentId)
    .where('id', '=', actionId);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toContainment(row) : undefined;
}

export async function updateContainment(
  db: Db,
  actionId: string,
  changes: Partial<
    Pick<
      ContainmentRow,
      | 'state'
      | 'reversal_requested_by'
      | 'reversal_requested_at'
      | 'reversal_reason'
      | 'reversed_by'
      | 'reversed_at'
    >
  > & { result?: ContainmentRow['result'] },
): Promise<void> {
  const { result, ...rest } = changes;
  await db
    .updateTable('incident_containment_actions')
    .set({ ...rest, ...(result ? { result: json(result) } : {}) })
    .where('id', '=', actionId)
    .execute();
}

/** Places a control on every subject of a scope version, inside the database. Returns how many. */
export async function insertControlsFromScope(
  db: Db,
  actionId: string,
  kind: SubjectControlKind,
  incidentId: string,
  version: number,
): Promise<number> {
  const result = await sql`
    insert into incident_subject_controls (action_id, subject_id, kind)
    select ${actionId}::uuid, subject_id, ${kind}
    from incident_scope_subjects where incident_id = ${incidentId} and version = ${version}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function insertControls(
  db: Db,
  actionId: string,
  kind: SubjectControlKind,
  subjectIds: readonly string[],
): Promise<number> {
  const unique = [...new Set(subjectIds)];
  for (let at = 0; at < unique.length; at += 1_000) {
    await db
      .insertInto('incident_subject_controls')
      .values(unique.slice(at, at + 1_000).map((subject_id) => ({ action_id: actionId, subject_id, kind })))
      .execute();
  }
  return unique.length;
}

export async function liftControls(db: Db, actionId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('incident_subject_controls')
    .set({ lifted_at: at })
    .where('action_id', '=', actionId)
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function liftSubjectControl(
  db: Db,
  actionId: string,
  subjectId: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('incident_subject_controls')
    .set({ lifted_at: at })
    .where('action_id', '=', actionId)
    .where('subject_id', '=', subjectId)
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Which of these subjects are under a live control of this kind. */
export async function controlledAmong(
  db: Db,
  kind: SubjectControlKind,
  subjectIds: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(subjectIds)];
  const found = new Set<string>();
  for (let at = 0; at < unique.length; at += 1_000) {
    const rows = await db
      .selectFrom('incident_subject_controls')
      .select('subject_id')
      .distinct()
      .where('kind', '=', kind)
      .where('lifted_at', 'is', null)
      .where('subject_id', 'in', unique.slice(at, at + 1_000))
      .execute();
    for (const row of rows) found.add(row.subject_id);
  }
  return found;
}

export async function liveContainmentOfKind(db: Db, kind: ContainmentKind): Promise<number> {
  const row = await db
    .selectFrom('incident_containment_actions')
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .where('kind', '=', kind)
    .where('state', 'in', ['active', 'reversal-requested'])
    .where('simulated', '=', false)
    .executeTakeFirstOrThrow();
  return num(row.n);
}

// ---- review ---------------------------------------------------------------------------------------

export type ReviewRow = {
  incident_id: string;
  cause: string;
  what_worked: string;
  lessons: string;
  follow_ups: unknown;
  recorded_by: string;
  recorded_at: Date;
};

export async function upsertReview(db: Db, row: ReviewRow): Promise<void> {
  const values = { ...row, follow_ups: json(row.follow_ups) };
  await db
    .insertInto('incident_reviews')
    .values(values)
    .onConflict((oc) =>
      oc.column('incident_id').doUpdateSet({
        cause: values.cause,
        what_worked: values.what_worked,
        lessons: values.lessons,
        follow_ups: values.follow_ups,
        recorded_by: values.recorded_by,
        recorded_at: values.recorded_at,
      }),
    )
    .execute();
}

export async function findReview(db: Db, incidentId: string): Promise<ReviewRow | undefined> {
  const row = await db
    .selectFrom('incident_reviews')
    .select(['incident_id', 'cause', 'what_worked', 'lessons', 'follow_ups', 'recorded_by', 'recorded_at'])
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ...row,
    follow_ups: typeof row.follow_ups === 'string' ? JSON.parse(row.follow_ups) : row.follow_ups,
  };
}

export type { IncidentsTable };
