import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { AppAbility } from '../access/abilities.js';
import type { BreakGlassService } from '../access/break-glass.service.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import {
  type AuditActor,
  type AuditEventInput,
  type AuditRecorder,
  SYSTEM_ACTOR,
} from '../audit/audit-event.js';
import { type ClaimsService, denied, pendingDenialOf } from '../claims/claims.service.js';
import type { BankAccountView, CustomerService, NewBankAccount } from '../claims/customers.service.js';
import type { VaultAccess } from '../vault/vault.service.js';
import type { PaymentGateway, Transfer } from './payment-gateway.js';
import * as repository from './payouts.repository.js';
import type { HoldReason, PayoutState } from './payouts.tables.js';

/**
 * Claim payouts (S3.3), maker-checker:
 * - the adjuster assigned to the claim proposes an amount to a bank account of the claimant whose holder
 *   is the claimant (compared inside the vault); the claim moves adjusting → approving;
 * - a claims supervisor of the claim's branch approves with a fresh second factor, within their approval
 *   limit; above it a second, different supervisor must approve too; nobody approves their own proposal
 *   or twice; the final approval moves the claim approving → paying;
 * - a changed payee, or a new account added to the claimant, puts the payout on hold, raises a security
 *   alert and waits for a supervisor (not the one who changed it) to re-verify it;
 * - a security incident holding the claimant's changes (containment `hold-changes`, S4.3) puts their
 *   pending payouts on hold (`incident-hold`, through {@link PayoutsService.holdPendingPayouts}, which
 *   server.ts hands to containment) and holds new proposals at once; re-verification is refused until the
 *   incident's hold on the customer is lifted;
 * - finance executes it under an idempotency key: approved → executing (key reserved in the same
 *   transaction) → bank transfer (idempotent on the key) → paid; the claim moves paying → closed.
 *   A retry with the same key resumes or repeats the first answer; another key is refused.
 */
type Db = Kysely<Database>;

/** A personal value as this module sends it out: masked, always (checked, not assumed). */
export type Masked = { value: string; masked: true };

export type MaskedBankAccount = {
  id: string;
  bankName: string;
  number: Masked;
  holderName: Masked;
  createdAt: Date;
  verifiedAt: Date | null;
};

export type PayoutCaller = { context: RequestContext; ability: AppAbility };

/** A payout as its claimant sees it: no staff, no approvals, no payment keys; the account masked. */
export type ClaimantPayoutView = {
  amount: string;
  currency: string;
  state: 'proposed' | 'approved' | 'paid';
  payee: { bankName: string; number: Masked } | null;
  proposedAt: Date;
  paidAt: Date | null;
};

export type PayoutView = {
  id: string;
  claimId: string;
  amount: string;
  currency: string;
  state: PayoutState;
  payee: Omit<MaskedBankAccount, 'createdAt' | 'verifiedAt'> | null;
  proposedBy: string;
  proposedAt: Date;
  approvalsRequired: number;
  approvals: { approverId: string; approverRole: string; approvedAt: Date }[];
  hold: { reason: HoldReason; heldAt: Date | null; heldBy: string | null } | null;
  reverifiedBy: string | null;
  reverifiedAt: Date | null;
  approvedAt: Date | null;
  paidAt: Date | null;
  providerReference: string | null;
  payment: {
    state: 'executing' | 'paid';
    idempotencyKey: string;
    attempts: number;
    startedAt: Date;
    paidAt: Date | null;
  } | null;
  version: number;
};

export type ExecutionResult = { payout: PayoutView; replayed: boolean };

const PURPOSE = 'payout' as const;
const PAGE_MAX = 200;

