import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { type CanonicalEvent, decodeCanonicalEvent } from '../audit/canonical-event.js';
import type {
  DetectionAlertsTable,
  DetectionHoneytokensTable,
  DetectionRulesTable,
} from './detection.tables.js';
import {
  type EvaluationSource,
  EXPORT_ACTIONS,
  type HistoryRow,
  type HoneytokenRef,
  type LogEvent,
} from './detection-evaluator.js';

/**
 * The detection module's SQL, and the only code that touches its tables. It also reads the audit log's
 * `audit_events` (never writes it): the engine consumes the log in seq order, and the rules' windows are
 * queries over its indexed columns (actor_id, seq, occurred_at, action, outcome), so every rule's state can
 * be derived again from the log.
 */
type Db = Kysely<Database>;

const toNumber = (value: number | bigint | string): number => Number(value);
const CURSOR = 'engine';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- the engine's cursor and the log ---------------------------------------------------------------

/** Locks the cursor row for this transaction and returns the last evaluated seq. */
export async function lockCursor(trx: Db): Promise<number> {
  const row = await trx
    .selectFrom('detection_cursor')
    .select('last_seq')
    .where('name', '=', CURSOR)
    .forUpdate()
    .executeTakeFirst();
  if (row) return toNumber(row.last_seq);
  await trx
    .insertInto('detection_cursor')
    .values({ name: CURSOR, last_seq: -1 })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return lockCursor(trx);
}

export async function readCursor(db: Db): Promise<number> {
  const row = await db
    .selectFrom('detection_cursor')
    .select('last_seq')
    .where('name', '=', CURSOR)
    .executeTakeFirst();
  return row ? toNumber(row.last_seq) : -1;
}

export async function moveCursor(trx: Db, lastSeq: number): Promise<void> {
  await trx
    .updateTable('detection_cursor')
    .set({ last_seq: lastSeq, updated_at: sql`now()` })
    .where('name', '=', CURSOR)
    .execute();
}

/** The log's last seq, or -1 when it is empty. */
export async function lastLogSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max<number | bigint | null>('seq').as('last'))
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? -1 : toNumber(row.last);
}

/** The next events after `afterSeq`, decoded from their canonical bytes. */
export async function readEventsAfter(db: Db, afterSeq: number, limit: number): Promise<LogEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['seq', 'canonical', 'occurred_at'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: toNumber(row.seq),
    at: row.occurred_at.getTime(),
    event: decodeCanonicalEvent(row.canonical),
  }));
}

export type EvidenceEvent = { seq: number; event: CanonicalEvent };

/** Audit events by seq, for an alert's evidence. */
export async function eventsBySeq(db: Db, seqs: readonly number[]): Promise<EvidenceEvent[]> {
  if (seqs.length === 0) return [];
  const rows = await db
    .selectFrom('audit_events')
    .select(['seq', 'canonical'])
    .where('seq', 'in', [...seqs])
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ seq: toNumber(row.seq), event: decodeCanonicalEvent(row.canonical) }));
}

