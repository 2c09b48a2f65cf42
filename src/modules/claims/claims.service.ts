import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { AppAbility } from '../access/abilities.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import type { Role, StaffRole } from '../access/roles.js';
import { decideUnmask } from '../access/unmask-decision.js';
import type { AuditActor, AuditEventInput, AuditRecorder } from '../audit/audit-event.js';
import type { PersonalDataFieldId, PurposeId } from '../vault/personal-data-catalogue.js';
import type { RevealRequest, VaultAccess, VaultService } from '../vault/vault.service.js';
import {
  type ClaimState,
  type ClaimTransitionRule,
  FINAL_STATES,
  isClaimState,
  manualTransitionsFrom,
  transitionRule,
} from './claim-transitions.js';
import * as repository from './claims.repository.js';
import type { CustomerField, CustomerService, CustomerView } from './customers.service.js';

/**
 * Claims (S0.1, S3.2): first notice of loss, the lifecycle, duty-scoped reading, assignment and notes.
 *
 * SECURITY: every read of a claim's personal fields goes through the vault with the caller's purpose and
 * is audited in the same transaction; a claim outside the caller's duty is refused and the refusal is
 * audited (repeated refusals are a detection signal, S2.3).
 */
type Db = Kysely<Database>;

/** Who is asking: the request's context and what their role and duty allow. */
export type ClaimCaller = { context: RequestContext; ability: AppAbility; customerId?: string | null };

/** The staff the claims module assigns work to; the identity module provides it. */
export interface StaffDirectory {
  listUsers(): Promise<
    {
      id: string;
      displayName: string;
      role: StaffRole;
      branch: string | null;
      status: 'active' | 'disabled';
    }[]
  >;
}

/** A handler a supervisor may give a claim to, with what assignment by rule weighs (section 2). */
export type ClaimHandler = {
  id: string;
  displayName: string;
  /** Open claims assigned to them now (decoys left out). */
  openClaims: number;
  /** Skilled in the claim's product line (or with no listed skills, so any line). */
  skilled: boolean;
};

/** Told of every committed step, inside its transaction (the notification outbox hangs here, S0.1). */
export interface ClaimEventListener {
  claimMoved(
    db: Db,
    event: { claim: repository.ClaimRow; from: ClaimState | null; to: ClaimState },
  ): Promise<void>;
}

/** What a security incident's containment forbids of bulk exports (S4.3); the incidents module provides it. */
export interface ExportGate {
  exportsBlocked(db: Db): Promise<boolean>;
  frozenAmong(db: Db, subjectIds: readonly string[]): Promise<ReadonlySet<string>>;
}

export type NewClaim = {
  policyNumber: string;
  claimantId: string;
  incidentDate: string;
  amountClaimed?: string | null;
  description?: string | null;
  incidentLocation?: string | null;
  channel: 'portal' | 'phone';
  /**
   * A compensation claim for a data leak (issue 5 section 8): the incident's public reference. The caller
   * (the portal's compensation service) sets it only once the breach-notices module confirmed that the
   * claimant was affected. One open compensation claim per claimant per incident: a second is a `conflict`.
   */
  incidentReference?: string | null;
};

/** An incident's compensation claims by state, for the incident page (issue 5 section 8). */
export type CompensationClaimCounts = { total: number; byState: { state: ClaimState; count: number }[] };

export type ClaimSummary = {
  id: string;
  number: string;
  state: ClaimState;
  version: number;
  productLine: string;
  branch: string;
  channel: string;
  incidentDate: string;
  amountClaimed: string | null;
  verification: string;
  assigneeId: string | null;
  surveyorId: string | null;
  reportedAt: Date;
  updatedAt: Date;
  claimantName: string;
};

export type MaskableValue = { value: string; masked: boolean } | null;

export type ClaimDetail = Omit<ClaimSummary, 'claimantName'> & {
  policy: {
    id: string;
    number: string;
    productLine: string;
    startsOn: string;
    endsOn: string;
    sumInsured: string;
    currency: string;
  };
  claimant: {
    id: string;
    idType: string;
    language: string;
    fields: Partial<Record<CustomerField, { value: string; masked: boolean }>>;
  };
  description: MaskableValue;
  incidentLocation: MaskableValue;
  resolutionReason: string | null;
  closedAt: Date | null;
  timeline: {
    from: string | null;
    to: string;
    actorType: string;
    actorId: string | null;
    actorRole: string | null;
    reason: string | null;
    at: Date;
  }[];
  notes: { id: string; authorId: string; authorRole: string; body: MaskableValue; createdAt: Date }[];
  allowedTransitions: { to: ClaimState; reasonRequired: boolean }[];
};

/** Fields a handler may ask to see unmasked on a claim, with the purpose dialog. */
export const REVEALABLE_CLAIM_FIELDS = [
  'claimant.name',
  'claimant.idNumber',
  'claimant.phone',
  'claimant.email',
  'claimant.address',
  'description',
  'incidentLocation',
  'notes',
] as const;
export type RevealableClaimField = (typeof REVEALABLE_CLAIM_FIELDS)[number];

