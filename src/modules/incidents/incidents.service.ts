import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf, type RequestContext, type StaffLikePrincipal } from '../access/principal.js';
import type { StaffRole } from '../access/roles.js';
import type { AuditActor, AuditRecorder } from '../audit/audit-event.js';
import { forensicEvents } from '../audit/audit-exposures.js';
import type { CanonicalEvent } from '../audit/canonical-event.js';
import type { DataCategory, LocalizedLabel } from '../vault/personal-data-catalogue.js';
import {
  categoryOf,
  criteriaFromJson,
  criteriaToJson,
  fieldCategories,
  isSensitiveField,
  type ScopeCriteria,
  type ScopeSummary,
  sealExport,
  sensitiveFields,
  summariseScope,
  toExposureCriteria,
} from './blast-radius.js';
import {
  INCIDENT_KIND_LABELS,
  type Playbook,
  type PlaybookInput,
  shippedPlaybook,
} from './incident-playbooks.js';
import {
  assessSeverity,
  CN_GRADES,
  type CnGrade,
  type ImpactRatings,
  isImpactRatings,
  NO_IMPACT,
  type SeverityAssessment,
} from './incident-severity.js';
import * as repository from './incidents.repository.js';
import {
  type ContainmentKind,
  type ContainmentState,
  INCIDENT_KINDS,
  type IncidentKind,
  type IncidentState,
  type NotificationDecision,
  type TaskSource,
  type TaskState,
} from './incidents.tables.js';

/**
 * Incidents (S2.5, S4.1, S4.5): the breach register, the state machine from declaration to the closing
 * review, severity on the five S1 dimensions with the Chinese grading, playbooks instantiated as tasks, the
 * timeline of everything done, and the blast radius saved as scope versions.
 *
 * Every change writes a timeline entry and an audit event (`incident.*`) in its own transaction.
 * SECURITY: nothing here reads personal data values. Subjects are internal ids, fields catalogue ids; the
 * one place that shows names (`scopeSubjects` with a name directory) reads them masked through the vault.
 */
type Db = Kysely<Database>;

export type IncidentCaller = { context: RequestContext };

/**
 * The detection module's side of escalation (`DetectionService.markEscalated`), passed in by the server
 * once that module exists: declaring an incident from an alert marks the alert escalated in the same
 * transaction.
 */
export interface AlertEscalation {
  markEscalated(db: Db, alertId: string, incidentId: string, actor: AuditActor): Promise<void>;
}

/** Masked names of customers for the affected list (the claims module's customer service provides it). */
export interface SubjectNameDirectory {
  maskedNames(
    db: Db,
    subjectIds: readonly string[],
    access: { actor: AuditActor; requestId: string | null },
  ): Promise<Map<string, string>>;
}

/**
 * The regulatory-reports module's side (S4.4): after every change that can alter which regimes apply or
 * their deadlines (declaration, scope, state), the applicable reports are opened in the same transaction.
 */
export interface ReportAssessment {
  assess(db: Db, incidentId: string): Promise<unknown>;
}

/**
 * Detection's decoys (S2.3): honeytoken customers are nobody, so a blast radius leaves them out of the people
 * affected (no notice, no report count) and says how many were touched instead: that is evidence, not harm.
 */
export interface DecoySubjects {
  decoySubjectIds(db: Db): Promise<string[]>;
}

export type IncidentsServiceOptions = {
  /** Detection's escalation hook. */
  alerts?: AlertEscalation;
  decoys?: DecoySubjects;
  /** Opens the reports to regulators that the incident's facts call for. */
  reports?: ReportAssessment;
  /** Sequences the audit inbox before a blast radius is computed, so it sees every committed event. */
  auditLog?: { flush(): Promise<unknown> };
  names?: SubjectNameDirectory;
  now?: () => Date;
};

/** Which move is allowed from where (S2.5). Closing early (a false alarm) needs a reason. */
export const INCIDENT_TRANSITIONS: Record<IncidentState, readonly IncidentState[]> = {
  declared: ['investigating', 'closed'],
  investigating: ['contained', 'closed'],
  contained: ['notifying', 'remediating'],
  notifying: ['remediating'],
  remediating: ['closed'],
  closed: [],
};

export type IncidentSummary = {
  id: string;
  reference: string;
  title: string;
  kind: IncidentKind;
  isDrill: boolean;
  state: IncidentState;
  declaredAt: Date;
  detectedAt: Date;
  containedAt: Date | null;
  closedAt: Date | null;
  notification: {
    decision: NotificationDecision;
    reasons: string;
    decidedBy: string | null;
    decidedAt: Date | null;
  };
  severity: { level: SeverityAssessment['level']; grade: SeverityAssessment['grade']; subjects: number };
};

export type TaskView = {
  id: string;
  source: TaskSource;
  stepKey: string | null;
  title: LocalizedLabel;
  ownerRole: string;
  ownerId: string | null;
  dueAt: Date | null;
  state: TaskState;
  evidence: string;
  doneBy: string | null;
  doneAt: Date | null;
  overdue: boolean;
};

export type ContainmentView = {
  id: string;
  kind: ContainmentKind;
  target: Record<string, string | number | boolean | null>;
  result: Record<string, string | number | boolean | null>;
  simulated: boolean;
  reversible: boolean;
  state: ContainmentState;
  takenBy: string;
  takenAt: Date;
  reversalRequestedBy: string | null;
  reversalRequestedAt: Date | null;
  reversalReason: string | null;
  reversedBy: string | null;
  reversedAt: Date | null;
};

