import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf, type StaffLikePrincipal } from '../access/principal.js';
import type { AuditActor } from '../audit/audit-event.js';
import type { ExportGate } from '../claims/claims.service.js';
import type { ChangeHoldGate } from '../claims/customers.service.js';
import type { IdentityService } from '../identity/identity.service.js';
import type { UnmaskGate } from '../vault/vault.service.js';
import * as repository from './incidents.repository.js';
import {
  type ContainmentView,
  containmentView,
  type IncidentCaller,
  type IncidentsService,
} from './incidents.service.js';
import type { ContainmentKind } from './incidents.tables.js';

/**
 * Containment (S4.3): actions taken from an incident to stop further leaking, each recorded in the
 * incident's timeline and the audit log, each reversible only with a second security officer's approval
 * (maker-checker). What can be undone is undone by the approval; revocations and key rotations cannot be
 * undone and are not offered for reversal.
 *
 * - suspend-user: the account is disabled (identity), which also ends its sessions.
 * - revoke-sessions / revoke-api-tokens: every session / API token of the user (identity).
 * - freeze-records: the scope's subjects (or those named) cannot be unmasked (the vault asks
 *   {@link ContainmentChecks.frozenAmong}) nor exported (claims export asks the same).
 * - block-exports: every bulk export is refused while it stands.
 * - rotate-keys: a new key-encryption key; every data key rewrapped (vault), the key cache dropped.
 * - hold-changes: the customers' contact details and payee accounts cannot change until each is
 *   re-verified (the claims and payouts modules ask {@link ContainmentChecks.changesHeld}); their pending
 *   payouts go on hold in the same transaction ({@link PendingPayoutHolds}, the payouts module).
 *
 * A drill records what would have been done and does nothing (`simulated`), so an exercise can never lock
 * out real staff or freeze real customers.
 *
 * Identity and key rotation run in their own transactions (their services open them; on the embedded store a
 * transaction inside ours would wait for ours), so they run first and the action is recorded right after;
 * their own audit events cover the gap if recording fails.
 */
type Db = Kysely<Database>;

const REVERSIBLE: Record<ContainmentKind, boolean> = {
  'suspend-user': true,
  'revoke-sessions': false,
  'revoke-api-tokens': false,
  'freeze-records': true,
  'block-exports': true,
  'rotate-keys': false,
  'hold-changes': true,
};
const NEEDS_USER = new Set<ContainmentKind>(['suspend-user', 'revoke-sessions', 'revoke-api-tokens']);
const NEEDS_SUBJECTS = new Set<ContainmentKind>(['freeze-records', 'hold-changes']);

/** The checks other modules consult; one query each, on the partial indexes of live controls. */
export class ContainmentChecks implements UnmaskGate, ExportGate, ChangeHoldGate {
  frozenAmong(db: Db, subjectIds: readonly string[]): Promise<ReadonlySet<string>> {
    return repository.controlledAmong(db, 'freeze', subjectIds);
  }

  async exportsBlocked(db: Db): Promise<boolean> {
    return (await repository.liveContainmentOfKind(db, 'block-exports')) > 0;
  }

  async changesHeld(db: Db, customerId: string): Promise<boolean> {
    return (await repository.controlledAmong(db, 'change-hold', [customerId])).size > 0;
  }
}

/**
 * Pending payouts of the customers whose changes are held (S4.3): the payouts module implements it
 * (`PayoutsService`), server.ts hands it over; containment never reads the payouts' tables.
 */
export interface PendingPayoutHolds {
  /** Claimants with payouts proposed or approved (few, unlike the customers a hold may cover). */
  claimantsWithPendingPayouts(db: Db): Promise<string[]>;
  /** Puts those customers' pending payouts on hold in `db` (our transaction); returns how many. */
  holdPendingPayouts(
    db: Db,
    customerIds: readonly string[],
    event: { actor: AuditActor; requestId: string | null; incidentId: string },
  ): Promise<number>;
}

/** Key rotation as containment needs it (the vault's rotateKeys plus dropping cached data keys). */
export interface KeyRotation {
  rotate(
    actor: AuditActor,
  ): Promise<{ status: string; rotationId: string | null; rewrapped: number; remaining: number }>;
}

export type ContainmentInput = {
  kind: ContainmentKind;
  /** For suspend-user, revoke-sessions, revoke-api-tokens. */
  userId?: string | null;
  /** For freeze-records and hold-changes: the subjects of this scope version (default: the latest)... */
  scopeVersion?: number | null;
  /** ...or these subjects. */
  subjectIds?: string[] | null;
};

function staffOf(caller: IncidentCaller): StaffLikePrincipal {
  const principal = caller.context.principal;
  if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
  return principal;
}