/** What the rules read of the log, within the engine's transaction. */
export function evaluationSource(trx: Db): EvaluationSource {
  return {
    async actorHistory(actorId, since, upToSeq) {
      const rows = await trx
        .selectFrom('audit_events')
        .select([
          'seq',
          'occurred_at',
          'action',
          'outcome',
          'data_subject_id',
          'resource_type',
          'resource_id',
          (eb) =>
            eb
              .case()
              .when('action', 'in', [...EXPORT_ACTIONS])
              .then(eb.ref('canonical'))
              .else(null)
              .end()
              .as('export_canonical'),
        ])
        .where('actor_id', '=', actorId)
        .where('occurred_at', '>=', since)
        .where('seq', '<=', upToSeq)
        .orderBy('seq')
        .execute();
      return rows.map(
        (row): HistoryRow => ({
          seq: toNumber(row.seq),
          at: row.occurred_at.getTime(),
          action: row.action,
          outcome: row.outcome,
          subject: row.data_subject_id,
          resourceType: row.resource_type,
          resourceId: row.resource_id,
          exportedRows: row.export_canonical ? exportedRowsOf(row.export_canonical as Uint8Array) : null,
        }),
      );
    },

    async previousActivity(actorId, beforeSeq) {
      const row = await trx
        .selectFrom('audit_events')
        .select('occurred_at')
        .where('actor_id', '=', actorId)
        .where('seq', '<', beforeSeq)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? row.occurred_at.getTime() : null;
    },

    async hourlyActivity(actorId, from, to) {
      const row = await trx
        .selectFrom('audit_events')
        .select([
          (eb) => eb.fn.countAll<number | bigint>().as('events'),
          sql<number | bigint>`count(distinct date_trunc('hour', occurred_at))`.as('hours'),
        ])
        .where('actor_id', '=', actorId)
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<', to)
        .where('data_subject_id', 'is not', null)
        .where('outcome', '=', 'success')
        .executeTakeFirst();
      return { events: toNumber(row?.events ?? 0), activeHours: toNumber(row?.hours ?? 0) };
    },

    async failedLogins(since, upToSeq) {
      const rows = await trx
        .selectFrom('audit_events')
        .select(['seq', 'occurred_at', 'resource_type', 'resource_id', 'canonical'])
        .where('action', '=', 'auth.login')
        .where('outcome', '=', 'failure')
        .where('occurred_at', '>=', since)
        .where('seq', '<=', upToSeq)
        .orderBy('seq')
        .execute();
      return rows.map((row) => ({
        seq: toNumber(row.seq),
        at: row.occurred_at.getTime(),
        account: row.resource_type === 'staff-user' ? row.resource_id : null,
        ip: decodeCanonicalEvent(row.canonical).actor.ip,
      }));
    },

    async loginAddresses(actorId, since, beforeSeq) {
      const rows = await trx
        .selectFrom('audit_events')
        .select('canonical')
        .where('actor_id', '=', actorId)
        .where('action', '=', 'auth.login')
        .where('outcome', '=', 'success')
        .where('occurred_at', '>=', since)
        .where('seq', '<', beforeSeq)
        .execute();
      return rows.flatMap((row) => {
        const ip = decodeCanonicalEvent(row.canonical).actor.ip;
        return ip ? [ip] : [];
      });
    },

    async honeytokensTouching(anySubjectIds, anyClaimIds) {
      // Decoys are customers and claims, whose ids are UUIDs; other ids in the log cannot be one.
      const subjectIds = anySubjectIds.filter((id) => UUID.test(id));
      const claimIds = anyClaimIds.filter((id) => UUID.test(id));
      if (subjectIds.length === 0 && claimIds.length === 0) return [];
      const rows = await trx
        .selectFrom('detection_honeytokens')
        .select(['id', 'subject_id', 'claim_id', 'recipient_kind', 'recipient_user_id', 'plant_request_id'])
        .where((eb) =>
          eb.or([
            ...(subjectIds.length > 0 ? [eb('subject_id', 'in', [...subjectIds])] : []),
            ...(claimIds.length > 0 ? [eb('claim_id', 'in', [...claimIds])] : []),
          ]),
        )
        .execute();
      return rows.map(
        (row): HoneytokenRef => ({
          id: row.id,
          subjectId: row.subject_id,
          claimId: row.claim_id,
          recipientKind: row.recipient_kind,
          recipientUserId: row.recipient_user_id,
          plantRequestId: row.plant_request_id,
        }),
      );
    },
  };
}

function exportedRowsOf(canonical: Uint8Array): number | null {
  const rows = decodeCanonicalEvent(canonical).details.rows;
  return typeof rows === 'number' ? rows : null;
}

// ---- rules ------------------------------------------------------------------------------------------

export type RuleRow = Omit<DetectionRulesTable, 'updated_at'> & { updated_at: Date };

export async function listRuleRows(db: Db): Promise<RuleRow[]> {
  return db
    .selectFrom('detection_rules')
    .select([
      'id',
      'enabled',
      'severity',
      'window_minutes',
      'roles',
      'thresholds',
      'updated_at',
      'updated_by',
    ])
    .orderBy('id')
    .execute() as Promise<RuleRow[]>;
}