const CLAIM_PURPOSE: PurposeId = 'claim-handling';
/** A customer reading their own claim in the portal is a data subject seeing their data, not claim work. */
const OWN_DATA_PURPOSE: PurposeId = 'data-subject-request';
const PAGE_MAX = 200;

export class ClaimsService {
  private listeners: ClaimEventListener[] = [];
  private exportGate: ExportGate | null = null;

  constructor(
    private readonly db: Db,
    private readonly vault: VaultService,
    private readonly customers: CustomerService,
    private readonly audit: AuditRecorder,
    private readonly staff: StaffDirectory,
  ) {}

  /** The store's handle, for modules that record beside a claims read (export audit). */
  /** Installs containment's export checks (incidents module). */
  setExportGate(gate: ExportGate): void {
    this.exportGate = gate;
  }

  /**
   * SECURITY (S4.3): refuses a bulk export while an incident blocks exports, or when it would carry a
   * customer whose records an incident froze. Called with no claims first (is exporting blocked at all?),
   * then with the claims about to be written.
   */
  async checkExport(claimIds: readonly string[]): Promise<void> {
    if (!this.exportGate) return;
    if (await this.exportGate.exportsBlocked(this.db)) throw new DomainError('exports-blocked');
    if (claimIds.length === 0) return;
    const frozen = await this.exportGate.frozenAmong(
      this.db,
      await repository.claimantsOf(this.db, claimIds),
    );
    if (frozen.size > 0)
      throw new DomainError(
        'records-frozen',
        `${frozen.size} customer(s) in this export are frozen; narrow the filter.`,
        {
          frozen: frozen.size,
        },
      );
  }

  get database(): Db {
    return this.db;
  }

