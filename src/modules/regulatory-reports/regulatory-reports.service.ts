import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import { type AuditActor, type AuditRecorder, SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { NotificationService } from '../notifications/notifications.service.js';
import {
  computeDeadline,
  type DeadlineState,
  deadlineState,
  describeCondition,
  evaluateTrigger,
  recipientsFor,
  ruleFor,
} from './applicability.js';
import { type IncidentFacts, type IncidentFactsSource, incidentFactsSchema } from './incident-facts.js';
import {
  type Localized,
  REGIME_ID,
  type Regime,
  type RegimeDefinition,
  type ReportKind,
  regimeDefinitionSchema,
} from './regime-definition.js';
import * as repository from './regulatory-reports.repository.js';
import type { ReportStatus, StoredFacts } from './regulatory-reports.tables.js';
import { buildDocument, factLines, itemsFor, missingRequired } from './report-contents.js';
import { CONTENT_TYPES, type ExportFormat, renderDocx, renderPdf } from './report-export.js';

/**
 * # Reports to regulators with deadlines (S4.4)
 *
 * - **Regimes as data** (`regime-definition.ts`, shipped in `shipped-regimes.ts`): the security officer
 *   edits them ({@link RegulatoryReportsService.updateRegime}); every edit is validated, versioned, audited.
 * - **Assessment** ({@link RegulatoryReportsService.assess}): reads the incident's facts through the
 *   {@link IncidentFactsSource}, decides which enabled regimes apply and opens each one's first report with
 *   its due time, and once the incident is closed the summary reports its regimes ask for. It is
 *   idempotent, so the incidents module calls it on declaration and again on every change that matters
 *   (new scope, containment, closing); the console offers it as "reassess".
 * - **Reports** are pre-filled from the facts, completed by a person (draft → ready → submitted, or
 *   waived with a reason), followed up by numbered updates linked to the first report, exported as PDF,
 *   DOCX or JSON in the regime's language, and their submission recorded (when, channel, reference).
 * - **Deadlines** ({@link RegulatoryReportsService.checkDeadlines}, run periodically by
 *   `RegulatoryDeadlineMonitor`): the security officers are told once when a deadline approaches (a
 *   quarter of its time left, by default) and once when it is missed, through the notification outbox.
 *
 * SECURITY: reports hold counts, categories and times, never a data subject's identity; audit events name
 * the report and the ids of the items changed, never their text. Alerts carry the regime id, the report
 * kind, the due time and a console link only.
 */
type Db = Kysely<Database>;

/** Finds the staff to alert about deadlines (the identity module, in `server.ts`). */
export interface SecurityOfficerDirectory {
  securityOfficerIds(db: Db): Promise<string[]>;
}

export type RegulatoryReportsOptions = {
  facts: IncidentFactsSource;
  audit: AuditRecorder;
  /** The outbox for deadline alerts; without one, checks still mark alerts but send nothing. */
  notifications: NotificationService | null;
  officers: SecurityOfficerDirectory;
  /** The share of a deadline's span left when the "approaching" alert goes (default 0.25). */
  warnFraction?: number;
  now?: () => Date;
};

export type ItemView = {
  id: string;
  label: Localized;
  citation: string;
  person: 'none' | 'optional' | 'required';
  /** The facts, written in the report's language. */
  facts: string[];
  text: string | null;
};

export type ReportView = {
  id: string;
  incidentId: string;
  incidentReference: string;
  regimeId: string;
  regimeVersion: number;
  regimeName: Localized;
  regimeShortName: Localized;
  kind: ReportKind;
  parentId: string | null;
  sequence: number;
  language: 'zh-CN' | 'en-US';
  isDrill: boolean;
  status: ReportStatus;
  recipients: Localized[];
  /** Whether the regime takes numbered updates of this (first) report. */
  updatesAllowed: boolean;
  deadline: {
    startsAt: Date | null;
    dueAt: Date | null;
    hours: number | null;
    toBeConfirmed: boolean;
    state: DeadlineState;
    note: Localized | null;
  };
  items: ItemView[];
  /** Required items still without a person's text. */
  missing: string[];
  waivedReason: string | null;
  submission: { at: Date; by: string | null; channel: string; reference: string | null } | null;
  factsAt: Date;
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  version: number;
};

export type RegimeAssessment = {
  regimeId: string;
  shortName: Localized;
  enabled: boolean;
  applies: boolean;
  conditions: { group: 'all' | 'any'; holds: boolean; text: Localized }[];
};

export type Assessment = { incidentId: string; regimes: RegimeAssessment[]; opened: string[] };

export type ReportUpdate = {
  expectedVersion: number;
  /** Item id → text; an empty string clears the item. Items not named are left as they are. */
  fields?: Record<string, string>;
  status?: 'draft' | 'ready';
  /** Re-read the incident's facts (and the due time that follows from them). */
  refreshFacts?: boolean;
};

export type Submission = {
  expectedVersion: number;
  submittedAt: Date;
  channel: string;
  reference: string | null;
};

export type ExportedReport = { bytes: Buffer; contentType: string; fileName: string };

const MAX_FIELD_LENGTH = 20_000;
const DEFAULT_WARN_FRACTION = 0.25;

function staffIdOf(context: RequestContext): string {
  const principal = context.principal;
  if (!principal || principal.kind === 'customer')
    throw new DomainError('forbidden', 'Only staff work on regulatory reports.');
  return principal.userId;
}

/** Facts as stored (JSON) back to their typed form. */
export function reviveFacts(stored: StoredFacts): IncidentFacts {
  const date = (value: unknown) => (value === null || value === undefined ? value : new Date(String(value)));
  const entries = (value: unknown) =>
    Array.isArray(value)
      ? value.map((entry: Record<string, unknown>) => ({ ...entry, at: date(entry.at) }))
      : value;
  return incidentFactsSchema.parse({
    ...stored,
    detectedAt: date(stored.detectedAt),
    declaredAt: date(stored.declaredAt),
    containedAt: date(stored.containedAt),
    closedAt: date(stored.closedAt),
    measures: entries(stored.measures),
    timeline: entries(stored.timeline),
  });
}

function toStored(facts: IncidentFacts): StoredFacts {
  return JSON.parse(JSON.stringify(facts)) as StoredFacts;
}

function regimeOf(row: repository.RegimeRow): Regime {
  return {
    id: row.id,
    version: row.version,
    enabled: row.enabled,
    builtin: row.builtin,
    definition: row.definition,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export class RegulatoryReportsService {
  private readonly facts: IncidentFactsSource;
  private readonly audit: AuditRecorder;
  private readonly notifications: NotificationService | null;
  private readonly officers: SecurityOfficerDirectory;
  readonly warnFraction: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: RegulatoryReportsOptions,
  ) {
    this.facts = options.facts;
    this.audit = options.audit;
    this.notifications = options.notifications;
    this.officers = options.officers;
    this.warnFraction = options.warnFraction ?? DEFAULT_WARN_FRACTION;
    this.now = options.now ?? (() => new Date());
    if (!(this.warnFraction > 0 && this.warnFraction < 1)) throw new Error('warnFraction is between 0 and 1');
  }

  // ---------------------------------------------------------------- regimes

  async listRegimes(): Promise<Regime[]> {
    return (await repository.listRegimes(this.db)).map(regimeOf);
  }

  async getRegime(id: string): Promise<Regime> {
    const row = REGIME_ID.test(id) ? await repository.findRegime(this.db, id) : undefined;
    if (!row) throw new DomainError('not-found', 'No such regime.');
    return regimeOf(row);
  }

  /** Replaces a regime's definition (validated) and whether it is used; audited. */
  async updateRegime(
    context: RequestContext,
    id: string,
    input: { definition: RegimeDefinition; enabled: boolean; expectedVersion: number },
  ): Promise<Regime> {
    const userId = staffIdOf(context);
    const parsed = regimeDefinitionSchema.safeParse(input.definition);
    if (!parsed.success)
      throw new DomainError('validation-failed', 'The regime definition does not fit the schema.', {
        errors: parsed.error.issues.map((issue) => ({
          pointer: `/${issue.path.join('/')}`,
          message: issue.message,
        })),
      });
    return this.db.transaction().execute(async (trx) => {
      const current = await repository.findRegime(trx, id);
      if (!current) throw new DomainError('not-found', 'No such regime.');
      const updated = await repository.updateRegime(trx, id, input.expectedVersion, {
        definition: parsed.data,
        enabled: input.enabled,
        updatedBy: userId,
      });
      if (!updated) throw new DomainError('stale-version');
      await this.audit.record(trx, {
        actor: auditActorOf(context),
        action: 'regulatory-regime.updated',
        resource: { type: 'regulatory-regime', id },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: context.requestId,
        details: { version: input.expectedVersion + 1, enabled: input.enabled },
      });
      return regimeOf((await repository.findRegime(trx, id)) as repository.RegimeRow);
    });
  }

  // ---------------------------------------------------------------- assessment

  private async readFacts(db: Db, incidentId: string): Promise<IncidentFacts> {
    const facts = await this.facts.incidentFacts(db, incidentId);
    const parsed = incidentFactsSchema.safeParse(facts);
    // An adapter that hands over more (or other) than the schema allows is a programming error; say so
    // without echoing what it handed over.
    if (!parsed.success) throw new DomainError('internal', 'The incident facts do not fit the reports.');
    if (parsed.data.incidentId !== incidentId)
      throw new DomainError('internal', 'The facts are of another incident.');
    return parsed.data;
  }

  /**
   * Decides which regimes apply to the incident and opens the reports they call for that are not open
   * yet: each applicable regime's first report, and its summary once the incident is closed. Idempotent.
   * `context` is null when the incidents module calls it on the system's behalf (declaration, closing);
   * it may pass its own transaction as `db`, so the reports open (or not) with the change that caused them.
   */
  async assess(
    context: RequestContext | null,
    incidentId: string,
    options: { db?: Db } = {},
  ): Promise<Assessment> {
    const actor: AuditActor = context ? auditActorOf(context) : SYSTEM_ACTOR;
    const createdBy = context ? staffIdOf(context) : null;
    const within = options.db;
    const inTransaction = <T>(work: (trx: Db) => Promise<T>): Promise<T> =>
      within?.isTransaction ? work(within) : (within ?? this.db).transaction().execute(work);
    return inTransaction(async (trx) => {
      const facts = await this.readFacts(trx, incidentId);
      const regimes = (await repository.listRegimes(trx)).map(regimeOf);
      const now = this.now();
      const opened: string[] = [];
      const assessments: RegimeAssessment[] = [];
      for (const regime of regimes) {
        const { definition } = regime;
        const decision = evaluateTrigger(definition.trigger, facts);
        assessments.push({
          regimeId: regime.id,
          shortName: definition.shortName,
          enabled: regime.enabled,
          applies: regime.enabled && decision.applies,
          conditions: decision.conditions.map((entry) => ({
            group: entry.group,
            holds: entry.holds,
            text: {
              'zh-CN': describeCondition(entry.condition, 'zh-CN'),
              'en-US': describeCondition(entry.condition, 'en-US'),
            },
          })),
        });
        if (!regime.enabled || !decision.applies) continue;
        let initial = await repository.findInitial(trx, incidentId, regime.id);
        if (!initial) {
          const id = await this.open(trx, {
            regime,
            facts,
            kind: 'initial',
            parentId: null,
            sequence: 0,
            now,
            createdBy,
            actor,
            requestId: context?.requestId ?? null,
          });
          if (id) opened.push(id);
          initial = await repository.findInitial(trx, incidentId, regime.id);
        }
        if (initial && facts.closedAt && initial.regime.summary) {
          // The summary follows the regime as the first report saw it.
          const id = await this.open(trx, {
            regime: { ...regime, version: initial.regime_version, definition: initial.regime },
            facts,
            kind: 'summary',
            parentId: initial.id,
            sequence: 0,
            now,
            createdBy,
            actor,
            requestId: context?.requestId ?? null,
          });
          if (id) opened.push(id);
        }
      }
      return { incidentId, regimes: assessments, opened };
    });
  }

  /** Opens one report; null when the incident already has it (another process opened it first). */
  private async open(
    trx: Db,
    input: {
      regime: Regime;
      facts: IncidentFacts;
      kind: ReportKind;
      parentId: string | null;
      sequence: number;
      now: Date;
      createdBy: string | null;
      actor: AuditActor;
      requestId: string | null;
    },
  ): Promise<string | null> {
    const { regime, facts, kind } = input;
    const rule = ruleFor(regime.definition, kind);
    if (!rule) throw new DomainError('conflict', 'This regime asks for no report of this kind.');
    const deadline = computeDeadline(rule, facts, input.now);
    const id = randomUUID();
    const inserted = await repository.insertReport(trx, {
      id,
      incident_id: facts.incidentId,
      incident_reference: facts.reference,
      regime_id: regime.id,
      regime_version: regime.version,
      regime: regime.definition,
      kind,
      parent_id: input.parentId,
      sequence: input.sequence,
      language: regime.definition.language,
      is_drill: facts.isDrill,
      starts_at: deadline.startsAt,
      due_at: deadline.dueAt,
      deadline_minutes: deadline.hours === null ? null : Math.round(deadline.hours * 60),
      deadline_to_be_confirmed: deadline.toBeConfirmed,
      facts: toStored(facts),
      facts_at: input.now,
      created_by: input.createdBy,
    });
    if (!inserted) return null;
    await this.audit.record(trx, {
      actor: input.actor,
      action: 'regulatory-report.opened',
      resource: { type: 'regulatory-report', id },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: input.requestId,
      details: { regime: regime.id, kind, incidentId: facts.incidentId, drill: facts.isDrill },
    });
    return id;
  }

  // ---------------------------------------------------------------- reports

  async reportsOfIncident(incidentId: string): Promise<ReportView[]> {
    const now = this.now();
    return (await repository.reportsOfIncident(this.db, incidentId)).map((row) => this.view(row, now));
  }

  async getReport(id: string): Promise<ReportView> {
    return this.view(await this.find(this.db, id), this.now());
  }

  private async find(db: Db, id: string, lock = false): Promise<repository.ReportRow> {
    const row = await repository.findReport(db, id, { lock });
    if (!row) throw new DomainError('not-found', 'No such report.');
    return row;
  }

  private view(row: repository.ReportRow, now: Date): ReportView {
    const facts = reviveFacts(row.facts);
    const definition = row.regime;
    const rule = ruleFor(definition, row.kind);
    return {
      id: row.id,
      incidentId: row.incident_id,
      incidentReference: row.incident_reference,
      regimeId: row.regime_id,
      regimeVersion: row.regime_version,
      regimeName: definition.name,
      regimeShortName: definition.shortName,
      kind: row.kind,
      parentId: row.parent_id,
      sequence: row.sequence,
      language: row.language,
      isDrill: row.is_drill,
      status: row.status,
      recipients: recipientsFor(definition, facts).map((recipient) => recipient.name),
      updatesAllowed: row.kind === 'initial' && definition.update !== null,
      deadline: {
        startsAt: row.starts_at,
        dueAt: row.due_at,
        hours: row.deadline_minutes === null ? null : row.deadline_minutes / 60,
        toBeConfirmed: row.deadline_to_be_confirmed,
        state: deadlineState(
          {
            startsAt: row.starts_at,
            dueAt: row.due_at,
            submittedAt: row.submitted_at,
            closed: row.status === 'waived',
          },
          now,
          this.warnFraction,
        ),
        note: rule?.note ?? null,
      },
      items: itemsFor(definition, row.kind).map((item) => ({
        id: item.id,
        label: item.label,
        citation: item.citation,
        person: item.person,
        facts: item.facts.flatMap((key) => factLines(key, facts, row.language)),
        text: (row.fields[item.id] ?? '').trim() || null,
      })),
      missing: missingRequired(definition, row.kind, row.fields),
      waivedReason: row.waived_reason,
      submission:
        row.submitted_at && row.submission_channel
          ? {
              at: row.submitted_at,
              by: row.submitted_by,
              channel: row.submission_channel,
              reference: row.submission_reference,
            }
          : null,
      factsAt: row.facts_at,
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
      version: row.version,
    };
  }

  /** One transaction: lock the report, check its version, apply `change`, audit, answer the new view. */
  private async change(
    context: RequestContext,
    id: string,
    expectedVersion: number,
    action: string,
    decide: (
      row: repository.ReportRow,
      trx: Db,
    ) => Promise<{
      change: repository.ReportChange;
      details: Record<string, string | number | boolean | null>;
    }>,
  ): Promise<ReportView> {
    staffIdOf(context);
    return this.db.transaction().execute(async (trx) => {
      const row = await this.find(trx, id, true);
      if (row.version !== expectedVersion) throw new DomainError('stale-version');
      const { change, details } = await decide(row, trx);
      if (!(await repository.updateReport(trx, id, expectedVersion, change)))
        throw new DomainError('stale-version');
      await this.audit.record(trx, {
        actor: auditActorOf(context),
        action,
        resource: { type: 'regulatory-report', id },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: context.requestId,
        details: { regime: row.regime_id, kind: row.kind, ...details },
      });
      return this.view(await this.find(trx, id), this.now());
    });
  }

  /**
   * Completes a report: a person's text per item, draft ⇄ ready (ready needs every required item), and
   * optionally fresh facts. A submitted or waived report is final.
   */
  async updateReport(context: RequestContext, id: string, input: ReportUpdate): Promise<ReportView> {
    return this.change(context, id, input.expectedVersion, 'regulatory-report.updated', async (row, trx) => {
      if (row.status === 'submitted' || row.status === 'waived')
        throw new DomainError(
          'conflict',
          'A submitted or waived report cannot change; open an update instead.',
        );
      const known = new Set(itemsFor(row.regime, row.kind).map((item) => item.id));
      const fields = { ...row.fields };
      const changed: string[] = [];
      for (const [itemId, value] of Object.entries(input.fields ?? {})) {
        if (!known.has(itemId))
          throw new DomainError('validation-failed', `The report has no item ${itemId.slice(0, 48)}.`);
        if (value.length > MAX_FIELD_LENGTH)
          throw new DomainError(
            'validation-failed',
            `An item's text is at most ${MAX_FIELD_LENGTH} characters.`,
          );
        if ((fields[itemId] ?? '') === value) continue;
        if (value.trim()) fields[itemId] = value;
        else delete fields[itemId];
        changed.push(itemId);
      }
      const change: repository.ReportChange = { fields };
      if (input.refreshFacts) {
        const facts = await this.readFacts(trx, row.incident_id);
        const rule = ruleFor(row.regime, row.kind);
        change.facts = toStored(facts);
        change.facts_at = this.now();
        if (rule) {
          const deadline = computeDeadline(rule, facts, row.created_at);
          change.starts_at = deadline.startsAt;
          change.due_at = deadline.dueAt;
          change.deadline_minutes = deadline.hours === null ? null : Math.round(deadline.hours * 60);
        }
      }
      const status = input.status ?? row.status;
      if (status === 'ready') {
        const missing = missingRequired(row.regime, row.kind, fields);
        if (missing.length > 0)
          throw new DomainError(
            'validation-failed',
            'Complete the required items before marking the report ready.',
            {
              missing,
            },
          );
      }
      change.status = status;
      return {
        change,
        details: {
          status,
          itemsChanged: changed.length,
          items: changed.join(',').slice(0, 500),
          refreshedFacts: Boolean(input.refreshFacts),
        },
      };
    });
  }

  /** Records that a report is not required, and why (e.g. GDPR Art. 33(1) "unlikely to result in a risk"). */
  async waive(
    context: RequestContext,
    id: string,
    input: { expectedVersion: number; reason: string },
  ): Promise<ReportView> {
    const reason = input.reason.trim();
    if (reason.length < 10)
      throw new DomainError('validation-failed', 'Write at least 10 characters of reason.');
    return this.change(context, id, input.expectedVersion, 'regulatory-report.waived', async (row) => {
      if (row.status === 'submitted') throw new DomainError('conflict', 'The report was submitted already.');
      if (row.status === 'waived') throw new DomainError('conflict', 'The report is waived already.');
      return {
        change: { status: 'waived', waived_reason: reason.slice(0, 2000) },
        details: { reasonLength: reason.length },
      };
    });
  }

  /** Records the submission of a ready report: when, through which channel, and the regulator's reference. */
  async recordSubmission(context: RequestContext, id: string, input: Submission): Promise<ReportView> {
    const userId = staffIdOf(context);
    if (input.submittedAt.getTime() > this.now().getTime() + 5 * 60_000)
      throw new DomainError('validation-failed', 'A submission cannot be recorded in the future.');
    return this.change(context, id, input.expectedVersion, 'regulatory-report.submitted', async (row) => {
      if (row.status !== 'ready')
        throw new DomainError('conflict', 'Only a report marked ready can be recorded as submitted.');
      return {
        change: {
          status: 'submitted',
          submitted_at: input.submittedAt,
          submitted_by: userId,
          submission_channel: input.channel.trim(),
          submission_reference: input.reference?.trim() || null,
        },
        details: {
          channel: input.channel.trim().slice(0, 100),
          onTime: row.due_at ? input.submittedAt.getTime() <= row.due_at.getTime() : null,
        },
      };
    });
  }

  /** Opens the next numbered update of a first report, pre-filled with the incident's current facts. */
  async openUpdate(context: RequestContext, parentId: string): Promise<ReportView> {
    const createdBy = staffIdOf(context);
    return this.db.transaction().execute(async (trx) => {
      const parent = await this.find(trx, parentId, true);
      if (parent.kind !== 'initial') throw new DomainError('conflict', 'Updates follow the first report.');
      if (!parent.regime.update) throw new DomainError('conflict', 'This regime asks for no updates.');
      const facts = await this.readFacts(trx, parent.incident_id);
      const id = await this.open(trx, {
        regime: {
          id: parent.regime_id,
          version: parent.regime_version,
          enabled: true,
          builtin: false,
          definition: parent.regime,
          updatedAt: parent.created_at,
          updatedBy: null,
        },
        facts,
        kind: 'update',
        parentId: parent.id,
        sequence: await repository.nextUpdateSequence(trx, parent.id),
        now: this.now(),
        createdBy,
        actor: auditActorOf(context),
        requestId: context.requestId,
      });
      if (!id) throw new DomainError('conflict', 'Another update was opened at the same moment; reload.');
      return this.view(await this.find(trx, id), this.now());
    });
  }

  /** The report as PDF, DOCX or JSON in its regime's language; audited. */
  async export(context: RequestContext, id: string, format: ExportFormat): Promise<ExportedReport> {
    staffIdOf(context);
    const row = await this.find(this.db, id);
    const facts = reviveFacts(row.facts);
    const now = this.now();
    const document = buildDocument(
      {
        id: row.id,
        kind: row.kind,
        sequence: row.sequence,
        status: row.status,
        definition: row.regime,
        facts,
        fields: row.fields,
        recipients: recipientsFor(row.regime, facts).map((recipient) => recipient.name[row.language]),
        dueAt: row.due_at,
        deadlineHours: row.deadline_minutes === null ? null : row.deadline_minutes / 60,
        deadlineToBeConfirmed: row.deadline_to_be_confirmed,
        waivedReason: row.waived_reason,
        submission:
          row.submitted_at && row.submission_channel
            ? { at: row.submitted_at, channel: row.submission_channel, reference: row.submission_reference }
            : null,
      },
      now,
    );
    let bytes: Buffer;
    if (format === 'pdf') bytes = await renderPdf(document);
    else if (format === 'docx') bytes = await renderDocx(document);
    else
      bytes = Buffer.from(
        JSON.stringify(
          {
            format: 'claimguard.regulatory-report/v1',
            report: {
              id: row.id,
              incidentId: row.incident_id,
              regimeId: row.regime_id,
              regimeVersion: row.regime_version,
              kind: row.kind,
              sequence: row.sequence,
              parentId: row.parent_id,
              status: row.status,
              language: row.language,
              isDrill: row.is_drill,
              startsAt: row.starts_at,
              dueAt: row.due_at,
              submittedAt: row.submitted_at,
              submissionChannel: row.submission_channel,
              submissionReference: row.submission_reference,
              waivedReason: row.waived_reason,
            },
            facts: row.facts,
            fields: row.fields,
            document,
            generatedAt: now,
          },
          null,
          2,
        ),
        'utf8',
      );
    await this.audit.record(this.db, {
      actor: auditActorOf(context),
      action: 'regulatory-report.exported',
      resource: { type: 'regulatory-report', id },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: context.requestId,
      details: { format, regime: row.regime_id, kind: row.kind, bytes: bytes.length },
    });
    const stem =
      `${row.incident_reference}-${row.regime_id}-${row.kind}${row.kind === 'update' ? `-${row.sequence}` : ''}`
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .slice(0, 150);
    return { bytes, contentType: CONTENT_TYPES[format], fileName: `${stem}.${format}` };
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * Alerts the security officers about open reports whose deadline approaches or has passed, each alert
   * once (claimed in the same transaction as the notices it queues, so two processes never both send it).
   * Answers the ids of the reports alerted about.
   */
  async checkDeadlines(
    options: { limit?: number } = {},
  ): Promise<{ approaching: string[]; missed: string[] }> {
    const now = this.now();
    const due = await repository.reportsNeedingAlerts(this.db, now, this.warnFraction, options.limit ?? 200);
    const approaching: string[] = [];
    const missed: string[] = [];
    // Read before any transaction opens: the embedded store has one session, which a transaction holds.
    const officers = due.length > 0 ? await this.officers.securityOfficerIds(this.db) : [];
    for (const row of due) {
      if (!row.due_at) continue;
      const stage = now.getTime() >= row.due_at.getTime() ? 'missed' : 'approaching';
      if (stage === 'approaching' && row.approach_alerted_at) continue;
      const sent = await this.db.transaction().execute(async (trx) => {
        if (!(await repository.claimAlert(trx, row.id, stage, now))) return false;
        for (const officer of officers)
          await this.notifications?.enqueue(trx, {
            recipient: { kind: 'staff', id: officer },
            channel: 'in-app',
            template:
              stage === 'missed'
                ? 'regulatory-report.deadline-missed'
                : 'regulatory-report.deadline-approaching',
            params: {
              regime: row.regime_id,
              reportKind: row.kind,
              dueAt: (row.due_at as Date).toISOString(),
              link: `/regulatory-reports/reports/${row.id}`,
            },
            dedupeKey: `regulatory-report:${row.id}:${stage}:${officer}`,
          });
        await this.audit.record(trx, {
          actor: SYSTEM_ACTOR,
          action: `regulatory-report.deadline-${stage}`,
          resource: { type: 'regulatory-report', id: row.id },
          dataSubjectId: null,
          fields: [],
          purpose: null,
          outcome: 'success',
          requestId: null,
          details: { regime: row.regime_id, kind: row.kind, officers: officers.length, drill: row.is_drill },
        });
        return true;
      });
      if (sent) (stage === 'missed' ? missed : approaching).push(row.id);
    }
    return { approaching, missed };
  }
}