export async function insertMissingRules(
  db: Db,
  rows: readonly Omit<DetectionRulesTable, 'updated_at' | 'updated_by'>[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('detection_rules')
    .values(
      rows.map((row) => ({
        ...row,
        roles: JSON.stringify(row.roles) as never,
        thresholds: JSON.stringify(row.thresholds) as never,
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function updateRuleRow(
  db: Db,
  id: string,
  row: Omit<DetectionRulesTable, 'id' | 'updated_at'>,
): Promise<void> {
  await db
    .updateTable('detection_rules')
    .set({
      enabled: row.enabled,
      severity: row.severity,
      window_minutes: row.window_minutes,
      roles: JSON.stringify(row.roles) as never,
      thresholds: JSON.stringify(row.thresholds) as never,
      updated_by: row.updated_by,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

// ---- alerts -----------------------------------------------------------------------------------------

export type AlertRow = Omit<
  DetectionAlertsTable,
  'status' | 'created_at' | 'updated_at' | 'first_seq' | 'last_seq'
> & {
  status: 'open' | 'acknowledged' | 'dismissed' | 'escalated';
  created_at: Date;
  updated_at: Date;
  first_seq: number;
  last_seq: number;
};

const ALERT_COLUMNS = [
  'id',
  'rule_id',
  'severity',
  'status',
  'actor_type',
  'actor_id',
  'actor_role',
  'dedup_key',
  'window_start',
  'first_seq',
  'last_seq',
  'first_event_at',
  'last_event_at',
  'evidence_seqs',
  'hit_count',
  'details',
  'honeytoken_id',
  'assignee_id',
  'created_at',
  'updated_at',
  'acknowledged_at',
  'acknowledged_by',
  'dismissed_at',
  'dismissed_by',
  'dismiss_reason',
  'escalated_at',
  'escalated_by',
  'incident_id',
] as const;

function toAlertRow(row: Record<string, unknown>): AlertRow {
  const evidence = row.evidence_seqs;
  const details = row.details;
  return {
    ...(row as unknown as AlertRow),
    first_seq: toNumber(row.first_seq as number),
    last_seq: toNumber(row.last_seq as number),
    evidence_seqs: (typeof evidence === 'string' ? JSON.parse(evidence) : evidence) as number[],
    details: (typeof details === 'string' ? JSON.parse(details) : details) as AlertRow['details'],
  };
}

/** The open or acknowledged alerts with these de-duplication keys, locked for this transaction. */
export async function activeAlertsByKey(trx: Db, keys: readonly string[]): Promise<AlertRow[]> {
  if (keys.length === 0) return [];
  const rows = await trx
    .selectFrom('detection_alerts')
    .select(ALERT_COLUMNS)
    .where('dedup_key', 'in', [...keys])
    .where('status', 'in', ['open', 'acknowledged'])
    .forUpdate()
    .execute();
  return rows.map((row) => toAlertRow(row));
}

export type NewAlertRow = Omit<
  DetectionAlertsTable,
  | 'status'
  | 'created_at'
  | 'updated_at'
  | 'assignee_id'
  | 'acknowledged_at'
  | 'acknowledged_by'
  | 'dismissed_at'
  | 'dismissed_by'
  | 'dismiss_reason'
  | 'escalated_at'
  | 'escalated_by'
  | 'incident_id'
>;

export async function insertAlert(trx: Db, row: NewAlertRow): Promise<void> {
  await trx
    .insertInto('detection_alerts')
    .values({
      ...row,
      evidence_seqs: JSON.stringify(row.evidence_seqs) as never,
      details: JSON.stringify(row.details) as never,
    })
    .execute();
}

export async function addHits(
  trx: Db,
  id: string,
  change: {
    lastSeq: number;
    lastEventAt: Date;
    evidence: number[];
    hits: number;
    details: Record<string, string | number | boolean | null>;
  },
): Promise<void> {
  await trx
    .updateTable('detection_alerts')
    .set((eb) => ({
      last_seq: change.lastSeq,
      last_event_at: change.lastEventAt,
      evidence_seqs: JSON.stringify(change.evidence) as never,
      hit_count: eb('hit_count', '+', change.hits),
      details: JSON.stringify(change.details) as never,
      updated_at: sql`now()`,
    }))
    .where('id', '=', id)
    .execute();
}

export type AlertFilter = {
  status?: readonly string[];
  ruleId?: string;
  severity?: readonly string[];
  actorId?: string;
  assigneeId?: string;
  from?: Date;
  to?: Date;
};

export async function listAlertRows(
  db: Db,
  filter: AlertFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: AlertRow[]; total: number }> {
  let query = db.selectFrom('detection_alerts');
  if (filter.status && filter.status.length > 0)
    query = query.where('status', 'in', [...filter.status] as never);
  if (filter.ruleId) query = query.where('rule_id', '=', filter.ruleId);
  if (filter.severity && filter.severity.length > 0)
    query = query.where('severity', 'in', [...filter.severity] as never);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.assigneeId) query = query.where('assignee_id', '=', filter.assigneeId);
  if (filter.from) query = query.where('created_at', '>=', filter.from);
  if (filter.to) query = query.where('created_at', '<', filter.to);
  const [rows, count] = await Promise.all([
    query
      .select(ALERT_COLUMNS)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | bigint>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map((row) => toAlertRow(row)), total: toNumber(count.total) };
}

export async function findAlert(
  db: Db,
  id: string,
  options: { lock?: boolean } = {},
): Promise<AlertRow | undefined> {
  let query = db.selectFrom('detection_alerts').select(ALERT_COLUMNS).where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toAlertRow(row) : undefined;
}

export async function updateAlert(
  trx: Db,
  id: string,
  change: Partial<
    Pick<
      DetectionAlertsTable,
      | 'acknowledged_at'
      | 'acknowledged_by'
      | 'dismissed_at'
      | 'dismissed_by'
      | 'dismiss_reason'
      | 'escalated_at'
      | 'escalated_by'
      | 'incident_id'
      | 'assignee_id'
    > & { status: AlertRow['status'] }
  >,
): Promise<void> {
  await trx
    .updateTable('detection_alerts')
    .set({ ...change, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

// ---- honeytokens ------------------------------------------------------------------------------------

export type HoneytokenRow = Omit<DetectionHoneytokensTable, 'planted_at'> & { planted_at: Date };

const HONEYTOKEN_COLUMNS = [
  'id',
  'kind',
  'subject_id',
  'claim_id',
  'claim_number',
  'recipient_kind',
  'recipient_user_id',
  'recipient_label',
  'recipient_party_kind',
  'plant_request_id',
  'planted_by',
  'planted_at',
  'note',
] as const;

export async function insertHoneytoken(
  trx: Db,
  row: Omit<DetectionHoneytokensTable, 'planted_at'>,
): Promise<void> {
  await trx.insertInto('detection_honeytokens').values(row).execute();
}

export async function setHoneytokenClaim(
  trx: Db,
  id: string,
  claimId: string,
  claimNumber: string,
): Promise<void> {
  await trx
    .updateTable('detection_honeytokens')
    .set({ claim_id: claimId, claim_number: claimNumber })
    .where('id', '=', id)
    .execute();
}

export async function listHoneytokenRows(db: Db): Promise<HoneytokenRow[]> {
  return db
    .selectFrom('detection_honeytokens')
    .select(HONEYTOKEN_COLUMNS)
    .orderBy('planted_at', 'desc')
    .execute();
}

export async function findHoneytoken(db: Db, id: string): Promise<HoneytokenRow | undefined> {
  return db
    .selectFrom('detection_honeytokens')
    .select(HONEYTOKEN_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function honeytokensBy(
  db: Db,
  by: { claimNumber?: string; subjectIds?: readonly string[] },
): Promise<HoneytokenRow[]> {
  if (!by.claimNumber && (!by.subjectIds || by.subjectIds.length === 0)) return [];
  return db
    .selectFrom('detection_honeytokens')
    .select(HONEYTOKEN_COLUMNS)
    .where((eb) =>
      eb.or([
        ...(by.claimNumber ? [eb('claim_number', '=', by.claimNumber)] : []),
        ...(by.subjectIds && by.subjectIds.length > 0 ? [eb('subject_id', 'in', [...by.subjectIds])] : []),
      ]),
    )
    .execute();
}

export async function alertCountsByHoneytoken(
  db: Db,
): Promise<Map<string, { alerts: number; lastAt: Date | null }>> {
  const rows = await db
    .selectFrom('detection_alerts')
    .select([
      'honeytoken_id',
      (eb) => eb.fn.countAll<number | bigint>().as('alerts'),
      (eb) => eb.fn.max('last_event_at').as('last_at'),
    ])
    .where('honeytoken_id', 'is not', null)
    .groupBy('honeytoken_id')
    .execute();
  return new Map(
    rows.map((row) => [
      row.honeytoken_id as string,
      { alerts: toNumber(row.alerts), lastAt: row.last_at as Date | null },
    ]),
  );
}

// ---- the risk view ----------------------------------------------------------------------------------

/** Personal-data events and refusals per hour since `from`. */
export async function accessVolumeByHour(
  db: Db,
  from: Date,
): Promise<{ hour: Date; accesses: number; denials: number }[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select([
      sql<Date>`date_trunc('hour', occurred_at)`.as('hour'),
      sql<number | bigint>`count(*) filter (where data_subject_id is not null and outcome = 'success')`.as(
        'accesses',
      ),
      sql<number | bigint>`count(*) filter (where outcome = 'denied')`.as('denials'),
    ])
    .where('occurred_at', '>=', from)
    .groupBy(sql`date_trunc('hour', occurred_at)`)
    .orderBy(sql`date_trunc('hour', occurred_at)`)
    .execute();
  return rows.map((row) => ({
    hour: new Date(row.hour),
    accesses: toNumber(row.accesses),
    denials: toNumber(row.denials),
  }));
}

export async function alertCounts(
  db: Db,
  from: Date,
): Promise<{ ruleId: string; severity: string; status: string; count: number }[]> {
  const rows = await db
    .selectFrom('detection_alerts')
    .select(['rule_id', 'severity', 'status', (eb) => eb.fn.countAll<number | bigint>().as('n')])
    .where('created_at', '>=', from)
    .groupBy(['rule_id', 'severity', 'status'])
    .execute();
  return rows.map((row) => ({
    ruleId: row.rule_id,
    severity: row.severity,
    status: row.status,
    count: toNumber(row.n),
  }));
}

/** Alerts per actor since `from`, by severity (for the riskiest users). */
export async function alertsByActor(
  db: Db,
  from: Date,
): Promise<{ actorId: string; actorRole: string | null; severity: string; count: number; lastAt: Date }[]> {
  const rows = await db
    .selectFrom('detection_alerts')
    .select([
      'actor_id',
      (eb) => eb.fn.max('actor_role').as('actor_role'),
      'severity',
      (eb) => eb.fn.countAll<number | bigint>().as('n'),
      (eb) => eb.fn.max('created_at').as('last_at'),
    ])
    .where('created_at', '>=', from)
    .where('actor_id', 'is not', null)
    .where('status', '<>', 'dismissed')
    .groupBy(['actor_id', 'severity'])
    .execute();
  return rows.map((row) => ({
    actorId: row.actor_id as string,
    actorRole: (row.actor_role as string | null) ?? null,
    severity: row.severity,
    count: toNumber(row.n),
    lastAt: row.last_at as Date,
  }));
}

/** Per actor since `from`: distinct data subjects, unmasks and claim refusals (the early-warning gauges). */
export async function activitySince(
  db: Db,
  from: Date,
): Promise<{ actorId: string; subjects: number; unmasks: number; denials: number }[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select([
      'actor_id',
      sql<number | bigint>`count(distinct data_subject_id) filter (where outcome = 'success')`.as('subjects'),
      sql<
        number | bigint
      >`count(*) filter (where action = 'personal-data.unmask' and outcome = 'success')`.as('unmasks'),
      sql<number | bigint>`count(*) filter (where outcome = 'denied' and resource_type = 'claim')`.as(
        'denials',
      ),
    ])
    .where('occurred_at', '>=', from)
    .where('actor_id', 'is not', null)
    .where('actor_type', 'in', ['staff', 'api-token'])
    .groupBy('actor_id')
    .execute();
  return rows.map((row) => ({
    actorId: row.actor_id as string,
    subjects: toNumber(row.subjects),
    unmasks: toNumber(row.unmasks),
    denials: toNumber(row.denials),
  }));
}