  onClaimMoved(listener: ClaimEventListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs a unit of work in a transaction. A refusal inside it rolls the work back, audit events included;
   * so the refusal's own audit event (see recordDenied) is written after the rollback, in its own
   * transaction: a denied attempt is always on the record (S2.3 detection reads them).
   */
  private async run<T>(work: (trx: Db) => Promise<T>, { transaction = true } = {}): Promise<T> {
    try {
      return await (transaction ? this.db.transaction().execute(work) : work(this.db));
    } catch (error) {
      const denial = error instanceof Error ? DENIALS.get(error) : undefined;
      if (denial) await this.audit.record(this.db, denial);
      throw error;
    }
  }

  /**
   * First notice of loss (报案), by intake staff on the phone or by the customer in the portal. `decoy` is for
   * the detection module's honeytokens only (S2.3): a decoy claim is listed to its one recipient, counts in
   * nobody's workload, and sends its (decoy) claimant no notice.
   */
  async report(
    caller: ClaimCaller,
    input: NewClaim,
    options: { decoy?: boolean } = {},
  ): Promise<{ id: string; number: string }> {
    const actor = auditActorOf(caller.context);
    return this.run(async (trx) => {
      const policy = await this.customers.policyByNumber(trx, input.policyNumber);
      if (!policy) throw new DomainError('not-found', 'No policy with this number.');
      if (caller.customerId !== undefined) {
        // A customer reports only for themselves.
        if (caller.customerId !== input.claimantId) throw new DomainError('forbidden');
      } else if (!caller.ability.can('create', subjectClaim({ branch: policy.branch }))) {
        throw denied(
          new DomainError('forbidden', 'Claims of this branch are not yours to take.'),
          caller,
          'claim.report',
          { type: 'policy', id: policy.id },
          null,
        );
      }
      const parties = await this.customers.partiesOf(trx, policy.id);
      if (!parties.some((party) => party.customer_id === input.claimantId))
        throw new DomainError('not-a-policy-party');
      if (input.incidentDate < policy.starts_on || input.incidentDate > policy.ends_on)
        throw new DomainError('outside-policy-period');
      if (input.incidentDate > new Date().toISOString().slice(0, 10))
        throw new DomainError('bad-request', 'The incident date is in the future.');

      const incidentReference = input.incidentReference ?? null;
      if (incidentReference !== null) {
        const open = (await repository.compensationClaimsOf(trx, input.claimantId, incidentReference)).find(
          (claim) => !FINAL_STATES.includes(claim.state as ClaimState),
        );
        if (open)
          throw new DomainError(
            'conflict',
            'There is already an open compensation claim for this incident; follow it or withdraw it first.',
            { claimId: open.id, claimNumber: open.number },
          );
      }

      const id = randomUUID();
      const year = new Date().getUTCFullYear();
      const sequence = await repository.nextClaimSequence(trx, year);
      const number = `CL${year}${String(sequence).padStart(6, '0')}`;
      const target = (field: PersonalDataFieldId, column: string) => ({
        subjectId: input.claimantId,
        field,
        table: 'claims',
        column,
        rowId: id,
      });
      const items = [
        ...(input.description
          ? [{ target: target('claim.description', 'description_ct'), plaintext: input.description }]
          : []),
        ...(input.incidentLocation
          ? [
              {
                target: target('claim.incident_location', 'incident_location_ct'),
                plaintext: input.incidentLocation,
              },
            ]
          : []),
      ];
      const sealed =
        items.length > 0
          ? await this.vault.sealMany(trx, items, { actor, requestId: caller.context.requestId })
          : [];
      const sealedOf = (column: string) =>
        sealed[items.findIndex((item) => item.target.column === column)]?.ciphertext ?? null;
      await repository.insertClaim(trx, {
        id,
        number,
        policy_id: policy.id,
        claimant_id: input.claimantId,
        product_line: policy.product_line,
        branch: policy.branch,
        state: 'reported',
        channel: input.channel,
        incident_date: input.incidentDate,
        amount_claimed: input.amountClaimed ?? null,
        description_ct: sealedOf('description_ct'),
        incident_location_ct: sealedOf('incident_location_ct'),
        assignee_id: null,
        surveyor_id: null,
        resolution_reason: null,
        reported_by: actor.id,
        closed_at: null,
        decoy: options.decoy === true,
        incident_reference: incidentReference,
      });
      await repository.insertTransition(trx, transitionRow(id, null, 'reported', actor, null));
      await this.audit.record(trx, {
        actor,
        action: 'claim.report',
        resource: { type: 'claim', id },
        dataSubjectId: input.claimantId,
        fields: items.map((item) => item.target.field),
        purpose: null,
        outcome: 'success',
        requestId: caller.context.requestId,
        details: {
          channel: input.channel,
          productLine: policy.product_line,
          ...(incidentReference === null ? {} : { incidentReference }),
        },
      });
      const claim = (await repository.findClaim(trx, id)) as repository.ClaimRow;
      await this.notify(trx, claim, null, 'reported');
      return { id, number };
    });
  }

  /**
   * The claimant's own compensation claims for an incident, newest first (issue 5 section 8): numbers and
   * states only, no personal data. For the portal, which passes the signed-in customer's id.
   */
  async compensationClaimsOf(
    claimantId: string,
    incidentReference: string,
  ): Promise<{ id: string; number: string; state: ClaimState; reportedAt: Date }[]> {
    const rows = await repository.compensationClaimsOf(this.db, claimantId, incidentReference);
    return rows.map((row) => ({
      id: row.id,
      number: row.number,
      state: row.state as ClaimState,
      reportedAt: row.reported_at,
    }));
  }

  /**
   * How many compensation claims an incident has and in which states (issue 5 section 8, S4.2): counts only,
   * no claimant; the incident page shows them to security officers (the route checks `read Incident`).
   */
  async compensationClaimCounts(incidentReference: string): Promise<CompensationClaimCounts> {
    const rows = await repository.compensationStateCounts(this.db, incidentReference);
    const byState = rows
      .filter((row) => isClaimState(row.state))
      .map((row) => ({ state: row.state as ClaimState, count: row.count }));
    return { total: byState.reduce((sum, row) => sum + row.count, 0), byState };
  }

  /** Claims within the caller's duty, newest first, claimant names masked. */
  async list(
    caller: ClaimCaller,
    filter: repository.ClaimListFilter & { claimantLookup?: Parameters<CustomerService['findIds']>[1] },
    page: { limit: number; offset: number },
  ): Promise<{ items: ClaimSummary[]; total: number }> {
    // A customer (portal) lists their own claims only: every claim whose claimant they are, and no other.
    const scope = caller.customerId ? null : this.scopeOf(caller, 'read');
    return this.run(async (trx) => {
      const { claimantLookup, ...rest } = filter;
      const principal = caller.context.principal;
      const viewerId = principal && principal.kind !== 'customer' ? principal.userId : null;
      const claimantIds = caller.customerId
        ? [caller.customerId]
        : claimantLookup
          ? await this.customers.findIds(trx, claimantLookup)
          : undefined;
      const { rows, total } = await repository.listClaims(
        trx,
        scope,
        { ...rest, ...(claimantIds ? { claimantIds } : {}), viewerId },
        { limit: Math.min(page.limit, PAGE_MAX), offset: page.offset },
      );
      const names = await this.customers.view(
        trx,
        [...new Set(rows.map((row) => row.claimant_id))],
        ['name'],
        {
          actor: auditActorOf(caller.context),
          purpose: caller.customerId ? OWN_DATA_PURPOSE : CLAIM_PURPOSE,
          unmask: false,
          requestId: caller.context.requestId,
        },
      );
      const nameOf = new Map(names.map((view) => [view.id, view.fields.name?.value ?? '']));
      return {
        items: rows.map((row) => ({ ...summaryOf(row), claimantName: nameOf.get(row.claimant_id) ?? '' })),
        total,
      };
    });
  }

  /** One claim as the caller may see it: masked personal fields, timeline, notes, allowed moves. */
  async detail(caller: ClaimCaller, id: string): Promise<ClaimDetail> {
    // The most read page, in two statements and no transaction (issue 4 §11): the claim with its policy,
    // claimant row, notes and history; then the vault's, which releases the claimant's key only with the
    // read's audit event written in the same statement. The rows read hold ciphertext only: nothing personal
    // is disclosed before that second statement commits.
    return this.run(
      async (db) => {
        const found = await repository.findClaimForDetail(db, id);
        if (!found) throw new DomainError('not-found', 'No such claim.');
        this.checkClaimAccess(caller, found.claim, 'read');
        return this.detailOf(db, caller, found.claim, new Set(), undefined, found);
      },
      { transaction: false },
    );
  }

  /**
   * Shows chosen fields of a claim unmasked: the unmask permission, a catalogue purpose and a fresh second
   * factor (S3.2, S3.3); the vault audits each subject's reveal with the purpose.
   */
  async reveal(
    caller: ClaimCaller,
    id: string,
    fields: readonly RevealableClaimField[],
    purpose: string,
  ): Promise<ClaimDetail> {
    return this.run(async (trx) => {
      const claim = await this.claimFor(trx, caller, id, 'read');
      for (const field of fields) {
        const decision = decideUnmask(
          caller.context.principal,
          caller.ability,
          catalogueFieldOf(field),
          purpose,
        );
        if (!decision.unmask) {
          const refusal =
            decision.reason === 'step-up-required'
              ? new DomainError('step-up-required')
              : decision.reason === 'no-purpose' && !purpose.trim()
                ? new DomainError('purpose-required')
                : decision.reason === 'no-purpose'
                  ? new DomainError('purpose-not-allowed', 'The purpose is not in the catalogue.')
                  : decision.reason === 'purpose-not-allowed'
                    ? new DomainError('purpose-not-allowed', `The purpose does not allow reading ${field}.`, {
                        field,
                      })
                    : new DomainError('forbidden', 'Your role cannot see personal data unmasked.');
          throw denied(
            refusal,
            caller,
            'claim.reveal',
            { type: 'claim', id },
            claim.claimant_id,
            decision.reason,
          );
        }
      }
      return this.detailOf(trx, caller, claim, new Set(fields), purpose as PurposeId);
    });
  }

  /** Moves a claim by hand along the transition table, if it is still at `version`. */
  async transition(
    caller: ClaimCaller,
    id: string,
    move: { to: string; reason?: string | null; version: number },
  ): Promise<ClaimDetail> {
    // Read before the transaction: on the embedded store a second query outside it would wait for it.
    const staff = await this.staff.listUsers();
    return this.run(async (trx) => {
      const claim = await this.claimFor(trx, caller, id, 'read');
      const from = claim.state as ClaimState;
      const to = move.to;
      const rule = isClaimState(to) ? transitionRule(from, to) : undefined;
      if (!rule || rule.workflowOnly) {
        throw new DomainError(
          'illegal-transition',
          rule?.workflowOnly
            ? 'This step is taken by the payout workflow.'
            : `A claim cannot go from ${from} to ${to}.`,
          { from, to },
        );
      }
      this.checkMayMove(caller, claim, rule);
      const reason = move.reason?.trim() || null;
      if (rule.reasonRequired && !reason) throw new DomainError('reason-required');
      const moved = await this.applyTransition(
        trx,
        caller.context,
        claim,
        move.version,
        rule.to,
        reason,
        staff,
      );
      return this.detailOf(trx, caller, moved, new Set());
    });
  }

  /**
   * A transition made by a workflow (payout proposal, approval, payment) in the workflow's transaction.
   * The workflow has checked its own rules; this checks the table and the version.
   */
  async workflowTransition(
    trx: Db,
    context: RequestContext,
    claimId: string,
    version: number,
    to: ClaimState,
    workflow: NonNullable<ClaimTransitionRule['workflowOnly']>,
  ): Promise<repository.ClaimRow> {
    const claim = await repository.findClaim(trx, claimId);
    if (!claim) throw new DomainError('not-found', 'No such claim.');
    const rule = transitionRule(claim.state as ClaimState, to);
    if (!rule || rule.workflowOnly !== workflow)
      throw new DomainError('illegal-transition', `A claim cannot go from ${claim.state} to ${to} here.`, {
        from: claim.state,
        to,
      });
    // Workflow steps (approving, paying, closed) never assign anyone.
    return this.applyTransition(trx, context, claim, version, to, null, []);
  }

  /** Reassignment by a supervisor of the claim's branch (or assignment of a surveyor). */
  async assign(
    caller: ClaimCaller,
    id: string,
    change: { assigneeId?: string | null; surveyorId?: string | null; version: number },
  ): Promise<ClaimDetail> {
    const users = await this.staff.listUsers();
    return this.run(async (trx) => {
      const claim = await this.claimFor(trx, caller, id, 'assign');
      const check = (userId: string | null | undefined, role: StaffRole) => {
        if (userId === undefined || userId === null) return;
        const user = users.find((candidate) => candidate.id === userId);
        if (!user || user.role !== role || user.status !== 'active' || user.branch !== claim.branch)
          throw new DomainError(
            'bad-request',
            `The ${role} must be an active ${role} of the claim's branch.`,
          );
      };
      check(change.assigneeId, 'adjuster');
      check(change.surveyorId, 'surveyor');
      if (FINAL_STATES.includes(claim.state as ClaimState))
        throw new DomainError('illegal-transition', 'A finished claim is not reassigned; reopen it first.');
      const updated = await repository.updateClaimAt(trx, id, change.version, {
        ...(change.assigneeId !== undefined ? { assignee_id: change.assigneeId } : {}),
        ...(change.surveyorId !== undefined ? { surveyor_id: change.surveyorId } : {}),
      });
      if (!updated) throw new DomainError('stale-version');
      await this.audit.record(trx, {
        actor: auditActorOf(caller.context),
        action: 'claim.assign',
        resource: { type: 'claim', id },
        dataSubjectId: claim.claimant_id,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: caller.context.requestId,
        details: {
          assignee: change.assigneeId === undefined ? 'unchanged' : (change.assigneeId ?? 'none'),
          surveyor: change.surveyorId === undefined ? 'unchanged' : (change.surveyorId ?? 'none'),
        },
      });
      return this.detailOf(trx, caller, updated, new Set());
    });
  }

  /**
   * Who the claim may be reassigned to: the active adjusters and surveyors of its branch (what {@link assign}
   * accepts), skilled ones first, then by open claims, so the supervisor picks by name, not by user id.
   */
  async handlersFor(
    caller: ClaimCaller,
    id: string,
  ): Promise<{ adjusters: ClaimHandler[]; surveyors: ClaimHandler[] }> {
    const users = await this.staff.listUsers();
    return this.run(async (trx) => {
      const claim = await this.claimFor(trx, caller, id, 'assign');
      const of = async (role: 'adjuster' | 'surveyor'): Promise<ClaimHandler[]> => {
        const candidates = handlersOfBranch(users, claim, role);
        const ids = candidates.map((user) => user.id);
        const skilled = skilledIn(await repository.skillsOf(trx, ids), claim.product_line);
        const load = await repository.openWorkload(trx, workloadColumn(role), ids);
        return candidates
          .map((user) => ({
            id: user.id,
            displayName: user.displayName,
            openClaims: load.get(user.id) ?? 0,
            skilled: skilled(user.id),
          }))
          .sort(
            (a, b) =>
              Number(b.skilled) - Number(a.skilled) ||
              a.openClaims - b.openClaims ||
              a.displayName.localeCompare(b.displayName, 'zh-CN'),
          );
      };
      return { adjusters: await of('adjuster'), surveyors: await of('surveyor') };
    });
  }

  async addNote(caller: ClaimCaller, id: string, body: string): Promise<{ id: string }> {
    return this.run(async (trx) => {
      const claim = await this.claimFor(trx, caller, id, 'update');
      const principal = caller.context.principal;
      if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
      const noteId = randomUUID();
      const actor = auditActorOf(caller.context);
      const sealed = await this.vault.seal(
        trx,
        {
          subjectId: claim.claimant_id,
          field: 'claim.note',
          table: 'claim_notes',
          column: 'body_ct',
          rowId: noteId,
        },
        body,
        { actor, requestId: caller.context.requestId },
      );
      await repository.insertNote(trx, {
        id: noteId,
        claim_id: id,
        author_id: principal.userId,
        author_role: principal.role,
        body_ct: sealed.ciphertext,
      });
      return { id: noteId };
    });
  }

  /**
   * Runs another module's unit of work on a claim (documents, payouts, shares) like this service's own: in
   * a transaction, with refusals made by {@link claimForDuty} or {@link refusal} audited after the rollback.
   */
  async runAudited<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return this.run(work);
  }