export type ScopeView = {
  version: number;
  criteria: ReturnType<typeof criteriaToJson>;
  summary: ScopeSummary;
  subjects: number;
  events: number;
  computedMs: number;
  createdBy: string;
  createdAt: Date;
};

export type ReviewView = {
  cause: string;
  whatWorked: string;
  lessons: string;
  followUps: { title: string; ownerRole: string; dueAt: string | null }[];
  recordedBy: string;
  recordedAt: Date;
};

export type TimelineEntry = {
  id: number;
  at: Date;
  actor: { type: string; id: string | null; role: string | null };
  entry: string;
  details: Record<string, string | number | boolean | null>;
};

export type IncidentDetail = IncidentSummary & {
  summary: string;
  sourceAlertId: string | null;
  declaredBy: string;
  startedAt: Date | null;
  impact: ImpactRatings;
  estimatedSubjects: number | null;
  /** The grade the officer raised the computed one to, and why (null: as computed). */
  raisedGrade: { grade: CnGrade; reason: string } | null;
  playbookVersion: number;
  version: number;
  assessment: SeverityAssessment;
  tasks: TaskView[];
  containment: ContainmentView[];
  scopes: { version: number; subjects: number; events: number; createdAt: Date; createdBy: string }[];
  review: ReviewView | null;
  allowedTransitions: { to: IncidentState; blockers: string[] }[];
};

/**
 * What the regulatory-reports module needs of an incident to pre-fill a report (issue section 6).
 * SECURITY: counts, categories, codes and staff ids only.
 */
export type IncidentFacts = {
  id: string;
  reference: string;
  title: string;
  kind: IncidentKind;
  kindLabel: LocalizedLabel;
  isDrill: boolean;
  state: IncidentState;
  declaredAt: Date;
  detectedAt: Date;
  startedAt: Date | null;
  containedAt: Date | null;
  closedAt: Date | null;
  severity: {
    impact: ImpactRatings;
    level: SeverityAssessment['level'];
    grade: SeverityAssessment['grade'];
    gradeLabel: LocalizedLabel;
    reasons: SeverityAssessment['levelReasons'];
    gradeReasons: SeverityAssessment['gradeReasons'];
  };
  affected: {
    total: number;
    source: SeverityAssessment['subjects']['source'];
    scopeVersion: number | null;
    byCategory: { category: string; subjects: number }[];
    bySensitivity: { sensitive: number; other: number };
    byField: ScopeSummary['byField'];
    sensitiveCategories: DataCategory[];
    firstExposureAt: string | null;
    lastExposureAt: string | null;
  };
  notification: { decision: NotificationDecision; reasons: string };
  measures: {
    kind: ContainmentKind;
    takenAt: Date;
    takenBy: string;
    state: ContainmentState;
    simulated: boolean;
    reversedAt: Date | null;
    result: Record<string, string | number | boolean | null>;
  }[];
  timeline: TimelineEntry[];
};

/** One affected subject of the current scope, for notices and compensation claims. */
export type AffectedSubject = {
  subjectId: string;
  fields: string[];
  unmaskedFields: string[];
  categories: string[];
  sensitive: boolean;
  events: number;
  firstAt: Date;
  lastAt: Date;
};

export const MAX_SCOPE_WINDOW_DAYS = 400;
const PAGE_MAX = 1_000;

function staffOf(caller: IncidentCaller): StaffLikePrincipal {
  const principal = caller.context.principal;
  if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
  return principal;
}

function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

