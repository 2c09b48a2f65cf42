import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import type { StaffRole } from '../access/roles.js';
import {
  type AuditActor,
  type AuditEventInput,
  type AuditRecorder,
  SYSTEM_ACTOR,
} from '../audit/audit-event.js';
import type { CanonicalEvent } from '../audit/canonical-event.js';
import type { NotificationService } from '../notifications/notifications.service.js';
import * as repository from './detection.repository.js';
import { type AlertCandidate, evaluateBatch } from './detection-evaluator.js';
import {
  type AnyRuleSettings,
  DEFAULT_RULES,
  defaultSettings,
  isRuleId,
  limitFor,
  parseThresholds,
  RULE_IDS,
  type RuleId,
  SEVERITIES,
  SEVERITY_RANK,
  type Severity,
} from './detection-rules.js';

/**
 * Leak detection (S2.3, S13.4, S13.5): the rules' settings, the evaluation of the audit log in seq order
 * (driven by `DetectionEngine`), the alerts and what security officers do with them, and the risk view.
 *
 * ## Use (other modules)
 *
 * ```ts
 * const alerts = await detection.listAlerts({ status: ['open'] }, { limit: 50, offset: 0 });
 * // The incidents module, in the transaction that declares the incident:
 * await detection.markEscalated(trx, alertId, incidentId, auditActorOf(context));
 * ```
 *
 * SECURITY: alerts hold ids, codes and counts, never personal data; the notices sent to the security
 * officers name only the rule and severity and link to the console. Every change to an alert or a rule is
 * audited in its own transaction.
 */
type Db = Kysely<Database>;

export type AlertStatus = 'open' | 'acknowledged' | 'dismissed' | 'escalated';
export const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'dismissed', 'escalated'];

export type AlertView = {
  id: string;
  ruleId: string;
  severity: Severity;
  status: AlertStatus;
  actor: { type: string | null; id: string | null; role: string | null };
  windowStart: Date;
  firstSeq: number;
  lastSeq: number;
  firstEventAt: Date;
  lastEventAt: Date;
  evidenceSeqs: number[];
  hitCount: number;
  details: Record<string, string | number | boolean | null>;
  honeytokenId: string | null;
  assigneeId: string | null;
  createdAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  dismissedAt: Date | null;
  dismissedBy: string | null;
  dismissReason: string | null;
  escalatedAt: Date | null;
  escalatedBy: string | null;
  incidentId: string | null;
};

/** An audit event shown as evidence: what the log says, without the browser string. */
export type EvidenceView = {
  seq: number;
  at: string;
  actor: { type: string; id: string | null; role: string | null; ip: string | null };
  action: string;
  resource: { type: string; id: string | null };
  dataSubjectId: string | null;
  fields: string[];
  purpose: string | null;
  outcome: string;
  details: Record<string, string | number | boolean | null>;
};

export type AlertDetail = AlertView & { evidence: EvidenceView[] };

export type RuleView = AnyRuleSettings & { updatedAt: Date | null; updatedBy: string | null };

export type RuleChange = {
  enabled?: boolean;
  severity?: Severity;
  windowMinutes?: number;
  roles?: StaffRole[];
  thresholds?: Record<string, unknown>;
};

export type RiskSummary = {
  generatedAt: Date;
  hours: number;
  volume: { hour: Date; accesses: number; denials: number }[];
  alertsByRule: { ruleId: string; severity: string; count: number }[];
  alertsBySeverity: { severity: string; count: number }[];
  openAlerts: number;
  riskiestUsers: {
    actorId: string;
    role: string | null;
    score: number;
    alerts: number;
    critical: number;
    lastAlertAt: Date;
  }[];
  earlyWarnings: {
    actorId: string;
    role: string | null;
    gauge: 'bulk-access' | 'unmask-spike' | 'repeated-denials';
    value: number;
    limit: number;
    ratio: number;
  }[];
  engine: { evaluatedUpTo: number; logHead: number; lag: number };
};

/** The staff the module tells of alerts and names in the risk view (the identity module provides it). */
export interface DetectionStaffDirectory {
  listUsers(): Promise<
    { id: string; role: StaffRole; status: 'active' | 'disabled'; branch: string | null }[]
  >;
}

export type DetectionServiceOptions = {
  audit: AuditRecorder;
  staff: DetectionStaffDirectory;
  /** Security officers are told of new alerts in-app and by email; without it, nobody is told. */
  notifications?: NotificationService | null;
  now?: () => Date;
};