export class ContainmentService {
  readonly #now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly incidents: IncidentsService,
    private readonly deps: {
      identity: IdentityService;
      keys?: KeyRotation;
      payouts?: PendingPayoutHolds;
      now?: () => Date;
    },
  ) {
    this.#now = deps.now ?? (() => new Date());
  }

  async list(incidentId: string): Promise<ContainmentView[]> {
    await this.incidents.incident(this.db, incidentId);
    return (await repository.containmentOf(this.db, incidentId)).map(containmentView);
  }

  /** Takes a containment action (step-up at the route). */
  async take(caller: IncidentCaller, incidentId: string, input: ContainmentInput): Promise<ContainmentView> {
    const principal = staffOf(caller);
    const incident = await this.incidents.incident(this.db, incidentId);
    if (incident.state === 'closed') throw new DomainError('incident-state', 'The incident is closed.');
    if (NEEDS_USER.has(input.kind) && !input.userId)
      throw new DomainError('bad-request', `${input.kind} names the user.`);
    if (input.kind === 'suspend-user' && input.userId === principal.userId)
      throw new DomainError('forbidden', 'Nobody suspends themselves.');
    const simulated = incident.is_drill;
    const id = randomUUID();
    const target: Record<string, string | number | null> = {};
    if (input.userId) target.userId = input.userId;

    // Subjects: resolved before anything is done, so a missing scope refuses the action cleanly.
    let scopeVersion: number | null = null;
    if (NEEDS_SUBJECTS.has(input.kind)) {
      if (input.subjectIds && input.subjectIds.length > 0) {
        target.subjects = input.subjectIds.length;
      } else {
        const scope = await repository.findScope(this.db, incidentId, input.scopeVersion ?? undefined);
        if (!scope)
          throw new DomainError('bad-request', 'Compute the blast radius first, or name the subjects.');
        scopeVersion = scope.version;
        target.scopeVersion = scope.version;
        target.subjects = scope.subjects;
      }
    }

    // Effects outside our transaction (identity, keys), unless this is a drill.
    let result: Record<string, string | number | boolean | null> = simulated ? { simulated: true } : {};
    if (!simulated) {
      const context = caller.context;
      switch (input.kind) {
        case 'suspend-user': {
          await this.deps.identity.updateUser(context, input.userId as string, { status: 'disabled' });
          result = { status: 'disabled', sessionsRevoked: true };
          break;
        }
        case 'revoke-sessions':
          result = { ...(await this.deps.identity.revokeUserSessions(context, input.userId as string)) };
          break;
        case 'revoke-api-tokens':
          result = { ...(await this.deps.identity.revokeUserApiTokens(context, input.userId as string)) };
          break;
        case 'rotate-keys': {
          if (!this.deps.keys) throw new DomainError('vault-keys-unavailable');
          const rotation = await this.deps.keys.rotate(auditActorOf(context));
          result = {
            status: rotation.status,
            rotationId: rotation.rotationId,
            rewrapped: rotation.rewrapped,
            remaining: rotation.remaining,
          };
          break;
        }
        default:
          break;
      }
    }

    await this.db.transaction().execute(async (trx) => {
      const locked = await this.incidents.incident(trx, incidentId, true);
      if (locked.state === 'closed') throw new DomainError('incident-state', 'The incident is closed.');
      await repository.insertContainment(trx, {
        id,
        incident_id: incidentId,
        kind: input.kind,
        target,
        result,
        simulated,
        reversible: REVERSIBLE[input.kind],
        state: REVERSIBLE[input.kind] ? 'active' : 'done',
        taken_by: principal.userId,
        taken_at: this.#now(),
      });
      if (!simulated && NEEDS_SUBJECTS.has(input.kind)) {
        const kind = input.kind === 'freeze-records' ? 'freeze' : 'change-hold';
        const placed =
          scopeVersion !== null
            ? await repository.insertControlsFromScope(trx, id, kind, incidentId, scopeVersion)
            : await repository.insertControls(trx, id, kind, input.subjectIds ?? []);
        result = { ...result, subjects: placed };
        if (input.kind === 'hold-changes' && this.deps.payouts) {
          // Their payouts not yet paid wait for re-verification too (S4.3).
          const candidates = await this.deps.payouts.claimantsWithPendingPayouts(trx);
          const held = await repository.controlledAmong(trx, 'change-hold', candidates);
          result.payoutsHeld = await this.deps.payouts.holdPendingPayouts(trx, [...held], {
            actor: auditActorOf(caller.context),
            requestId: caller.context.requestId,
            incidentId,
          });
        }
        await repository.updateContainment(trx, id, { result });
      }
      await this.incidents.log(trx, caller, incidentId, 'containment-taken', {
        actionId: id,
        kind: input.kind,
        simulated,
        ...target,
        ...Object.fromEntries(Object.entries(result).map(([key, value]) => [`result.${key}`, value])),
      });
    });
    return this.view(incidentId, id);
  }

  /** The maker's half of undoing an action: a reason, then a second security officer approves. */
  async requestReversal(
    caller: IncidentCaller,
    incidentId: string,
    actionId: string,
    reason: string,
  ): Promise<ContainmentView> {
    const principal = staffOf(caller);
    await this.db.transaction().execute(async (trx) => {
      const action = await this.action(trx, incidentId, actionId);
      if (!action.reversible) throw new DomainError('incident-state', `${action.kind} cannot be undone.`);
      if (action.state !== 'active')
        throw new DomainError('incident-state', `The action is ${action.state}.`);
      await repository.updateContainment(trx, actionId, {
        state: 'reversal-requested',
        reversal_requested_by: principal.userId,
        reversal_requested_at: this.#now(),
        reversal_reason: reason,
      });
      await this.incidents.log(trx, caller, incidentId, 'containment-reversal-requested', {
        actionId,
        kind: action.kind,
      });
    });
    return this.view(incidentId, actionId);
  }

  /** The checker's half: another security officer approves, and the action is undone. */
  async approveReversal(
    caller: IncidentCaller,
    incidentId: string,
    actionId: string,
  ): Promise<ContainmentView> {
    const principal = staffOf(caller);
    const action = await this.action(this.db, incidentId, actionId);
    if (action.state !== 'reversal-requested')
      throw new DomainError('incident-state', 'No reversal of this action is waiting for approval.');
    if (action.reversal_requested_by === principal.userId) {
      await this.db
        .transaction()
        .execute((trx) =>
          this.incidents.log(
            trx,
            caller,
            incidentId,
            'containment-reversal-refused',
            { actionId, reason: 'own-request' },
            'denied',
          ),
        );
      throw new DomainError('four-eyes-required', 'A second security officer approves the reversal.');
    }
    if (!action.simulated && action.kind === 'suspend-user')
      await this.deps.identity.updateUser(caller.context, String(action.target.userId), { status: 'active' });
    await this.db.transaction().execute(async (trx) => {
      const locked = await this.action(trx, incidentId, actionId, true);
      if (locked.state !== 'reversal-requested')
        throw new DomainError('incident-state', 'No reversal of this action is waiting for approval.');
      const now = this.#now();
      const lifted = await repository.liftControls(trx, actionId, now);
      await repository.updateContainment(trx, actionId, {
        state: 'reversed',
        reversed_by: principal.userId,
        reversed_at: now,
      });
      await this.incidents.log(trx, caller, incidentId, 'containment-reversed', {
        actionId,
        kind: locked.kind,
        requestedBy: locked.reversal_requested_by,
        liftedSubjects: lifted,
      });
    });
    return this.view(incidentId, actionId);
  }

  async rejectReversal(
    caller: IncidentCaller,
    incidentId: string,
    actionId: string,
  ): Promise<ContainmentView> {
    staffOf(caller);
    await this.db.transaction().execute(async (trx) => {
      const action = await this.action(trx, incidentId, actionId, true);
      if (action.state !== 'reversal-requested')
        throw new DomainError('incident-state', 'No reversal of this action is waiting for approval.');
      await repository.updateContainment(trx, actionId, {
        state: 'active',
        reversal_requested_by: null,
        reversal_requested_at: null,
        reversal_reason: null,
      });
      await this.incidents.log(trx, caller, incidentId, 'containment-reversal-rejected', {
        actionId,
        kind: action.kind,
        requestedBy: action.reversal_requested_by,
      });
    });
    return this.view(incidentId, actionId);
  }

  /**
   * Lifts the change hold on one customer once they are re-verified (called back on the number on file,
   * identity checked): their contact and payee changes go through again; the hold stays for the others.
   */
  async reverifySubject(
    caller: IncidentCaller,
    incidentId: string,
    actionId: string,
    subjectId: string,
  ): Promise<{ lifted: boolean }> {
    staffOf(caller);
    return this.db.transaction().execute(async (trx) => {
      const action = await this.action(trx, incidentId, actionId, true);
      if (action.kind !== 'hold-changes')
        throw new DomainError('bad-request', 'Only a change hold is lifted per customer.');
      const lifted = await repository.liftSubjectControl(trx, actionId, subjectId, this.#now());
      if (!lifted) throw new DomainError('not-found', 'This customer is not held by this action.');
      await this.incidents.log(trx, caller, incidentId, 'subject-reverified', { actionId, subjectId });
      return { lifted };
    });
  }

  private async action(db: Db, incidentId: string, actionId: string, lock = false) {
    const action = await repository.findContainment(db, incidentId, actionId, lock);
    if (!action) throw new DomainError('not-found', 'No such containment action.');
    return action;
  }

  private async view(incidentId: string, actionId: string): Promise<ContainmentView> {
    return containmentView(await this.action(this.db, incidentId, actionId));
  }
}