export class IncidentsService {
  readonly #now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditRecorder,
    private readonly options: IncidentsServiceOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
  }

  get database(): Db {
    return this.db;
  }

  // ---- register ---------------------------------------------------------------------------------

  /** Declares an incident by hand or from an alert; its playbook becomes tasks. A drill is marked as one everywhere. */
  async declare(
    caller: IncidentCaller,
    input: {
      title: string;
      kind: IncidentKind;
      isDrill?: boolean;
      summary?: string;
      detectedAt?: Date | null;
      startedAt?: Date | null;
      impact?: ImpactRatings;
      estimatedSubjects?: number | null;
      sourceAlertId?: string | null;
    },
  ): Promise<IncidentDetail> {
    staffOf(caller);
    const now = this.#now();
    if (input.detectedAt && input.detectedAt.getTime() > now.getTime() + 60_000)
      throw new DomainError('bad-request', 'The detection time is in the future.');
    const playbook = await this.playbook(input.kind);
    const id = randomUUID();
    const actor = auditActorOf(caller.context);
    await inTransaction(this.db, async (trx) => {
      const number = await repository.nextReferenceNumber(trx);
      const reference = `${input.isDrill ? 'DRILL' : 'INC'}-${now.getUTCFullYear()}-${String(number).padStart(4, '0')}`;
      await repository.insertIncident(trx, {
        id,
        reference,
        title: input.title,
        kind: input.kind,
        is_drill: input.isDrill ?? false,
        state: 'declared',
        source_alert_id: input.sourceAlertId ?? null,
        summary: input.summary ?? '',
        declared_by: actor.id ?? 'system',
        declared_at: now,
        detected_at: input.detectedAt ?? now,
        started_at: input.startedAt ?? null,
        contained_at: null,
        closed_at: null,
        impact: { ...(input.impact ?? NO_IMPACT) },
        estimated_subjects: input.estimatedSubjects ?? null,
        notification_decided_by: null,
        notification_decided_at: null,
        playbook_version: playbook.version,
      });
      await repository.insertTasks(
        trx,
        playbook.steps.map((step, position) => ({
          id: randomUUID(),
          incident_id: id,
          source: 'playbook' as const,
          step_key: step.key,
          title: step.title,
          owner_role: step.ownerRole,
          owner_id: null,
          due_at: new Date(now.getTime() + step.dueHours * 3_600_000),
          state: 'open' as const,
          done_by: null,
          done_at: null,
          position,
          created_by: actor.id ?? 'system',
        })),
      );
      await this.log(trx, caller, id, 'declared', {
        kind: input.kind,
        drill: input.isDrill ?? false,
        playbookVersion: playbook.version,
        tasks: playbook.steps.length,
        sourceAlertId: input.sourceAlertId ?? null,
      });
      if (input.sourceAlertId) {
        // The alert is marked escalated in the declaration's transaction (server.ts wires detection in).
        await this.options.alerts?.markEscalated(trx, input.sourceAlertId, id, actor);
      }
      await this.options.reports?.assess(trx, id);
    });
    return this.detail(id);
  }

  async list(
    filter: repository.IncidentListFilter,
    page: { limit: number; offset: number },
  ): Promise<{ items: IncidentSummary[]; total: number }> {
    const { rows, total } = await repository.listIncidents(this.db, filter, {
      limit: Math.min(page.limit, 200),
      offset: page.offset,
    });
    const items: IncidentSummary[] = [];
    for (const row of rows) {
      const scope = await repository.findScope(this.db, row.id);
      items.push(this.summaryOf(row, this.assess(row, scope)));
    }
    return { items, total };
  }

  async detail(id: string): Promise<IncidentDetail> {
    const incident = await this.incident(this.db, id);
    const [tasks, containment, scopes, review] = [
      await repository.tasksOf(this.db, id),
      await repository.containmentOf(this.db, id),
      await repository.scopesOf(this.db, id),
      await repository.findReview(this.db, id),
    ];
    const latest = scopes.at(-1);
    const assessment = this.assess(incident, latest);
    const now = this.#now();
    return {
      ...this.summaryOf(incident, assessment),
      summary: incident.summary,
      sourceAlertId: incident.source_alert_id,
      declaredBy: incident.declared_by,
      startedAt: incident.started_at,
      impact: this.impactOf(incident),
      estimatedSubjects: incident.estimated_subjects,
      raisedGrade: raisedGradeOf(incident),
      playbookVersion: incident.playbook_version,
      version: incident.version,
      assessment,
      tasks: tasks.map((task) => taskView(task, now)),
      containment: containment.map(containmentView),
      scopes: scopes.map((scope) => ({
        version: scope.version,
        subjects: scope.subjects,
        events: scope.events,
        createdAt: scope.created_at,
        createdBy: scope.created_by,
      })),
      review: review ? reviewView(review) : null,
      allowedTransitions: INCIDENT_TRANSITIONS[incident.state].map((to) => ({
        to,
        blockers: transitionBlockers(incident, to, tasks, review !== undefined),
      })),
    };
  }

  /** Edits the description, the S1 impact ratings, the estimate of people affected, the start time. */
  async update(
    caller: IncidentCaller,
    id: string,
    changes: {
      title?: string;
      summary?: string;
      impact?: ImpactRatings;
      estimatedSubjects?: number | null;
      raisedGrade?: { grade: CnGrade; reason: string } | null;
      startedAt?: Date | null;
      version: number;
    },
  ): Promise<IncidentDetail> {
    staffOf(caller);
    await inTransaction(this.db, async (trx) => {
      const incident = await this.incident(trx, id, true);
      if (incident.state === 'closed') throw new DomainError('incident-state', 'The incident is closed.');
      const ok = await repository.updateIncident(
        trx,
        id,
        {
          ...(changes.title !== undefined ? { title: changes.title } : {}),
          ...(changes.summary !== undefined ? { summary: changes.summary } : {}),
          ...(changes.impact ? { impact: { ...changes.impact } } : {}),
          ...(changes.estimatedSubjects !== undefined
            ? { estimated_subjects: changes.estimatedSubjects }
            : {}),
          ...(changes.raisedGrade !== undefined
            ? {
                raised_grade: changes.raisedGrade?.grade ?? null,
                raised_grade_reason: changes.raisedGrade?.reason ?? null,
              }
            : {}),
          ...(changes.startedAt !== undefined ? { started_at: changes.startedAt } : {}),
        },
        changes.version,
      );
      if (!ok) throw new DomainError('stale-version');
      const before = this.assess(incident, await repository.findScope(trx, id));
      const after = this.assess(
        {
          ...incident,
          impact: changes.impact ?? incident.impact,
          estimated_subjects:
            changes.estimatedSubjects !== undefined ? changes.estimatedSubjects : incident.estimated_subjects,
          ...(changes.raisedGrade !== undefined
            ? {
                raised_grade: changes.raisedGrade?.grade ?? null,
                raised_grade_reason: changes.raisedGrade?.reason ?? null,
              }
            : {}),
        },
        await repository.findScope(trx, id),
      );
      const severityChanged =
        changes.impact !== undefined ||
        changes.estimatedSubjects !== undefined ||
        changes.raisedGrade !== undefined;
      await this.log(trx, caller, id, severityChanged ? 'severity-assessed' : 'updated', {
        fields: Object.keys(changes)
          .filter((key) => key !== 'version')
          .join(','),
        ...(changes.impact
          ? Object.fromEntries(Object.entries(changes.impact).map(([key, value]) => [`impact.${key}`, value]))
          : {}),
        ...(changes.estimatedSubjects !== undefined ? { estimatedSubjects: changes.estimatedSubjects } : {}),
        ...(changes.raisedGrade !== undefined ? { raisedGrade: changes.raisedGrade?.grade ?? null } : {}),
        levelBefore: before.level,
        level: after.level,
        gradeBefore: before.grade,
        grade: after.grade,
      });
      // A new grade can call for other reports (the CAC's start at 较大), so they are reassessed with it.
      if (severityChanged && after.grade !== before.grade) await this.options.reports?.assess(trx, id);
    });
    return this.detail(id);
  }

  /** Records whether affected people and authorities are notified, and why (GDPR Art. 33(5), PIPL Art. 57). */
  async decideNotification(
    caller: IncidentCaller,
    id: string,
    input: { decision: Exclude<NotificationDecision, 'undecided'>; reasons: string },
  ): Promise<IncidentDetail> {
    const principal = staffOf(caller);
    await inTransaction(this.db, async (trx) => {
      const incident = await this.incident(trx, id, true);
      if (incident.state === 'closed') throw new DomainError('incident-state', 'The incident is closed.');
      await repository.updateIncident(trx, id, {
        notification_decision: input.decision,
        notification_reasons: input.reasons,
        notification_decided_by: principal.userId,
        notification_decided_at: this.#now(),
      });
      await this.log(trx, caller, id, 'notification-decided', {
        decision: input.decision,
        previous: incident.notification_decision,
      });
    });
    return this.detail(id);
  }

  async transition(
    caller: IncidentCaller,
    id: string,
    move: { to: IncidentState; reason?: string | null; version: number },
  ): Promise<IncidentDetail> {
    staffOf(caller);
    await inTransaction(this.db, async (trx) => {
      const incident = await this.incident(trx, id, true);
      if (incident.version !== move.version) throw new DomainError('stale-version');
      if (!INCIDENT_TRANSITIONS[incident.state].includes(move.to))
        throw new DomainError(
          'incident-state',
          `An incident cannot move from ${incident.state} to ${move.to}.`,
          {
            from: incident.state,
            to: move.to,
          },
        );
      const blockers = transitionBlockers(
        incident,
        move.to,
        await repository.tasksOf(trx, id),
        (await repository.findReview(trx, id)) !== undefined,
      );
      if (blockers.length > 0)
        throw new DomainError('incident-state', `The incident cannot move to ${move.to} yet.`, { blockers });
      const early = move.to === 'closed' && incident.state !== 'remediating';
      if (early && !move.reason?.trim()) throw new DomainError('reason-required');
      const now = this.#now();
      await repository.updateIncident(trx, id, {
        state: move.to,
        ...(move.to === 'contained' ? { contained_at: now } : {}),
        ...(move.to === 'closed' ? { closed_at: now } : {}),
      });
      await this.log(trx, caller, id, 'state-changed', {
        from: incident.state,
        to: move.to,
        ...(move.reason?.trim() ? { reason: move.reason.trim().slice(0, 1000) } : {}),
      });
      // Closing opens the summaries some regimes require (CAC: within 30 days of closing).
      await this.options.reports?.assess(trx, id);
    });
    return this.detail(id);
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    await this.incident(this.db, id);
    return (await repository.timelineOf(this.db, id)).map(timelineEntry);
  }

  // ---- playbooks --------------------------------------------------------------------------------

  async playbooks(): Promise<Playbook[]> {
    const stored = new Map((await repository.latestPlaybooks(this.db)).map((row) => [row.kind, row]));
    return INCIDENT_KINDS.map((kind) => {
      const row = stored.get(kind);
      return row ? playbookOf(row) : shippedPlaybook(kind);
    });
  }

  async playbook(kind: IncidentKind, version?: number): Promise<Playbook> {
    if (version === 0) return shippedPlaybook(kind);
    const row = await repository.playbookVersion(this.db, kind, version);
    if (!row) {
      if (version !== undefined) throw new DomainError('not-found', 'No such playbook version.');
      return shippedPlaybook(kind);
    }
    return playbookOf(row);
  }

  /**
   * Every version of a playbook, newest first, ending with the shipped version 0 (S2.5, issue 5 §2): what
   * the console's playbook page shows as history, and what an incident declared under an old version ran.
   */
  async playbookHistory(kind: IncidentKind): Promise<Playbook[]> {
    const rows = await repository.playbookVersions(this.db, kind);
    return [...rows.map(playbookOf), shippedPlaybook(kind)];
  }

  /** Saves a new version of a playbook; incidents already declared keep theirs. */
  async savePlaybook(caller: IncidentCaller, kind: IncidentKind, input: PlaybookInput): Promise<Playbook> {
    const principal = staffOf(caller);
    await inTransaction(this.db, async (trx) => {
      const current = await repository.playbookVersion(trx, kind);
      const version = (current?.version ?? 0) + 1;
      await repository.insertPlaybook(trx, {
        kind,
        version,
        labels: input.labels,
        steps: input.steps,
        updated_by: principal.userId,
      });
      await this.audit.record(trx, {
        actor: auditActorOf(caller.context),
        action: 'incident.playbook-saved',
        resource: { type: 'incident-playbook', id: kind },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: caller.context.requestId,
        details: { version, steps: input.steps.length },
      });
    });
    return this.playbook(kind);
  }

  // ---- tasks and remediation (S4.5) -------------------------------------------------------------

  async addTask(
    caller: IncidentCaller,
    id: string,
    input: {
      title: string;
      source: Extract<TaskSource, 'remedial' | 'regulator'>;
      ownerRole: StaffRole;
      ownerId?: string | null;
      dueAt?: Date | null;
    },
  ): Promise<TaskView> {
    const principal = staffOf(caller);
    const taskId = randomUUID();
    await inTransaction(this.db, async (trx) => {
      const incident = await this.incident(trx, id, true);
      if (incident.state === 'closed') throw new DomainError('incident-state', 'The incident is closed.');
      await repository.insertTasks(trx, [
        {
          id: taskId,
          incident_id: id,
          source: input.source,
          step_key: null,
          title: { 'zh-CN': input.title, 'en-US': input.title },
          owner_role: input.ownerRole,
          owner_id: input.ownerId ?? null,
          due_at: input.dueAt ?? null,
          state: 'open',
          done_by: null,
          done_at: null,
          position: await repository.nextTaskPosition(trx, id),
          created_by: principal.userId,
        },
      ]);
      await this.log(trx, caller, id, 'task-added', {
        taskId,
        source: input.source,
        ownerRole: input.ownerRole,
      });
    });
    return this.task(id, taskId);
  }

  /** Completes, cancels or reassigns a task; completing needs evidence (what was done, where it is kept). */
  async updateTask(
    caller: IncidentCaller,
    id: string,
    taskId: string,
    changes: { state?: TaskState; evidence?: string; ownerId?: string | null; dueAt?: Date | null },
  ): Promise<TaskView> {
    const principal = staffOf(caller);
    await inTransaction(this.db, async (trx) => {
      await this.incident(trx, id, true);
      const task = await repository.findTask(trx, id, taskId);
      if (!task) throw new DomainError('not-found', 'No such task.');
      const evidence = changes.evidence ?? task.evidence;
      if (changes.state === 'done' && !evidence.trim())
        throw new DomainError('reason-required', 'Completing a task needs an evidence note.');
      const now = this.#now();
      await repository.updateTask(trx, taskId, {
        ...(changes.evidence !== undefined ? { evidence: changes.evidence } : {}),
        ...(changes.ownerId !== undefined ? { owner_id: changes.ownerId } : {}),
        ...(changes.dueAt !== undefined ? { due_at: changes.dueAt } : {}),
        ...(changes.state !== undefined
          ? {
              state: changes.state,
              done_by: changes.state === 'open' ? null : principal.userId,
              done_at: changes.state === 'open' ? null : now,
            }
          : {}),
      });
      await this.log(trx, caller, id, 'task-updated', {
        taskId,
        ...(changes.state ? { from: task.state, to: changes.state } : {}),
        evidence: changes.evidence !== undefined,
      });
    });
    return this.task(id, taskId);
  }

  /** The closing review (S4.5); its follow-up actions become follow-up tasks. Recording it again replaces it. */
  async recordReview(
    caller: IncidentCaller,
    id: string,
    input: {
      cause: string;
      whatWorked: string;
      lessons: string;
      followUps: { title: string; ownerRole: StaffRole; dueAt: Date | null }[];
    },
  ): Promise<IncidentDetail> {
    const principal = staffOf(caller);
    await inTransaction(this.db, async (trx) => {
      const incident = await this.incident(trx, id, true);
      if (
        incident.state !== 'remediating' &&
        incident.state !== 'notifying' &&
        incident.state !== 'contained'
      )
        throw new DomainError('incident-state', 'The closing review follows containment.');
      const replaced = (await repository.findReview(trx, id)) !== undefined;
      await repository.upsertReview(trx, {
        incident_id: id,
        cause: input.cause,
        what_worked: input.whatWorked,
        lessons: input.lessons,
        follow_ups: input.followUps.map((entry) => ({ ...entry, dueAt: entry.dueAt?.toISOString() ?? null })),
        recorded_by: principal.userId,
        recorded_at: this.#now(),
      });
      if (!replaced) {
        let position = await repository.nextTaskPosition(trx, id);
        await repository.insertTasks(
          trx,
          input.followUps.map((entry) => ({
            id: randomUUID(),
            incident_id: id,
            source: 'follow-up' as const,
            step_key: null,
            title: { 'zh-CN': entry.title, 'en-US': entry.title },
            owner_role: entry.ownerRole,
            owner_id: null,
            due_at: entry.dueAt,
            state: 'open' as const,
            done_by: null,
            done_at: null,
            position: position++,
            created_by: principal.userId,
          })),
        );
      }
      await this.log(trx, caller, id, 'review-recorded', { followUps: input.followUps.length, replaced });
    });
    return this.detail(id);
  }

  // ---- blast radius (S4.1) ----------------------------------------------------------------------

  /**
   * Computes the blast radius from the audit log and saves it as the incident's next scope version (the
   * earlier versions stay as they were). The audit inbox is sequenced first, so every committed event counts.
   */
  async computeScope(caller: IncidentCaller, id: string, criteria: ScopeCriteria): Promise<ScopeView> {
    const principal = staffOf(caller);
    checkCriteria(criteria);
    await this.options.auditLog?.flush();
    const version = await inTransaction(this.db, async (trx) => {
      const incident = await this.incident(trx, id, true);
      if (incident.state === 'closed') throw new DomainError('incident-state', 'The incident is closed.');
      const started = performance.now();
      const next = (await repository.lockIncidentScopes(trx, id)) + 1;
      await repository.insertScope(trx, {
        incident_id: id,
        version: next,
        criteria: criteriaToJson(criteria),
        summary: {},
        subjects: 0,
        events: 0,
        computed_ms: 0,
        created_by: principal.userId,
      });
      await repository.insertScopeSubjects(trx, id, next, toExposureCriteria(criteria));
      const decoys = (await this.options.decoys?.decoySubjectIds(trx)) ?? [];
      const decoySubjects = await repository.deleteScopeSubjects(trx, id, next, decoys);
      const summary = {
        ...summariseScope(await repository.scopeCounts(trx, id, next, fieldCategories(), sensitiveFields())),
        decoySubjects,
      };
      const computedMs = Math.round(performance.now() - started);
      await repository.updateScopeTotals(trx, id, next, {
        summary,
        subjects: summary.subjects,
        events: summary.events,
        computed_ms: computedMs,
      });
      await this.log(trx, caller, id, 'scope-saved', {
        version: next,
        subjects: summary.subjects,
        events: summary.events,
        sensitiveSubjects: summary.sensitiveSubjects,
        decoySubjects,
        users: criteria.userIds.length,
        apiTokens: criteria.apiTokenIds.length,
        sessions: criteria.sessionIds.length,
        ipAddresses: criteria.ipAddresses.length,
        resources: criteria.resources.length,
        from: criteria.from.toISOString(),
        to: criteria.to.toISOString(),
        computedMs,
      });
      // A wider scope can bring a regime into play (more people, a sensitive category).
      await this.options.reports?.assess(trx, id);
      return next;
    });
    return this.scope(id, version);
  }

  async scopes(id: string): Promise<ScopeView[]> {
    await this.incident(this.db, id);
    return (await repository.scopesOf(this.db, id)).map(scopeView);
  }

  /** A saved scope version; the latest when `version` is absent. */
  async scope(id: string, version?: number): Promise<ScopeView> {
    await this.incident(this.db, id);
    const scope = await repository.findScope(this.db, id, version);
    if (!scope) throw new DomainError('not-found', 'No such scope version.');
    return scopeView(scope);
  }

  /**
   * A page of a scope's affected subjects for the console: ids, exposed fields and categories, and the
   * name masked (read through the vault with purpose incident-response, hence audited).
   */
  async scopeSubjects(
    caller: IncidentCaller,
    id: string,
    version: number,
    page: { after: string | null; limit: number },
    options: { withNames: boolean } = { withNames: true },
  ): Promise<{ items: (AffectedSubject & { maskedName: string | null })[]; nextCursor: string | null }> {
    await this.scope(id, version);
    const limit = Math.min(page.limit, 200);
    const rows = await repository.scopeSubjectsPage(this.db, id, version, { after: page.after, limit });
    let names = new Map<string, string>();
    if (options.withNames && this.options.names && rows.length > 0) {
      try {
        names = await this.options.names.maskedNames(
          this.db,
          rows.map((row) => row.subject_id),
          { actor: auditActorOf(caller.context), requestId: caller.context.requestId },
        );
      } catch {
        // A shredded or non-customer subject must not hide the list; the ids and fields still show.
        names = new Map();
      }
    }
    return {
      items: rows.map((row) => ({ ...affectedOf(row), maskedName: names.get(row.subject_id) ?? null })),
      nextCursor: rows.length === limit ? (rows.at(-1)?.subject_id ?? null) : null,
    };
  }

  /** The forensic timeline of a scope version: every event of its actors and resources in its window. */
  async forensicTimeline(
    id: string,
    version: number,
    page: { afterSeq: number | null; limit: number },
  ): Promise<{ items: CanonicalEvent[]; nextCursor: number | null }> {
    const scope = await this.scope(id, version);
    const limit = Math.min(page.limit, PAGE_MAX);
    const items = await forensicEvents(this.db, toExposureCriteria(criteriaFromJson(scope.criteria)), {
      afterSeq: page.afterSeq,
      limit,
    });
    return { items, nextCursor: items.length === limit ? (items.at(-1)?.seq ?? null) : null };
  }

  /**
   * The affected list of a scope version as an encrypted file (AES-256-GCM under a key derived from the
   * officer's password with scrypt; see blast-radius.ts). Streams; recorded in the timeline and the audit log.
   */
  async exportScope(
    caller: IncidentCaller,
    id: string,
    version: number,
    password: string,
  ): Promise<{ fileName: string; chunks: AsyncIterable<Buffer>; subjects: number }> {
    const principal = staffOf(caller);
    const scope = await this.scope(id, version);
    const incident = await this.incident(this.db, id);
    await inTransaction(this.db, async (trx) => {
      await this.log(trx, caller, id, 'scope-exported', {
        version,
        subjects: scope.subjects,
        format: 'jsonl+aes-256-gcm',
      });
    });
    const self = this;
    async function* records(): AsyncGenerator<AffectedSubject> {
      for await (const page of self.streamAffectedSubjects(self.db, id, { version, pageSize: 1_000 }))
        yield* page;
    }
    return {
      fileName: `${incident.reference}-scope-v${version}.cgexport`,
      subjects: scope.subjects,
      chunks: sealExport(
        password,
        {
          incident: incident.reference,
          scopeVersion: version,
          subjects: scope.subjects,
          createdAt: this.#now().toISOString(),
          createdBy: principal.userId,
        },
        records(),
      ),
    };
  }

  /**
   * The affected subjects of an incident's current (latest) scope version, one page at a time in subject id
   * order (keyset): for customer notices (S4.2) and compensation claims. `after` is the last subject id of
   * the previous page.
   */
  async affectedSubjects(
    db: Db,
    incidentId: string,
    page: { after: string | null; limit: number; version?: number },
  ): Promise<{ version: number | null; items: AffectedSubject[]; nextCursor: string | null }> {
    const scope = await repository.findScope(db, incidentId, page.version);
    if (!scope) return { version: null, items: [], nextCursor: null };
    const limit = Math.min(Math.max(page.limit, 1), 10_000);
    const rows = await repository.scopeSubjectsPage(db, incidentId, scope.version, {
      after: page.after,
      limit,
    });
    return {
      version: scope.version,
      items: rows.map(affectedOf),
      nextCursor: rows.length === limit ? (rows.at(-1)?.subject_id ?? null) : null,
    };
  }

  /**
   * One subject of the current scope version, or null when they are not in it: the categories of their
   * exposed data, for a compensation claim (issue 5 section 8).
   */
  async affectedSubject(db: Db, incidentId: string, subjectId: string): Promise<AffectedSubject | null> {
    const scope = await repository.findScope(db, incidentId);
    if (!scope) return null;
    const row = await repository.scopeSubject(db, incidentId, scope.version, subjectId);
    return row ? affectedOf(row) : null;
  }

  /** How many subjects the current scope version holds (0 before a scope is computed). */
  async affectedCount(db: Db, incidentId: string): Promise<number> {
    const scope = await repository.findScope(db, incidentId);
    return scope ? Number(scope.subjects) : 0;
  }

  /** Every affected subject of the current scope version, as pages, never all in memory at once. */
  async *streamAffectedSubjects(
    db: Db,
    incidentId: string,
    options: { pageSize?: number; version?: number } = {},
  ): AsyncGenerator<AffectedSubject[]> {
    const scope = await repository.findScope(db, incidentId, options.version);
    if (!scope) return;
    let after: string | null = null;
    for (;;) {
      const page = await this.affectedSubjects(db, incidentId, {
        after,
        limit: options.pageSize ?? 1_000,
        version: scope.version,
      });
      if (page.items.length > 0) yield page.items;
      if (page.nextCursor === null) return;
      after = page.nextCursor;
    }
  }

  /** The facts a regulator report is pre-filled from (issue section 6). */
  async incidentFacts(db: Db, incidentId: string): Promise<IncidentFacts> {
    const incident = await this.incident(db, incidentId);
    const scope = await repository.findScope(db, incidentId);
    const assessment = this.assess(incident, scope);
    const summary = scope ? (scope.summary as ScopeSummary) : null;
    const measures = await repository.containmentOf(db, incidentId);
    return {
      id: incident.id,
      reference: incident.reference,
      title: incident.title,
      kind: incident.kind,
      kindLabel: INCIDENT_KIND_LABELS[incident.kind],
      isDrill: incident.is_drill,
      state: incident.state,
      declaredAt: incident.declared_at,
      detectedAt: incident.detected_at,
      startedAt: incident.started_at,
      containedAt: incident.contained_at,
      closedAt: incident.closed_at,
      severity: {
        impact: assessment.impact,
        level: assessment.level,
        grade: assessment.grade,
        gradeLabel: assessment.gradeLabel,
        reasons: assessment.levelReasons,
        gradeReasons: assessment.gradeReasons,
      },
      affected: {
        total: assessment.subjects.count,
        source: assessment.subjects.source,
        scopeVersion: scope?.version ?? null,
        byCategory: summary?.byCategory ?? [],
        bySensitivity: summary?.bySensitivity ?? { sensitive: 0, other: 0 },
        byField: summary?.byField ?? [],
        sensitiveCategories: summary?.sensitiveCategories ?? [],
        firstExposureAt: summary?.firstExposureAt ?? null,
        lastExposureAt: summary?.lastExposureAt ?? null,
      },
      notification: { decision: incident.notification_decision, reasons: incident.notification_reasons },
      measures: measures.map((measure) => ({
        kind: measure.kind,
        takenAt: measure.taken_at,
        takenBy: measure.taken_by,
        state: measure.state,
        simulated: measure.simulated,
        reversedAt: measure.reversed_at,
        result: measure.result,
      })),
      timeline: (await repository.timelineOf(db, incidentId)).map(timelineEntry),
    };
  }

  // ---- shared -----------------------------------------------------------------------------------

  /** Writes a timeline entry and the matching audit event (`incident.<entry>`) in `trx`. */
  async log(
    trx: Db,
    caller: IncidentCaller,
    incidentId: string,
    entry: string,
    details: Record<string, string | number | boolean | null>,
    outcome: 'success' | 'denied' = 'success',
  ): Promise<void> {
    const actor = auditActorOf(caller.context);
    await repository.insertTimeline(trx, {
      incident_id: incidentId,
      actor_type: actor.type,
      actor_id: actor.id,
      actor_role: actor.role,
      entry,
      details,
    });
    await this.audit.record(trx, {
      actor,
      action: `incident.${entry}`,
      resource: { type: 'incident', id: incidentId },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome,
      requestId: caller.context.requestId,
      details,
    });
  }

  async incident(db: Db, id: string, lock = false): Promise<repository.IncidentRow> {
    const incident = await repository.findIncident(db, id, lock);
    if (!incident) throw new DomainError('not-found', 'No such incident.');
    return incident;
  }

  private async task(id: string, taskId: string): Promise<TaskView> {
    const task = (await repository.tasksOf(this.db, id)).find((candidate) => candidate.id === taskId);
    if (!task) throw new DomainError('not-found', 'No such task.');
    return taskView(task, this.#now());
  }

  private impactOf(incident: repository.IncidentRow): ImpactRatings {
    return isImpactRatings(incident.impact) ? incident.impact : NO_IMPACT;
  }

  private assess(
    incident: repository.IncidentRow,
    scope: repository.ScopeRow | undefined,
  ): SeverityAssessment {
    const summary = scope ? (scope.summary as ScopeSummary) : null;
    return assessSeverity({
      impact: this.impactOf(incident),
      scopeSubjects: scope ? scope.subjects : null,
      scopeVersion: scope?.version ?? null,
      estimatedSubjects: incident.estimated_subjects,
      sensitiveCategories: summary?.sensitiveCategories ?? [],
      sensitiveSubjects: summary?.sensitiveSubjects ?? 0,
      idNumbersExposed: summary?.idNumbersExposed ?? false,
      raisedGrade: raisedGradeOf(incident),
    });
  }

  private summaryOf(row: repository.IncidentRow, assessment: SeverityAssessment): IncidentSummary {
    return {
      id: row.id,
      reference: row.reference,
      title: row.title,
      kind: row.kind,
      isDrill: row.is_drill,
      state: row.state,
      declaredAt: row.declared_at,
      detectedAt: row.detected_at,
      containedAt: row.contained_at,
      closedAt: row.closed_at,
      notification: {
        decision: row.notification_decision,
        reasons: row.notification_reasons,
        decidedBy: row.notification_decided_by,
        decidedAt: row.notification_decided_at,
      },
      severity: { level: assessment.level, grade: assessment.grade, subjects: assessment.subjects.count },
    };
  }
}