  /**
   * A refusal to throw inside {@link runAudited}: its `denied` audit event (action, resource, subject and
   * reason code) is written once the transaction has rolled back.
   */
  refusal(
    error: DomainError,
    caller: ClaimCaller,
    action: string,
    resource: { type: string; id: string },
    subjectId: string | null,
    reason: string,
  ): DomainError {
    return denied(error, caller, action, resource, subjectId, reason);
  }

  /** The claim row for a workflow that has checked duty itself (payouts, documents, shares). */
  async claimForDuty(
    trx: Db,
    caller: ClaimCaller,
    id: string,
    action: 'read' | 'update',
  ): Promise<repository.ClaimRow> {
    return this.claimFor(trx, caller, id, action);
  }

  /**
   * The claim row for a capability that stands in for a caller's duty (a share link, issue section 6): its
   * holder has no principal; the workflow has checked the capability (expiry, revocation, the claim's
   * state) itself.
   */
  async claimForCapability(trx: Db, id: string): Promise<repository.ClaimRow | undefined> {
    return repository.findClaim(trx, id);
  }

  /**
   * The claim's own sealed fields, through the vault with `access` (which the vault audits), for a workflow
   * that decided the disclosure itself (shares). Fields the claim does not have are absent.
   */
  async revealOwnFields(
    trx: Db,
    claim: repository.ClaimRow,
    fields: readonly ('description' | 'incidentLocation')[],
    access: VaultAccess,
  ): Promise<Partial<Record<'description' | 'incidentLocation', { value: string; masked: boolean }>>> {
    const columns = {
      description: { column: 'description_ct', field: 'claim.description' },
      incidentLocation: { column: 'incident_location_ct', field: 'claim.incident_location' },
    } as const;
    const wanted = fields.filter((key) => claim[columns[key].column]);
    if (wanted.length === 0) return {};
    const revealed = await this.vault.revealMany(
      trx,
      wanted.map((key) => ({
        subjectId: claim.claimant_id,
        field: columns[key].field,
        table: 'claims',
        column: columns[key].column,
        rowId: claim.id,
        ciphertext: claim[columns[key].column] as Uint8Array,
      })),
      access,
    );
    const values: Partial<Record<'description' | 'incidentLocation', { value: string; masked: boolean }>> =
      {};
    wanted.forEach((key, index) => {
      const value = revealed[index];
      if (value) values[key] = { value: value.value, masked: value.masked };
    });
    return values;
  }