export type EvaluationResult = {
  /** Events evaluated by this call (0: the engine is up to date). */
  evaluated: number;
  /** The last seq evaluated (the cursor after the call). */
  cursor: number;
  /** Alerts this call opened. */
  raised: string[];
  /** Open alerts that got further hits. */
  updated: string[];
};

const MAX_EVIDENCE = 200;
const SEVERITY_WEIGHT: Record<Severity, number> = { low: 1, medium: 3, high: 6, critical: 10 };
const OFFICER_CACHE_MS = 30_000;

export class DetectionService {
  readonly #db: Db;
  readonly #options: DetectionServiceOptions;
  #rulesReady: Promise<void> | null = null;
  #officers: { ids: string[]; at: number } | null = null;

  constructor(db: Db, options: DetectionServiceOptions) {
    this.#db = db;
    this.#options = options;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  // ---- rules ------------------------------------------------------------------------------------------

  /** Makes the row of every shipped rule that has none yet (once per process). */
  ensureRules(): Promise<void> {
    this.#rulesReady ??= repository
      .insertMissingRules(
        this.#db,
        RULE_IDS.map((id) => {
          const settings = defaultSettings(id);
          return {
            id,
            enabled: settings.enabled,
            severity: settings.severity,
            window_minutes: settings.windowMinutes,
            roles: settings.roles,
            thresholds: settings.thresholds as Record<string, unknown>,
          };
        }),
      )
      .catch((error: unknown) => {
        this.#rulesReady = null;
        throw error;
      });
    return this.#rulesReady;
  }

  async listRules(): Promise<RuleView[]> {
    await this.ensureRules();
    return this.#readRules(this.#db);
  }

  async #readRules(db: Db): Promise<RuleView[]> {
    const rows = new Map((await repository.listRuleRows(db)).map((row) => [row.id, row]));
    return RULE_IDS.map((id) => {
      const row = rows.get(id);
      if (!row) return { ...defaultSettings(id), updatedAt: null, updatedBy: null } as RuleView;
      const thresholds = parseThresholds(
        id,
        typeof row.thresholds === 'string' ? JSON.parse(row.thresholds) : row.thresholds,
      );
      const roles = (typeof row.roles === 'string' ? JSON.parse(row.roles) : row.roles) as StaffRole[];
      return {
        id,
        enabled: row.enabled,
        severity: row.severity,
        windowMinutes: row.window_minutes,
        roles,
        // A stored value that no longer fits (an older version's shape) falls back to the shipped one.
        thresholds: thresholds.ok ? thresholds.thresholds : DEFAULT_RULES[id].thresholds,
        updatedAt: row.updated_at,
        updatedBy: row.updated_by,
      } as RuleView;
    });
  }