/** What stops a move: codes the console translates. */
function transitionBlockers(
  incident: repository.IncidentRow,
  to: IncidentState,
  tasks: readonly repository.TaskRow[],
  reviewed: boolean,
): string[] {
  const blockers: string[] = [];
  if (to === 'notifying' && incident.notification_decision !== 'notify')
    blockers.push('notification-not-decided-notify');
  if (
    to === 'remediating' &&
    incident.state === 'contained' &&
    incident.notification_decision !== 'not-required'
  )
    blockers.push(incident.notification_decision === 'notify' ? 'notify-first' : 'notification-undecided');
  if (to === 'closed') {
    if (incident.notification_decision === 'undecided') blockers.push('notification-undecided');
    if (incident.state === 'remediating') {
      if (!reviewed) blockers.push('review-missing');
      if (tasks.some((task) => task.state === 'open' && task.source !== 'follow-up'))
        blockers.push('tasks-open');
    }
  }
  return blockers;
}

function checkCriteria(criteria: ScopeCriteria): void {
  const named =
    criteria.userIds.length +
    criteria.apiTokenIds.length +
    criteria.sessionIds.length +
    criteria.ipAddresses.length +
    criteria.resources.length;
  if (named === 0) throw new DomainError('bad-request', 'Name at least one suspect actor or resource.');
  if (!(criteria.from.getTime() < criteria.to.getTime()))
    throw new DomainError('bad-request', 'The window must end after it starts.');
  if (criteria.to.getTime() - criteria.from.getTime() > MAX_SCOPE_WINDOW_DAYS * 86_400_000)
    throw new DomainError('bad-request', `The window is at most ${MAX_SCOPE_WINDOW_DAYS} days.`);
}