  /** A duty scope for list queries: the OR of the caller's CASL conditions on claims. */
  scopeOf(caller: ClaimCaller, action: 'read' | 'update'): repository.ClaimScope {
    if (caller.customerId) return [];
    const rules = caller.ability.rulesFor(action, 'Claim').filter((rule) => !rule.inverted);
    if (rules.some((rule) => !rule.conditions)) return null;
    return rules.map(
      (rule) => rule.conditions as { assigneeId?: string; surveyorId?: string; branch?: string | null },
    );
  }

  private async claimFor(
    trx: Db,
    caller: ClaimCaller,
    id: string,
    action: 'read' | 'update' | 'assign',
  ): Promise<repository.ClaimRow> {
    const claim = await repository.findClaim(trx, id);
    if (!claim) throw new DomainError('not-found', 'No such claim.');
    this.checkClaimAccess(caller, claim, action);
    return claim;
  }

  /** Throws (and has the refusal audited) unless the caller may take `action` on this claim. */
  private checkClaimAccess(
    caller: ClaimCaller,
    claim: repository.ClaimRow,
    action: 'read' | 'update' | 'assign',
  ): void {
    const id = claim.id;
    const allowed = caller.customerId
      ? caller.customerId === claim.claimant_id && action === 'read'
      : caller.ability.can(action, subjectClaim(attributesOf(claim)));
    if (!allowed) {
      throw denied(
        new DomainError('forbidden', 'This claim is outside your duties.'),
        caller,
        `claim.${action}`,
        { type: 'claim', id },
        claim.claimant_id,
      );
    }
  }