export class PayoutsService {
  constructor(
    private readonly db: Db,
    private readonly claims: ClaimsService,
    private readonly customers: CustomerService,
    private readonly audit: AuditRecorder,
    private readonly alerts: Pick<BreakGlassService, 'raiseAlert'>,
    private readonly gateway: PaymentGateway,
  ) {
    // A claim sent back (approving → adjusting) or rejected through the transition endpoint takes its
    // open payout proposal with it, in the same transaction.
    claims.onClaimMoved({
      claimMoved: async (trx, { claim, from, to }) => {
        if (from !== 'approving' || to === 'paying') return;
        const open = await repository.openPayoutOfClaim(trx, claim.id, true);
        if (!open || (open.state !== 'proposed' && open.state !== 'on-hold')) return;
        await repository.updatePayout(trx, open.id, {
          state: 'sent-back',
          held_from: null,
          hold_reason: null,
        });
        await this.audit.record(trx, {
          actor: SYSTEM_ACTOR,
          action: 'payout.sent-back',
          resource: { type: 'payout', id: open.id },
          dataSubjectId: claim.claimant_id,
          fields: [],
          purpose: null,
          outcome: 'success',
          requestId: null,
          details: { claimId: claim.id, claimState: to },
        });
      },
    });
    // A new account for a claimant with a pending payout is the classic fraud path: hold and alert.
    customers.onBankAccountAdded({
      bankAccountAdded: async (trx, { customerId, accountId, context }) => {
        const pending = await repository.holdablePayoutsOfClaimant(trx, customerId);
        for (const payout of pending)
          await this.hold(trx, payout, 'account-added', context.actor, context.requestId ?? null, {
            accountId,
          });
      },
    });
  }

  /**
   * Containment's side (S4.3): the claimants with payouts proposed or approved (not yet executing). Pending
   * payouts are few, so containment asks for these and checks them against its hold, instead of handing
   * over a blast radius of a million subjects.
   */
  async claimantsWithPendingPayouts(db: Db): Promise<string[]> {
    return repository.claimantsWithPendingPayouts(db);
  }

  /**
   * Puts the proposed and approved payouts of these customers on hold (`incident-hold`), in the caller's
   * transaction (containment's, so the hold commits with the incident's action), audited per payout with
   * the incident. They wait for a supervisor's re-verification, which is refused while the incident's
   * hold on the customer stands. Returns how many payouts were held.
   */
  async holdPendingPayouts(
    db: Db,
    customerIds: readonly string[],
    event: { actor: AuditActor; requestId: string | null; incidentId: string },
  ): Promise<number> {
    let held = 0;
    for (const customerId of customerIds) {
      for (const payout of await repository.holdablePayoutsOfClaimant(db, customerId)) {
        if (payout.state === 'on-hold') continue; // waits for a re-verification already
        await this.hold(db, payout, 'incident-hold', event.actor, event.requestId, {
          incidentId: event.incidentId,
        });
        held++;
      }
    }
    return held;
  }