function affectedOf(row: repository.ScopeSubjectRow): AffectedSubject {
  return {
    subjectId: row.subject_id,
    fields: row.fields,
    unmaskedFields: row.unmasked_fields,
    categories: [...new Set(row.fields.map(categoryOf))].sort(),
    sensitive: row.fields.some(isSensitiveField),
    events: row.events,
    firstAt: row.first_at,
    lastAt: row.last_at,
  };
}

function taskView(task: repository.TaskRow, now: Date): TaskView {
  const title = typeof task.title === 'string' ? (JSON.parse(task.title) as LocalizedLabel) : task.title;
  return {
    id: task.id,
    source: task.source,
    stepKey: task.step_key,
    title,
    ownerRole: task.owner_role,
    ownerId: task.owner_id,
    dueAt: task.due_at,
    state: task.state,
    evidence: task.evidence,
    doneBy: task.done_by,
    doneAt: task.done_at,
    overdue: task.state === 'open' && task.due_at !== null && task.due_at.getTime() < now.getTime(),
  };
}

export function containmentView(row: repository.ContainmentRow): ContainmentView {
  return {
    id: row.id,
    kind: row.kind,
    target: row.target,
    result: row.result,
    simulated: row.simulated,
    reversible: row.reversible,
    state: row.state,
    takenBy: row.taken_by,
    takenAt: row.taken_at,
    reversalRequestedBy: row.reversal_requested_by,
    reversalRequestedAt: row.reversal_requested_at,
    reversalReason: row.reversal_reason,
    reversedBy: row.reversed_by,
    reversedAt: row.reversed_at,
  };
}

function scopeView(row: repository.ScopeRow): ScopeView {
  return {
    version: row.version,
    criteria: row.criteria as ScopeView['criteria'],
    summary: row.summary as ScopeSummary,
    subjects: row.subjects,
    events: row.events,
    computedMs: row.computed_ms,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function reviewView(row: repository.ReviewRow): ReviewView {
  return {
    cause: row.cause,
    whatWorked: row.what_worked,
    lessons: row.lessons,
    followUps: row.follow_ups as ReviewView['followUps'],
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at,
  };
}

function timelineEntry(row: repository.TimelineRow): TimelineEntry {
  return {
    id: row.id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role },
    entry: row.entry,
    details: row.details,
  };
}

function playbookOf(row: repository.PlaybookRow): Playbook {
  const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return {
    kind: row.kind as IncidentKind,
    version: row.version,
    labels: parse(row.labels) as LocalizedLabel,
    steps: parse(row.steps) as Playbook['steps'],
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

function raisedGradeOf(incident: repository.IncidentRow): { grade: CnGrade; reason: string } | null {
  const grade = CN_GRADES.find((candidate) => candidate === incident.raised_grade);
  return grade ? { grade, reason: incident.raised_grade_reason ?? '' } : null;
}