  private checkMayMove(caller: ClaimCaller, claim: repository.ClaimRow, rule: ClaimTransitionRule) {
    const role: Role | undefined = roleOf(caller);
    const onDuty = caller.customerId
      ? caller.customerId === claim.claimant_id
      : caller.ability.can('update', subjectClaim(attributesOf(claim)));
    if (!role || !rule.roles.includes(role) || !onDuty) {
      throw denied(
        new DomainError('forbidden', 'Your role cannot take this step on this claim.'),
        caller,
        'claim.transition',
        { type: 'claim', id: claim.id },
        claim.claimant_id,
      );
    }
  }

  private async applyTransition(
    trx: Db,
    context: RequestContext,
    claim: repository.ClaimRow,
    version: number,
    to: ClaimState,
    reason: string | null,
    staff: Awaited<ReturnType<StaffDirectory['listUsers']>>,
  ): Promise<repository.ClaimRow> {
    const from = claim.state as ClaimState;
    const finished = FINAL_STATES.includes(to);
    let assignment: { assignee_id?: string; surveyor_id?: string } = {};
    if (to === 'registered' && !claim.assignee_id)
      assignment = await this.pickHandler(trx, claim, 'adjuster', staff);
    if (to === 'surveying' && !claim.surveyor_id)
      assignment = await this.pickHandler(trx, claim, 'surveyor', staff);
    const moved = await repository.updateClaimAt(trx, claim.id, version, {
      state: to,
      ...assignment,
      ...(to === 'rejected' || to === 'withdrawn' || to === 'reopened' ? { resolution_reason: reason } : {}),
      closed_at: finished ? new Date() : null,
    });
    if (!moved) throw new DomainError('stale-version');
    const actor = auditActorOf(context);
    await repository.insertTransition(trx, transitionRow(claim.id, from, to, actor, reason));
    await this.audit.record(trx, {
      actor,
      action: 'claim.transition',
      resource: { type: 'claim', id: claim.id },
      dataSubjectId: claim.claimant_id,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: context.requestId,
      details: {
        from,
        to,
        ...(assignment.assignee_id ? { assignee: assignment.assignee_id } : {}),
        ...(assignment.surveyor_id ? { surveyor: assignment.surveyor_id } : {}),
      },
    });
    await this.notify(trx, moved, from, to);
    return moved;
  }