  /** Changes a rule's settings (security officer, step-up); audited with the new settings (no values). */
  async updateRule(context: RequestContext, id: string, change: RuleChange): Promise<RuleView> {
    if (!isRuleId(id)) throw new DomainError('not-found', 'No such detection rule.');
    const principal = context.principal;
    if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
    await this.ensureRules();
    const current = (await this.#readRules(this.#db)).find((rule) => rule.id === id) as RuleView;
    const thresholds = change.thresholds === undefined ? current.thresholds : change.thresholds;
    const parsed = parseThresholds(id, thresholds);
    if (!parsed.ok) {
      throw new DomainError('validation-failed', `The thresholds of ${id} do not fit.`, {
        fields: parsed.fields.map((field) => `thresholds.${field}`),
      });
    }
    const next = {
      enabled: change.enabled ?? current.enabled,
      severity: change.severity ?? current.severity,
      window_minutes: change.windowMinutes ?? current.windowMinutes,
      roles: change.roles ?? current.roles,
      thresholds: parsed.thresholds as Record<string, unknown>,
      updated_by: principal.userId,
    };
    await this.#db.transaction().execute(async (trx) => {
      await repository.updateRuleRow(trx, id, next);
      await this.#record(
        trx,
        context,
        'detection.rule.updated',
        { type: 'detection-rule', id },
        {
          enabled: next.enabled,
          severity: next.severity,
          windowMinutes: next.window_minutes,
          roles: next.roles.join(' ') || 'all',
        },
      );
    });
    return (await this.#readRules(this.#db)).find((rule) => rule.id === id) as RuleView;
  }

  // ---- evaluation -------------------------------------------------------------------------------------

  /**
   * Evaluates the next events after the cursor, at most `batchSize`, in ONE transaction that also writes
   * their alerts, queues the officers' notices, audits the alerts raised and moves the cursor: either all
   * of it commits or none of it, so the events are evaluated again after a crash and never twice.
   *
   * SECURITY: the cursor row is locked for the transaction, so two evaluators (a leader that has not yet
   * noticed it lost its lock, and the new one) take turns and never evaluate an event twice.
   * `beforeCommit` exists for the crash tests.
   */
  async evaluateNext(
    options: { batchSize?: number; beforeCommit?: (result: EvaluationResult) => Promise<void> } = {},
  ): Promise<EvaluationResult> {
    await this.ensureRules();
    const officers = await this.#securityOfficers();
    return this.#db.transaction().execute(async (trx) => {
      const last = await repository.lockCursor(trx);
      const events = await repository.readEventsAfter(trx, last, options.batchSize ?? 500);
      if (events.length === 0) return { evaluated: 0, cursor: last, raised: [], updated: [] };
      const rules = await this.#readRules(trx);
      const candidates = await evaluateBatch(events, rules, repository.evaluationSource(trx));
      const { raised, updated } = await this.#applyCandidates(trx, candidates, officers);
      const cursor = (events.at(-1) as (typeof events)[number]).seq;
      await repository.moveCursor(trx, cursor);
      const result = { evaluated: events.length, cursor, raised, updated };
      await options.beforeCommit?.(result);
      return result;
    });
  }

  /** Evaluates until the cursor reaches the end of the log as it is now. Returns the alerts raised. */
  async evaluateAll(options: { batchSize?: number } = {}): Promise<string[]> {
    const raised: string[] = [];
    for (;;) {
      const result = await this.evaluateNext(options);
      raised.push(...result.raised);
      if (result.evaluated === 0) return raised;
    }
  }

  async #applyCandidates(
    trx: Db,
    candidates: readonly AlertCandidate[],
    officers: readonly string[],
  ): Promise<{ raised: string[]; updated: string[] }> {
    if (candidates.length === 0) return { raised: [], updated: [] };
    // One write per alert per batch: the batch's hits on a key are merged first (in seq order).
    const groups = new Map<string, AlertCandidate[]>();
    for (const candidate of candidates) {
      const group = groups.get(candidate.dedupKey) ?? [];
      group.push(candidate);
      groups.set(candidate.dedupKey, group);
    }
    const existing = new Map(
      (await repository.activeAlertsByKey(trx, [...groups.keys()])).map((row) => [row.dedup_key, row]),
    );
    const raised: string[] = [];
    const updated: string[] = [];
    for (const [key, group] of groups) {
      const first = group[0] as AlertCandidate;
      const last = group.at(-1) as AlertCandidate;
      const severity = group.reduce<Severity>(
        (worst, candidate) =>
          SEVERITY_RANK[candidate.severity] > SEVERITY_RANK[worst] ? candidate.severity : worst,
        first.severity,
      );
      const alert = existing.get(key);
      const evidence = mergeEvidence(
        alert?.evidence_seqs ?? [],
        group.flatMap((candidate) => candidate.evidence),
      );
      if (alert) {
        await repository.addHits(trx, alert.id, {
          lastSeq: Math.max(alert.last_seq, last.seq),
          lastEventAt: new Date(Math.max(alert.last_event_at.getTime(), last.at)),
          evidence,
          hits: group.length,
          details: last.details,
        });
        updated.push(alert.id);
        continue;
      }
      const id = randomUUID();
      await repository.insertAlert(trx, {
        id,
        rule_id: first.ruleId,
        severity,
        actor_type: first.actor.type,
        actor_id: first.actor.id,
        actor_role: first.actor.role,
        dedup_key: key,
        window_start: first.windowStart,
        first_seq: first.seq,
        last_seq: last.seq,
        first_event_at: new Date(first.at),
        last_event_at: new Date(last.at),
        evidence_seqs: evidence,
        hit_count: group.length,
        details: last.details,
        honeytoken_id: first.honeytokenId,
      });
      await this.#options.audit.record(trx, {
        actor: SYSTEM_ACTOR,
        action: 'detection.alert.raised',
        resource: { type: 'detection-alert', id },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: null,
        details: { rule: first.ruleId, severity, firstSeq: first.seq },
      });
      await this.#notifyOfficers(trx, officers, { id, rule: first.ruleId, severity });
      raised.push(id);
    }
    return { raised, updated };
  }

  async #notifyOfficers(
    trx: Db,
    officers: readonly string[],
    alert: { id: string; rule: RuleId; severity: Severity },
  ): Promise<void> {
    const notifications = this.#options.notifications;
    if (!notifications) return;
    for (const officer of officers) {
      for (const channel of ['in-app', 'email'] as const) {
        await notifications.enqueue(trx, {
          recipient: { kind: 'staff', id: officer },
          channel,
          template: 'detection.alert',
          params: { rule: alert.rule, severity: alert.severity, link: `/detection/alerts/${alert.id}` },
          dedupeKey: `detection-alert:${alert.id}:${officer}:${channel}`,
        });
      }
    }
  }

  async #securityOfficers(): Promise<string[]> {
    const now = Date.now();
    if (this.#officers && now - this.#officers.at < OFFICER_CACHE_MS) return this.#officers.ids;
    const users = await this.#options.staff.listUsers();
    const ids = users
      .filter((user) => user.role === 'security_officer' && user.status === 'active')
      .map((user) => user.id);
    this.#officers = { ids, at: now };
    return ids;
  }

  /** How far the engine has come: the last evaluated seq and the log's last seq. */
  async progress(): Promise<{ evaluatedUpTo: number; logHead: number; lag: number }> {
    const [evaluatedUpTo, logHead] = await Promise.all([
      repository.readCursor(this.#db),
      repository.lastLogSeq(this.#db),
    ]);
    return { evaluatedUpTo, logHead, lag: Math.max(logHead - evaluatedUpTo, 0) };
  }

  // ---- alerts -----------------------------------------------------------------------------------------

  async listAlerts(
    filter: repository.AlertFilter,
    page: { limit: number; offset: number },
  ): Promise<{ items: AlertView[]; total: number }> {
    const { rows, total } = await repository.listAlertRows(this.#db, filter, {
      limit: Math.min(Math.max(page.limit, 1), 200),
      offset: Math.max(page.offset, 0),
    });
    return { items: rows.map(toAlertView), total };
  }

  /** One alert with the audit events that make its case. */
  async getAlert(id: string): Promise<AlertDetail> {
    const row = await repository.findAlert(this.#db, id);
    if (!row) throw new DomainError('not-found', 'No such alert.');
    const evidence = await repository.eventsBySeq(this.#db, row.evidence_seqs);
    return { ...toAlertView(row), evidence: evidence.map(({ seq, event }) => toEvidenceView(seq, event)) };
  }

  async acknowledge(context: RequestContext, id: string): Promise<AlertView> {
    const userId = staffIdOf(context);
    return this.#change(context, id, 'detection.alert.acknowledged', (alert) => {
      if (alert.status !== 'open') throw new DomainError('conflict', 'Only an open alert is acknowledged.');
      return { change: { status: 'acknowledged', acknowledged_at: this.#now(), acknowledged_by: userId } };
    });
  }

  async dismiss(context: RequestContext, id: string, reason: string): Promise<AlertView> {
    const userId = staffIdOf(context);
    const trimmed = reason.trim();
    if (trimmed.length < 5 || trimmed.length > 1000)
      throw new DomainError('reason-required', 'Dismissing an alert needs a reason of 5 to 1000 characters.');
    return this.#change(context, id, 'detection.alert.dismissed', (alert) => {
      if (alert.status !== 'open' && alert.status !== 'acknowledged')
        throw new DomainError('conflict', 'Only an open or acknowledged alert is dismissed.');
      return {
        change: {
          status: 'dismissed',
          dismissed_at: this.#now(),
          dismissed_by: userId,
          dismiss_reason: trimmed,
        },
        // The reason is the officer's own text: its length goes to the log, the text stays on the alert.
        details: { reasonLength: trimmed.length },
      };
    });
  }

  /** Assigns an alert to a security officer (or to nobody, with null). */
  async assign(context: RequestContext, id: string, assigneeId: string | null): Promise<AlertView> {
    staffIdOf(context);
    if (assigneeId !== null) {
      const users = await this.#options.staff.listUsers();
      const assignee = users.find((user) => user.id === assigneeId);
      if (assignee?.role !== 'security_officer' || assignee.status !== 'active')
        throw new DomainError('bad-request', 'Alerts are assigned to active security officers.');
    }
    return this.#change(context, id, 'detection.alert.assigned', (alert) => {
      if (alert.status === 'dismissed')
        throw new DomainError('conflict', 'A dismissed alert is not assigned.');
      return { change: { assignee_id: assigneeId }, details: { assignee: assigneeId ?? 'none' } };
    });
  }

  /**
   * Marks an alert escalated to an incident, in the caller's transaction (the incidents module declares the
   * incident in it). Idempotent for the same incident; refused for a dismissed alert or another incident.
   */
  async markEscalated(db: Db, alertId: string, incidentId: string, actor: AuditActor): Promise<AlertView> {
    const alert = await repository.findAlert(db, alertId, { lock: true });
    if (!alert) throw new DomainError('not-found', 'No such alert.');
    if (alert.status === 'escalated') {
      if (alert.incident_id === incidentId) return toAlertView(alert);
      throw new DomainError('conflict', 'The alert is escalated to another incident.');
    }
    if (alert.status === 'dismissed')
      throw new DomainError('conflict', 'A dismissed alert is not escalated.');
    await repository.updateAlert(db, alertId, {
      status: 'escalated',
      escalated_at: this.#now(),
      escalated_by: actor.type === 'staff' ? actor.id : null,
      incident_id: incidentId,
    });
    await this.#options.audit.record(db, {
      actor,
      action: 'detection.alert.escalated',
      resource: { type: 'detection-alert', id: alertId },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: null,
      details: { incident: incidentId, rule: alert.rule_id },
    });
    return toAlertView((await repository.findAlert(db, alertId)) as repository.AlertRow);
  }

  async #change(
    context: RequestContext,
    id: string,
    action: string,
    decide: (alert: repository.AlertRow) => {
      change: Parameters<typeof repository.updateAlert>[2];
      details?: AuditEventInput['details'];
    },
  ): Promise<AlertView> {
    return this.#db.transaction().execute(async (trx) => {
      const alert = await repository.findAlert(trx, id, { lock: true });
      if (!alert) throw new DomainError('not-found', 'No such alert.');
      const { change, details } = decide(alert);
      await repository.updateAlert(trx, id, change);
      await this.#record(
        trx,
        context,
        action,
        { type: 'detection-alert', id },
        { rule: alert.rule_id, ...details },
      );
      return toAlertView((await repository.findAlert(trx, id)) as repository.AlertRow);
    });
  }

  async #record(
    db: Db,
    context: RequestContext,
    action: string,
    resource: { type: string; id: string | null },
    details?: AuditEventInput['details'],
  ): Promise<void> {
    await this.#options.audit.record(db, {
      actor: auditActorOf(context),
      action,
      resource,
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: context.requestId,
      ...(details ? { details } : {}),
    });
  }

  // ---- the risk view (S13.4, S13.5) -------------------------------------------------------------------

  async riskSummary(options: { hours?: number } = {}): Promise<RiskSummary> {
    const hours = Math.min(Math.max(Math.trunc(options.hours ?? 24), 1), 24 * 14);
    const now = this.#now();
    const since = new Date(now.getTime() - hours * 3_600_000);
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
    const rules = await this.listRules();
    const users = await this.#options.staff.listUsers();
    const roleOf = new Map(users.map((user) => [user.id, user.role as string]));
    const [volume, counts, byActor, progress] = await Promise.all([
      repository.accessVolumeByHour(this.#db, since),
      repository.alertCounts(this.#db, since),
      repository.alertsByActor(this.#db, weekAgo),
      this.progress(),
    ]);
    const alertsByRule = new Map<string, { ruleId: string; severity: string; count: number }>();
    const alertsBySeverity = new Map<string, number>(SEVERITIES.map((severity) => [severity, 0]));
    let openAlerts = 0;
    for (const row of counts) {
      const key = `${row.ruleId}:${row.severity}`;
      const entry = alertsByRule.get(key) ?? { ruleId: row.ruleId, severity: row.severity, count: 0 };
      entry.count += row.count;
      alertsByRule.set(key, entry);
      alertsBySeverity.set(row.severity, (alertsBySeverity.get(row.severity) ?? 0) + row.count);
      if (row.status === 'open') openAlerts += row.count;
    }
    const scores = new Map<string, RiskSummary['riskiestUsers'][number]>();
    for (const row of byActor) {
      const entry = scores.get(row.actorId) ?? {
        actorId: row.actorId,
        role: roleOf.get(row.actorId) ?? row.actorRole,
        score: 0,
        alerts: 0,
        critical: 0,
        lastAlertAt: row.lastAt,
      };
      entry.score += SEVERITY_WEIGHT[row.severity as Severity] * row.count;
      entry.alerts += row.count;
      if (row.severity === 'critical') entry.critical += row.count;
      if (row.lastAt > entry.lastAlertAt) entry.lastAlertAt = row.lastAt;
      scores.set(row.actorId, entry);
    }

    // Early warning: who is at half or more of a rule's limit in its current window.
    const earlyWarnings: RiskSummary['earlyWarnings'] = [];
    const gauges = [
      { gauge: 'bulk-access' as const, value: (row: { subjects: number }) => row.subjects },
      { gauge: 'unmask-spike' as const, value: (row: { unmasks: number }) => row.unmasks },
      { gauge: 'repeated-denials' as const, value: (row: { denials: number }) => row.denials },
    ];
    const activityByWindow = new Map<number, Promise<Awaited<ReturnType<typeof repository.activitySince>>>>();
    for (const { gauge, value } of gauges) {
      const settings = rules.find((rule) => rule.id === gauge);
      if (!settings?.enabled) continue;
      let activity = activityByWindow.get(settings.windowMinutes);
      if (!activity) {
        activity = repository.activitySince(
          this.#db,
          new Date(now.getTime() - settings.windowMinutes * 60_000),
        );
        activityByWindow.set(settings.windowMinutes, activity);
      }
      for (const row of await activity) {
        const role = roleOf.get(row.actorId) ?? null;
        const limit =
          settings.id === 'repeated-denials'
            ? settings.thresholds.maxDenials
            : limitFor(
                settings.thresholds as { defaultLimit: number; limits: Partial<Record<StaffRole, number>> },
                role,
              );
        const measured = value(row);
        if (measured > 0 && measured >= limit / 2)
          earlyWarnings.push({
            actorId: row.actorId,
            role,
            gauge,
            value: measured,
            limit,
            ratio: measured / limit,
          });
      }
    }
    earlyWarnings.sort((a, b) => b.ratio - a.ratio);

    return {
      generatedAt: now,
      hours,
      volume,
      alertsByRule: [...alertsByRule.values()].sort((a, b) => b.count - a.count),
      alertsBySeverity: [...alertsBySeverity.entries()].map(([severity, count]) => ({ severity, count })),
      openAlerts,
      riskiestUsers: [...scores.values()].sort((a, b) => b.score - a.score).slice(0, 10),
      earlyWarnings: earlyWarnings.slice(0, 20),
      engine: progress,
    };
  }
}

function staffIdOf(context: RequestContext): string {
  const principal = context.principal;
  if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
  return principal.userId;
}

/** Evidence seqs: the union, in order, the earliest MAX_EVIDENCE (the start of the case). */
function mergeEvidence(current: readonly number[], added: readonly number[]): number[] {
  return [...new Set([...current, ...added])].sort((a, b) => a - b).slice(0, MAX_EVIDENCE);
}

function toAlertView(row: repository.AlertRow): AlertView {
  return {
    id: row.id,
    ruleId: row.rule_id,
    severity: row.severity,
    status: row.status,
    actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role },
    windowStart: row.window_start,
    firstSeq: row.first_seq,
    lastSeq: row.last_seq,
    firstEventAt: row.first_event_at,
    lastEventAt: row.last_event_at,
    evidenceSeqs: row.evidence_seqs,
    hitCount: row.hit_count,
    details: row.details,
    honeytokenId: row.honeytoken_id,
    assigneeId: row.assignee_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    dismissedAt: row.dismissed_at,
    dismissedBy: row.dismissed_by,
    dismissReason: row.dismiss_reason,
    escalatedAt: row.escalated_at,
    escalatedBy: row.escalated_by,
    incidentId: row.incident_id,
  };
}

function toEvidenceView(seq: number, event: CanonicalEvent): EvidenceView {
  return {
    seq,
    at: event.ts,
    actor: { type: event.actor.type, id: event.actor.id, role: event.actor.role, ip: event.actor.ip },
    action: event.action,
    resource: event.resource,
    dataSubjectId: event.dataSubjectId,
    fields: event.fields,
    purpose: event.purpose,
    outcome: event.outcome,
    details: event.details,
  };
}