  /** The adjuster's proposal (maker). */
  async propose(
    caller: PayoutCaller,
    claimId: string,
    input: { amount: string; payeeAccountId: string; claimVersion: number },
  ): Promise<PayoutView> {
    const user = staffOf(caller);
    return this.run(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'update');
      if (user.role !== 'adjuster' || claim.assignee_id !== user.userId)
        throw denied(
          new DomainError('forbidden', 'Only the adjuster assigned to the claim proposes its payout.'),
          caller,
          'payout.propose',
          { type: 'claim', id: claimId },
          claim.claimant_id,
        );
      if (claim.state !== 'adjusting')
        throw new DomainError('illegal-transition', 'A payout is proposed on a claim in adjusting.', {
          from: claim.state,
          to: 'approving',
        });
      const policy = await this.customers.policy(trx, claim.policy_id);
      if (policy && cents(input.amount) > cents(policy.sum_insured))
        throw new DomainError('bad-request', 'The amount exceeds the sum insured.');
      await this.checkPayee(trx, caller, claim, input.payeeAccountId, 'payout.propose');
      if (await repository.openPayoutOfClaim(trx, claimId))
        throw new DomainError('conflict', 'The claim has an open payout.');
      const id = randomUUID();
      await repository.insertPayout(trx, {
        id,
        claim_id: claimId,
        amount: decimal(input.amount),
        currency: policy?.currency ?? 'CNY',
        payee_account_id: input.payeeAccountId,
        state: 'proposed',
        held_from: null,
        hold_reason: null,
        held_at: null,
        held_by: null,
        reverified_by: null,
        reverified_at: null,
        proposed_by: user.userId,
        approved_at: null,
        paid_at: null,
        provider_reference: null,
      });
      await this.claims.workflowTransition(
        trx,
        caller.context,
        claimId,
        input.claimVersion,
        'approving',
        'payout-proposed',
      );
      await this.record(trx, caller, 'payout.propose', id, claim.claimant_id, {
        claimId,
        amount: decimal(input.amount),
      });
      // Proposed while a security incident holds the claimant's changes: held from the start (S4.3).
      if (await this.customers.changesHeld(trx, claim.claimant_id)) {
        const row = await this.lockedPayout(trx, id);
        await this.hold(trx, row, 'incident-hold', SYSTEM_ACTOR, caller.context.requestId, {});
      }
      return this.viewOne(trx, caller, id);
    });
  }

  /** A supervisor's approval (checker), within their limit; above it, a second supervisor's too. */
  async approve(caller: PayoutCaller, payoutId: string): Promise<PayoutView> {
    const user = staffOf(caller);
    return this.run(async (trx) => {
      const payout = await this.lockedPayout(trx, payoutId);
      const claim = await this.claims.claimForDuty(trx, caller, payout.claim_id, 'update');
      if (user.role !== 'claims_supervisor') throw new DomainError('forbidden');
      if (payout.state === 'on-hold') throw new DomainError('payout-on-hold');
      if (payout.state !== 'proposed')
        throw new DomainError('payout-state', `The payout is ${payout.state}.`);
      const resource = { type: 'payout', id: payoutId };
      if (payout.proposed_by === user.userId)
        throw denied(
          new DomainError('four-eyes-required', 'Nobody approves their own proposal.'),
          caller,
          'payout.approve',
          resource,
          claim.claimant_id,
          'own-proposal',
        );
      const approvals = await repository.approvalsOf(trx, [payoutId]);
      if (approvals.some((approval) => approval.approver_id === user.userId))
        throw denied(
          new DomainError('already-approved'),
          caller,
          'payout.approve',
          resource,
          claim.claimant_id,
          'same-approver',
        );
      const limit = (await repository.approvalLimitOf(trx, user.userId, user.role))?.amount ?? '0.00';
      await repository.insertApproval(trx, {
        payout_id: payoutId,
        approver_id: user.userId,
        approver_role: user.role,
        limit_applied: limit,
      });
      const count = approvals.length + 1;
      const withinLimit = cents(payout.amount) <= cents(limit);
      const final = withinLimit || count >= 2;
      if (final) {
        await repository.updatePayout(trx, payoutId, {
          state: 'approved',
          approved_at: new Date(),
          approvals_required: count,
        });
        await this.claims.workflowTransition(
          trx,
          caller.context,
          claim.id,
          claim.version,
          'paying',
          'payout-approved',
        );
      } else {
        await repository.updatePayout(trx, payoutId, { approvals_required: 2 });
      }
      await this.record(trx, caller, 'payout.approve', payoutId, claim.claimant_id, {
        approvals: count,
        final,
        withinLimit,
      });
      return this.viewOne(trx, caller, payoutId);
    });
  }

  /** Changes the payee account: the payout goes on hold until a supervisor re-verifies it. */
  async changePayee(caller: PayoutCaller, payoutId: string, payeeAccountId: string): Promise<PayoutView> {
    const user = staffOf(caller);
    return this.run(async (trx) => {
      const payout = await this.lockedPayout(trx, payoutId);
      const claim = await this.claims.claimForDuty(trx, caller, payout.claim_id, 'update');
      if (user.role !== 'adjuster' || claim.assignee_id !== user.userId) throw new DomainError('forbidden');
      if (!['proposed', 'approved', 'on-hold'].includes(payout.state))
        throw new DomainError('payout-state', `The payout is ${payout.state}.`);
      if (payout.payee_account_id === payeeAccountId)
        throw new DomainError('bad-request', 'This account is already the payee.');
      await this.customers.assertChangesAllowed(trx, claim.claimant_id);
      await this.checkPayee(trx, caller, claim, payeeAccountId, 'payout.change-payee');
      await repository.updatePayout(trx, payoutId, { payee_account_id: payeeAccountId });
      await this.hold(
        trx,
        { ...payout, payee_account_id: payeeAccountId },
        'payee-changed',
        auditActorOf(caller.context),
        caller.context.requestId,
        {},
      );
      return this.viewOne(trx, caller, payoutId);
    });
  }

  /** A supervisor of the branch (not the one who caused the hold) re-verifies the payee and lifts the hold. */
  async reverify(caller: PayoutCaller, payoutId: string): Promise<PayoutView> {
    const user = staffOf(caller);
    return this.run(async (trx) => {
      const payout = await this.lockedPayout(trx, payoutId);
      const claim = await this.claims.claimForDuty(trx, caller, payout.claim_id, 'update');
      if (user.role !== 'claims_supervisor') throw new DomainError('forbidden');
      if (payout.state !== 'on-hold' || !payout.held_from)
        throw new DomainError('payout-state', 'The payout is not on hold.');
      if (payout.held_by === user.userId || payout.proposed_by === user.userId)
        throw denied(
          new DomainError('four-eyes-required', 'Nobody re-verifies a change they made.'),
          caller,
          'payout.reverify',
          { type: 'payout', id: payoutId },
          claim.claimant_id,
          'own-change',
        );
      // While a security incident holds the claimant's changes, nothing about their payee is re-verified.
      await this.customers.assertChangesAllowed(trx, claim.claimant_id);
      await this.checkPayee(trx, caller, claim, payout.payee_account_id, 'payout.reverify');
      await repository.updatePayout(trx, payoutId, {
        state: payout.held_from,
        held_from: null,
        hold_reason: null,
        reverified_by: user.userId,
        reverified_at: new Date(),
      });
      await this.record(trx, caller, 'payout.reverify', payoutId, claim.claimant_id, {
        holdReason: payout.hold_reason,
        state: payout.held_from,
      });
      return this.viewOne(trx, caller, payoutId);
    });
  }

  /**
   * Pays an approved payout under the caller's idempotency key:
   * 1. in one transaction: the key is reserved (unique row), the payment row created `executing` and the
   *    payout moved to `executing`, or, for the same key, the existing payment is picked up again;
   * 2. outside any transaction: the bank transfer, idempotent on the key;
   * 3. in one transaction: payment and payout `paid`, claim closed, audited.
   * A crash between 2 and 3 leaves the payment `executing`; a retry with the same key asks the bank again,
   * gets the same transfer back, and finishes step 3: the money moves once.
   */
  async execute(caller: PayoutCaller, payoutId: string, idempotencyKey: string): Promise<ExecutionResult> {
    const user = staffOf(caller);
    const started = await this.run(async (trx) => {
      const payout = await this.lockedPayout(trx, payoutId);
      const claim = await this.claims.claimForDuty(trx, caller, payout.claim_id, 'read');
      let [payment] = await repository.paymentsOf(trx, [payoutId]);
      if (payment) {
        if (payment.idempotency_key !== idempotencyKey)
          throw new DomainError(
            'idempotency-key-conflict',
            'The payout is paid or being paid under another key.',
          );
        if (payment.state === 'paid') return { replay: true as const };
      } else {
        if (payout.state === 'on-hold') throw new DomainError('payout-on-hold');
        if (payout.state !== 'approved')
          throw new DomainError(
            'payout-state',
            `Only an approved payout is paid; this one is ${payout.state}.`,
          );
        if (await repository.findIdempotencyKey(trx, idempotencyKey))
          throw new DomainError('idempotency-key-conflict', 'The key was used for another payout.');
        await repository.insertIdempotencyKey(trx, {
          key: idempotencyKey,
          payout_id: payoutId,
          requested_by: user.userId,
        });
        await repository.insertPayment(trx, {
          id: randomUUID(),
          payout_id: payoutId,
          idempotency_key: idempotencyKey,
          state: 'executing',
          amount: payout.amount,
          currency: payout.currency,
          payee_account_id: payout.payee_account_id,
          requested_by: user.userId,
        });
        await repository.updatePayout(trx, payoutId, { state: 'executing' });
        await this.record(trx, caller, 'payout.execution-started', payoutId, claim.claimant_id, {
          idempotencyKey,
        });
        [payment] = await repository.paymentsOf(trx, [payoutId]);
      }
      const current = payment as repository.PaymentRow;
      await repository.countAttempt(trx, current.id);
      // The bank needs the account in clear: read for the payout purpose, audited as an unmask.
      const [payee] = await this.customers.viewBankAccounts(trx, [current.payee_account_id], {
        ...this.access(caller, { type: 'payout', id: payoutId }),
        unmask: true,
      });
      if (!payee) throw new DomainError('internal');
      return { replay: false as const, payment: current, payee };
    });
    if (started.replay) return { payout: await this.viewIn(caller, payoutId), replayed: true };

    let transfer: Transfer;
    try {
      transfer = await this.gateway.transfer({
        idempotencyKey,
        amount: started.payment.amount,
        currency: started.payment.currency,
        payee: {
          accountId: started.payee.id,
          bankName: started.payee.bankName,
          number: started.payee.number.value,
          holderName: started.payee.holderName.value,
        },
      });
    } catch {
      await this.audit.record(this.db, {
        ...this.eventBase(caller, 'payout.execution-failed', payoutId, null),
        outcome: 'failure',
        details: { idempotencyKey },
      });
      throw new DomainError('payment-failed');
    }

    const replayed = await this.run(async (trx) => {
      const payout = await this.lockedPayout(trx, payoutId);
      const marked = await repository.markPaymentPaid(
        trx,
        started.payment.id,
        transfer.transferId,
        new Date(),
      );
      // Another attempt with the same key finished first: its answer is this one's.
      if (!marked) return true;
      await repository.updatePayout(trx, payoutId, {
        state: 'paid',
        paid_at: new Date(),
        provider_reference: transfer.transferId,
      });
      const claim = await this.claims.claimForDuty(trx, caller, payout.claim_id, 'read');
      await this.claims.workflowTransition(
        trx,
        caller.context,
        claim.id,
        claim.version,
        'closed',
        'payout-paid',
      );
      await this.record(trx, caller, 'payout.paid', payoutId, claim.claimant_id, {
        idempotencyKey,
        providerReference: transfer.transferId,
        amount: started.payment.amount,
      });
      return false;
    });
    return { payout: await this.viewIn(caller, payoutId), replayed };
  }

  /** The payouts of a claim, for those who may read the claim. */
  async listForClaim(caller: PayoutCaller, claimId: string): Promise<PayoutView[]> {
    return this.run(async (trx) => {
      await this.claims.claimForDuty(trx, caller, claimId, 'read');
      return this.viewsOf(trx, caller, await repository.payoutsOfClaim(trx, claimId));
    });
  }

  /**
   * What the claimant sees of their claim's payouts in the portal (section 8): amount, state, the bank and
   * masked card number paid to, and when. The caller is the customer (`customerId`, checked against the
   * claimant by the claims service); the masked account is read for `data-subject-request` and audited.
   * Proposals sent back are left out: they were never decided.
   */
  async forClaimant(
    caller: PayoutCaller & { customerId: string },
    claimId: string,
  ): Promise<ClaimantPayoutView[]> {
    return this.run(async (trx) => {
      await this.claims.claimForDuty(trx, caller, claimId, 'read');
      const rows = (await repository.payoutsOfClaim(trx, claimId)).filter((row) => row.state !== 'sent-back');
      if (rows.length === 0) return [];
      const payees = await this.customers.viewBankAccounts(
        trx,
        [...new Set(rows.map((row) => row.payee_account_id))],
        {
          actor: auditActorOf(caller.context),
          purpose: 'data-subject-request',
          requestId: caller.context.requestId,
          resource: { type: 'claim', id: claimId },
          unmask: false,
        },
      );
      const payeeOf = new Map(payees.map((payee) => [payee.id, payee]));
      return rows.map((row) => {
        const payee = payeeOf.get(row.payee_account_id);
        return {
          amount: row.amount,
          currency: row.currency,
          // Held or executing is, for the customer, still on its way.
          state: row.state === 'paid' ? 'paid' : row.state === 'proposed' ? 'proposed' : 'approved',
          payee: payee ? { bankName: payee.bankName, number: masked(payee.number) } : null,
          proposedAt: row.proposed_at,
          paidAt: row.paid_at,
        };
      });
    });
  }

  /** Finance's queue: payouts by state, oldest proposal first. */
  async list(
    caller: PayoutCaller,
    filter: { states?: readonly PayoutState[] },
    page: { limit: number; offset: number },
  ): Promise<{ items: PayoutView[]; total: number }> {
    return this.run(async (trx) => {
      const { rows, total } = await repository.listPayouts(trx, filter, {
        limit: Math.min(page.limit, PAGE_MAX),
        offset: page.offset,
      });
      return { items: await this.viewsOf(trx, caller, rows), total };
    });
  }

  /** The claimant's bank accounts, masked, for choosing a payee. */
  async payeeAccounts(caller: PayoutCaller, claimId: string): Promise<MaskedBankAccount[]> {
    return this.run(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'read');
      const ids = await this.customers.bankAccountIdsOf(trx, claim.claimant_id);
      const views = await this.customers.viewBankAccounts(trx, ids, {
        ...this.access(caller, { type: 'claim', id: claimId }),
        unmask: false,
      });
      return views.map(maskedAccount);
    });
  }

  /** Adds a bank account to the claimant (a pending payout of theirs goes on hold). */
  async addPayeeAccount(
    caller: PayoutCaller,
    claimId: string,
    input: NewBankAccount,
  ): Promise<MaskedBankAccount> {
    return this.run(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'update');
      const id = await this.customers.addBankAccount(trx, claim.claimant_id, input, {
        actor: auditActorOf(caller.context),
        requestId: caller.context.requestId,
      });
      await this.audit.record(trx, {
        ...this.eventBase(caller, 'customer.bank-account.add', id, claim.claimant_id),
        resource: { type: 'bank_account', id },
        fields: ['bank_account.number', 'bank_account.holder_name'],
        details: { claimId },
      });
      const [view] = await this.customers.viewBankAccounts(trx, [id], {
        ...this.access(caller, { type: 'claim', id: claimId }),
        unmask: false,
      });
      return maskedAccount(view as BankAccountView);
    });
  }

  private async hold(
    trx: Db,
    payout: repository.PayoutRow,
    reason: HoldReason,
    actor: AuditActor,
    requestId: string | null,
    details: Record<string, string>,
  ): Promise<void> {
    const heldBy = actor.type === 'staff' ? actor.id : null;
    await repository.updatePayout(trx, payout.id, {
      state: 'on-hold',
      held_from: payout.state === 'on-hold' ? payout.held_from : (payout.state as 'proposed' | 'approved'),
      hold_reason: reason,
      held_at: new Date(),
      held_by: heldBy,
      reverified_by: null,
      reverified_at: null,
    });
    await this.audit.record(trx, {
      actor,
      action: 'payout.hold',
      resource: { type: 'payout', id: payout.id },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId,
      details: { reason, claimId: payout.claim_id, ...details },
    });
    // An incident's hold is the security officers' own decision: it needs no alert to them.
    if (reason === 'incident-hold') return;
    await this.alerts.raiseAlert(trx, {
      kind: reason === 'payee-changed' ? 'payout-payee-changed' : 'payout-account-added',
      severity: 'critical',
      subjectUserId: heldBy,
      details: { payoutId: payout.id, claimId: payout.claim_id, reason, ...details },
    });
  }

  /** The account must be the claimant's and its holder the claimant (compared inside the vault). */
  private async checkPayee(
    trx: Db,
    caller: PayoutCaller,
    claim: { id: string; claimant_id: string },
    accountId: string,
    action: string,
  ): Promise<void> {
    const account = await this.customers.bankAccount(trx, accountId);
    const resource = { type: 'claim', id: claim.id };
    if (!account || account.customerId !== claim.claimant_id)
      throw denied(
        new DomainError('payee-not-claimant'),
        caller,
        action,
        resource,
        claim.claimant_id,
        'payee-not-claimant',
      );
    const same = await this.customers.accountHolderIsCustomer(
      trx,
      accountId,
      claim.claimant_id,
      this.access(caller, resource),
    );
    if (!same)
      throw denied(
        new DomainError('payee-name-mismatch'),
        caller,
        action,
        resource,
        claim.claimant_id,
        'payee-name-mismatch',
      );
  }

  private async lockedPayout(trx: Db, id: string): Promise<repository.PayoutRow> {
    const payout = await repository.findPayout(trx, id, true);
    if (!payout) throw new DomainError('not-found', 'No such payout.');
    return payout;
  }

  private async viewIn(caller: PayoutCaller, id: string): Promise<PayoutView> {
    return this.db.transaction().execute((trx) => this.viewOne(trx, caller, id));
  }

  private async viewOne(trx: Db, caller: PayoutCaller, id: string): Promise<PayoutView> {
    const row = await repository.findPayout(trx, id);
    if (!row) throw new DomainError('not-found', 'No such payout.');
    const [view] = await this.viewsOf(trx, caller, [row]);
    return view as PayoutView;
  }

  private async viewsOf(trx: Db, caller: PayoutCaller, rows: repository.PayoutRow[]): Promise<PayoutView[]> {
    const ids = rows.map((row) => row.id);
    const [approvals, payments] = await Promise.all([
      repository.approvalsOf(trx, ids),
      repository.paymentsOf(trx, ids),
    ]);
    // One masked read per claimant, for the payout purpose (audited by the vault).
    const payees = await this.customers.viewBankAccounts(
      trx,
      [...new Set(rows.map((row) => row.payee_account_id))],
      {
        ...this.access(caller, rows.length === 1 ? { type: 'payout', id: rows[0]?.id as string } : undefined),
        unmask: false,
      },
    );
    const payeeOf = new Map(payees.map((payee) => [payee.id, payee]));
    return rows.map((row) => {
      const payee = payeeOf.get(row.payee_account_id);
      const payment = payments.find((candidate) => candidate.payout_id === row.id);
      return {
        id: row.id,
        claimId: row.claim_id,
        amount: row.amount,
        currency: row.currency,
        state: row.state,
        payee: payee
          ? {
              id: payee.id,
              bankName: payee.bankName,
              number: masked(payee.number),
              holderName: masked(payee.holderName),
            }
          : null,
        proposedBy: row.proposed_by,
        proposedAt: row.proposed_at,
        approvalsRequired: row.approvals_required,
        approvals: approvals
          .filter((approval) => approval.payout_id === row.id)
          .map((approval) => ({
            approverId: approval.approver_id,
            approverRole: approval.approver_role,
            approvedAt: approval.approved_at,
          })),
        hold:
          row.state === 'on-hold' && row.hold_reason
            ? { reason: row.hold_reason, heldAt: row.held_at, heldBy: row.held_by }
            : null,
        reverifiedBy: row.reverified_by,
        reverifiedAt: row.reverified_at,
        approvedAt: row.approved_at,
        paidAt: row.paid_at,
        providerReference: row.provider_reference,
        payment: payment
          ? {
              state: payment.state,
              idempotencyKey: payment.idempotency_key,
              attempts: payment.attempts,
              startedAt: payment.started_at,
              paidAt: payment.paid_at,
            }
          : null,
        version: row.version,
      };
    });
  }

  private access(
    caller: PayoutCaller,
    resource: { type: string; id: string } | undefined,
  ): Omit<VaultAccess, 'unmask'> {
    return {
      actor: auditActorOf(caller.context),
      purpose: PURPOSE,
      requestId: caller.context.requestId,
      ...(resource ? { resource } : {}),
    };
  }

  private eventBase(
    caller: PayoutCaller,
    action: string,
    payoutId: string,
    subjectId: string | null,
  ): AuditEventInput {
    return {
      actor: auditActorOf(caller.context),
      action,
      resource: { type: 'payout', id: payoutId },
      dataSubjectId: subjectId,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: caller.context.requestId,
    };
  }

  private async record(
    trx: Db,
    caller: PayoutCaller,
    action: string,
    payoutId: string,
    subjectId: string,
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    await this.audit.record(trx, { ...this.eventBase(caller, action, payoutId, subjectId), details });
  }

  /**
   * A unit of work in one transaction. A refusal rolls it back, audit events included; its own audit
   * event is then written in a transaction of its own, so every denied attempt is on the record.
   * Two requests racing for one idempotency key meet at its unique index: the loser gets a conflict.
   */
  private async run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(work);
    } catch (error) {
      const denial = pendingDenialOf(error);
      if (denial) await this.audit.record(this.db, denial);
      const { code, constraint } = error as { code?: unknown; constraint?: unknown };
      if (code === '23505') {
        // Unique indexes are the last word when two requests race (SQLSTATE and index name only).
        if (constraint === 'payout_approvals_pk') throw new DomainError('already-approved');
        if (typeof constraint === 'string' && /^(payment_idempotency_keys|payments)_/.test(constraint))
          throw new DomainError('idempotency-key-conflict', 'Another request took this key or payout first.');
        throw new DomainError('conflict', 'Another request changed this payout first.');
      }
      throw error;
    }
  }
}

function masked(value: { value: string; masked: boolean }): Masked {
  // SECURITY: a clear value reaching a response would be a leak; fail instead.
  if (!value.masked) throw new DomainError('internal');
  return { value: value.value, masked: true };
}

function maskedAccount(view: BankAccountView): MaskedBankAccount {
  return {
    id: view.id,
    bankName: view.bankName,
    number: masked(view.number),
    holderName: masked(view.holderName),
    createdAt: view.createdAt,
    verifiedAt: view.verifiedAt,
  };
}

function staffOf(caller: PayoutCaller) {
  const principal = caller.context.principal;
  if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
  return { userId: principal.userId, role: principal.role };
}

/** An amount as cents, exactly (amounts are decimal strings with at most two decimals). */
export function cents(amount: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) throw new DomainError('bad-request', 'An amount is a decimal with at most two decimals.');
  return BigInt(match[1] as string) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

function decimal(amount: string): string {
  const value = cents(amount);
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}