  /**
   * Assignment by rule: active handlers of the role in the claim's branch; among them those skilled in the
   * product line (a handler without listed skills takes any line); the one with the fewest open claims.
   */
  private async pickHandler(
    trx: Db,
    claim: repository.ClaimRow,
    role: 'adjuster' | 'surveyor',
    staff: Awaited<ReturnType<StaffDirectory['listUsers']>>,
  ): Promise<{ assignee_id?: string; surveyor_id?: string }> {
    const ids = handlersOfBranch(staff, claim, role).map((user) => user.id);
    if (ids.length === 0) return {};
    const skilled = ids.filter(skilledIn(await repository.skillsOf(trx, ids), claim.product_line));
    if (skilled.length === 0) return {};
    const column = workloadColumn(role);
    const load = await repository.openWorkload(trx, column, skilled);
    const chosen = [...skilled].sort(
      (a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a.localeCompare(b),
    )[0];
    return chosen ? { [column]: chosen } : {};
  }

  private async detailOf(
    trx: Db,
    caller: ClaimCaller,
    claim: repository.ClaimRow,
    unmasked: ReadonlySet<RevealableClaimField>,
    purpose: PurposeId = caller.customerId ? OWN_DATA_PURPOSE : CLAIM_PURPOSE,
    loaded?: Omit<repository.ClaimDetailRows, 'claim'>,
  ): Promise<ClaimDetail> {
    const actor = auditActorOf(caller.context);
    const policy = loaded?.policy ?? (await this.customers.policy(trx, claim.policy_id));
    if (!policy) throw new DomainError('internal');
    const customerFields: CustomerField[] = ['name', 'idNumber', 'phone', 'email', 'address'];
    const wanted = (field: CustomerField) => unmasked.has(`claimant.${field}` as RevealableClaimField);
    const access = (unmask: boolean) => ({
      actor,
      purpose,
      unmask,
      requestId: caller.context.requestId,
      resource: { type: 'claim', id: claim.id },
    });
    // Notes are the handlers' working notes, not the customer's: a customer caller neither sees nor reads them.
    const notes = caller.customerId ? [] : (loaded?.notes ?? (await repository.notesOf(trx, claim.id)));
    const own = (column: 'description_ct' | 'incident_location_ct', field: PersonalDataFieldId) =>
      claim[column]
        ? ({
            subjectId: claim.claimant_id,
            field,
            table: 'claims',
            column,
            rowId: claim.id,
            ciphertext: claim[column],
          } as RevealRequest)
        : null;
    const requests: {
      key: 'description' | 'incidentLocation' | 'notes';
      request: RevealRequest;
      index: number;
    }[] = [];
    const description = own('description_ct', 'claim.description');
    if (description) requests.push({ key: 'description', request: description, index: 0 });
    const location = own('incident_location_ct', 'claim.incident_location');
    if (location) requests.push({ key: 'incidentLocation', request: location, index: 0 });
    notes.forEach((note, index) => {
      requests.push({
        key: 'notes',
        index,
        request: {
          subjectId: claim.claimant_id,
          field: 'claim.note',
          table: 'claim_notes',
          column: 'body_ct',
          rowId: note.id,
          ciphertext: note.body_ct,
        },
      });
    });
    // Masked and unmasked reads are separate vault calls, so each is audited for what it disclosed; each
    // call takes the claimant's fields and the claim's own encrypted values together (one key lookup, one
    // audit event). The masked call always runs: it also brings the claimant's id type and language.
    const values = new Map<string, { value: string; masked: boolean }>();
    const views: (CustomerView | undefined)[] = [];
    for (const clear of [false, true]) {
      const fields = customerFields.filter((field) => wanted(field) === clear);
      const batch = requests.filter((item) => unmasked.has(item.key) === clear);
      if (clear && fields.length === 0 && batch.length === 0) continue;
      const result = await this.customers.viewWith(
        trx,
        [claim.claimant_id],
        fields,
        access(clear),
        batch.map((item) => item.request),
        loaded ? [loaded.claimant] : undefined,
      );
      views.push(result.views[0]);
      batch.forEach((item, position) => {
        const value = result.alongside[position];
        if (value) values.set(`${item.key}:${item.index}`, { value: value.value, masked: value.masked });
      });
    }
    const [maskedView, clearView] = views;
    const claimant = maskedView ?? clearView;
    const timeline = loaded?.transitions ?? (await repository.transitionsOf(trx, claim.id));
    const role: Role | undefined = roleOf(caller);
    const onDuty = caller.customerId ? true : caller.ability.can('update', subjectClaim(attributesOf(claim)));
    return {
      ...summaryOf(claim),
      policy: {
        id: policy.id,
        number: policy.number,
        productLine: policy.product_line,
        startsOn: policy.starts_on,
        endsOn: policy.ends_on,
        sumInsured: policy.sum_insured,
        currency: policy.currency,
      },
      claimant: {
        id: claim.claimant_id,
        idType: claimant?.idType ?? 'resident-id',
        language: claimant?.language ?? 'zh-CN',
        fields: { ...maskedView?.fields, ...clearView?.fields },
      },
      description: values.get('description:0') ?? null,
      incidentLocation: values.get('incidentLocation:0') ?? null,
      resolutionReason: claim.resolution_reason,
      closedAt: claim.closed_at,
      timeline: timeline.map((row) => ({
        from: row.from_state,
        to: row.to_state,
        actorType: row.actor_type,
        actorId: row.actor_id,
        actorRole: row.actor_role,
        reason: row.reason,
        at: row.at,
      })),
      notes: notes.map((note, index) => ({
        id: note.id,
        authorId: note.author_id,
        authorRole: note.author_role,
        body: values.get(`notes:${index}`) ?? null,
        createdAt: note.created_at,
      })),
      allowedTransitions:
        role && onDuty
          ? manualTransitionsFrom(claim.state as ClaimState, role).map((rule) => ({
              to: rule.to,
              reasonRequired: rule.reasonRequired,
            }))
          : [],
    };
  }

  private async notify(trx: Db, claim: repository.ClaimRow, from: ClaimState | null, to: ClaimState) {
    // SECURITY: a decoy's claimant is fictitious; its notices would only message a made-up address.
    if (claim.decoy) return;
    for (const listener of this.listeners) await listener.claimMoved(trx, { claim, from, to });
  }
}

type StaffMember = Awaited<ReturnType<StaffDirectory['listUsers']>>[number];

/** Who may take a claim in `role`: its branch's active staff of that role (assignment by rule, reassignment). */
function handlersOfBranch(
  staff: readonly StaffMember[],
  claim: repository.ClaimRow,
  role: 'adjuster' | 'surveyor',
): StaffMember[] {
  return staff.filter(
    (user) => user.role === role && user.status === 'active' && user.branch === claim.branch,
  );
}

/** Whether a handler takes `productLine`: listed among their skills, or no skills listed (any line). */
function skilledIn(skills: ReadonlyMap<string, ReadonlySet<string>>, productLine: string) {
  return (userId: string) => skills.get(userId)?.has(productLine) ?? true;
}

const workloadColumn = (role: 'adjuster' | 'surveyor') =>
  role === 'adjuster' ? 'assignee_id' : 'surveyor_id';

/** Refusals waiting to be audited once their transaction has rolled back (see ClaimsService.run). */
const DENIALS = new WeakMap<Error, AuditEventInput>();

/**
 * The audit event a refusal thrown by this service (e.g. from {@link ClaimsService.claimForDuty}) is waiting
 * to have written once its transaction has rolled back; workflows running their own transactions record it.
 */
export function pendingDenialOf(error: unknown): AuditEventInput | undefined {
  return error instanceof Error ? DENIALS.get(error) : undefined;
}

/** Marks a refusal so that its `denied` audit event is written once its transaction has rolled back. */
export function denied(
  error: DomainError,
  caller: ClaimCaller,
  action: string,
  resource: { type: string; id: string },
  subjectId: string | null,
  reason = 'outside-duty',
): DomainError {
  DENIALS.set(error, {
    actor: auditActorOf(caller.context),
    action,
    resource,
    dataSubjectId: subjectId,
    fields: [],
    purpose: null,
    outcome: 'denied',
    requestId: caller.context.requestId,
    details: { reason },
  });
  return error;
}

/** The role a caller acts in: 'customer' for the portal, else the staff principal's role. */
function roleOf(caller: ClaimCaller): Role | undefined {
  const principal = caller.context.principal;
  if (caller.customerId || principal?.kind === 'customer') return 'customer';
  return principal?.role;
}

function summaryOf(row: repository.ClaimRow): Omit<ClaimSummary, 'claimantName'> {
  return {
    id: row.id,
    number: row.number,
    state: row.state as ClaimState,
    version: row.version,
    productLine: row.product_line,
    branch: row.branch,
    channel: row.channel,
    incidentDate: row.incident_date,
    amountClaimed: row.amount_claimed,
    verification: row.verification,
    assigneeId: row.assignee_id,
    surveyorId: row.surveyor_id,
    reportedAt: row.reported_at,
    updatedAt: row.updated_at,
  };
}

function attributesOf(claim: repository.ClaimRow) {
  return { assigneeId: claim.assignee_id, surveyorId: claim.surveyor_id, branch: claim.branch };
}

function subjectClaim(attributes: Partial<ReturnType<typeof attributesOf>>) {
  return {
    __caslSubjectType__: 'Claim' as const,
    assigneeId: null,
    surveyorId: null,
    branch: null,
    ...attributes,
  };
}

function catalogueFieldOf(field: RevealableClaimField): PersonalDataFieldId {
  switch (field) {
    case 'claimant.name':
      return 'customer.name';
    case 'claimant.idNumber':
      return 'customer.id_number';
    case 'claimant.phone':
      return 'customer.phone';
    case 'claimant.email':
      return 'customer.email';
    case 'claimant.address':
      return 'customer.address';
    case 'description':
      return 'claim.description';
    case 'incidentLocation':
      return 'claim.incident_location';
    case 'notes':
      return 'claim.note';
  }
}

function transitionRow(
  claimId: string,
  from: ClaimState | null,
  to: ClaimState,
  actor: AuditActor,
  reason: string | null,
) {
  return {
    claim_id: claimId,
    from_state: from,
    to_state: to,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_role: actor.role,
    reason,
  };
}
