import { isApiProblem } from '../../api/api-client';
import type { Payout, PayoutState } from './payouts-api';

/**
 * Tag colours of a payout's states: waiting in orange, ready in blue, held in red, moving money in gold,
 * paid in green, dropped in grey.
 */
export const PAYOUT_STATE_COLOURS: Record<PayoutState, string> = {
  proposed: 'orange',
  approved: 'blue',
  'on-hold': 'red',
  executing: 'gold',
  paid: 'green',
  'sent-back': 'default',
};

/** The tag of a payout state; a state this console does not know yet is shown as it came, in grey. */
export function payoutTagOf(state: string): { colour: string; known: boolean } {
  return Object.hasOwn(PAYOUT_STATE_COLOURS, state)
    ? { colour: PAYOUT_STATE_COLOURS[state as PayoutState], known: true }
    : { colour: 'default', known: false };
}

export type ApprovalProgress = {
  given: number;
  required: number;
  /** Approved once above the first approver's limit: a second, different supervisor must approve too. */
  awaitingSecond: boolean;
};

export function approvalProgress(
  payout: Pick<Payout, 'state' | 'approvals' | 'approvalsRequired'>,
): ApprovalProgress {
  const given = payout.approvals.length;
  const required = Math.max(payout.approvalsRequired, 1);
  const pending = payout.state === 'proposed' || payout.state === 'on-hold';
  return { given, required, awaitingSecond: pending && given > 0 && given < required };
}

export type PayoutActions = {
  approve: boolean;
  reverify: boolean;
  /** Pay an approved payout. */
  execute: boolean;
  /** Finish a payment that was started (`executing`): retried with the key it was started under. */
  resume: boolean;
};

/**
 * Which buttons a person sees on a payout (the server decides every request on its own): a supervisor
 * approves a proposed payout they have not approved yet and did not propose, and re-verifies a held one
 * they did not cause; finance pays an approved payout or resumes one being paid.
 */
export function payoutActions(
  payout: Pick<Payout, 'state' | 'approvals' | 'proposedBy' | 'hold'>,
  who: { userId: string | undefined; mayApprove: boolean; mayExecute: boolean },
): PayoutActions {
  const mine = (id: string | null | undefined) => who.userId !== undefined && id === who.userId;
  const approvedByMe = payout.approvals.some((approval) => mine(approval.approverId));
  return {
    approve: who.mayApprove && payout.state === 'proposed' && !approvedByMe && !mine(payout.proposedBy),
    reverify:
      who.mayApprove && payout.state === 'on-hold' && !mine(payout.hold?.heldBy) && !mine(payout.proposedBy),
    execute: who.mayExecute && payout.state === 'approved',
    resume: who.mayExecute && payout.state === 'executing',
  };
}

/** The payouts that still count (not sent back): at most one per claim is open. */
export function openPayoutOf(payouts: readonly Payout[]): Payout | undefined {
  return payouts.find((payout) => payout.state !== 'sent-back' && payout.state !== 'paid');
}

/**
 * An amount as the server takes it ("1234.50"): digits with at most two decimals; thousands separators
 * and spaces are dropped. Undefined when it is not a positive amount of at most 12 integer digits.
 */
export function normaliseAmount(text: string): string | undefined {
  const value = text.replace(/[\s,，]/g, '');
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) return undefined;
  const integer = String(Number(match[1]));
  const amount = `${integer}.${(match[2] ?? '').padEnd(2, '0')}`;
  return Number(amount) > 0 ? amount : undefined;
}

/**
 * Idempotency keys of payment attempts, one per payout: made once (a UUID) when the person first clicks
 * "pay", and handed out again for every retry of that attempt (a network error, a bank that did not
 * answer, a step-up) so the server resumes the first attempt instead of starting a second payment. The
 * key is dropped only once the payout is settled. A payment the server already started (`executing`)
 * is resumed with the key it was started under.
 */
export class ExecutionKeys {
  private readonly keys = new Map<string, string>();

  constructor(private readonly generate: () => string = () => crypto.randomUUID()) {}

  /** The key for paying this payout now. */
  keyFor(payout: Pick<Payout, 'id' | 'state' | 'payment'>): string {
    const started = payout.state === 'executing' ? payout.payment?.idempotencyKey : undefined;
    const key = started ?? this.keys.get(payout.id) ?? this.generate();
    this.keys.set(payout.id, key);
    return key;
  }

  /** The key kept for a payout, if an attempt is pending. */
  peek(payoutId: string): string | undefined {
    return this.keys.get(payoutId);
  }

  /** The payout is paid (or paid under another key): its attempt is over. */
  settle(payoutId: string): void {
    this.keys.delete(payoutId);
  }

  /**
   * After a failed attempt: the key is kept for the retry (the request may have reached the server, or
   * the bank may not have answered), unless the server said the key can never succeed for this payout.
   */
  failed(payoutId: string, error: unknown): void {
    if (isApiProblem(error, 'idempotency-key-conflict')) this.settle(payoutId);
  }
}

/** The console's keeper: outlives the claim page, so leaving and coming back still retries with the same key. */
export const executionKeys = new ExecutionKeys();

/** The finance queue's tabs, in the order of the work: ready to pay, held, being paid, paid. */
export const QUEUE_STATES = [
  'approved',
  'on-hold',
  'executing',
  'paid',
] as const satisfies readonly PayoutState[];
export type QueueState = (typeof QUEUE_STATES)[number];

/** The tab named in the address (anyone can edit it): a known queue state, else the payouts ready to pay. */
export function queueStateOf(value: string | null): QueueState {
  return (QUEUE_STATES as readonly string[]).includes(value ?? '') ? (value as QueueState) : 'approved';
}

/** The time that matters in a payout's queue: approved, held, payment started or paid. */
export function queueTimeOf(
  payout: Pick<Payout, 'state' | 'approvedAt' | 'hold' | 'payment' | 'paidAt' | 'proposedAt'>,
): string {
  switch (payout.state) {
    case 'approved':
      return payout.approvedAt ?? payout.proposedAt;
    case 'on-hold':
      return payout.hold?.heldAt ?? payout.proposedAt;
    case 'executing':
      return payout.payment?.startedAt ?? payout.approvedAt ?? payout.proposedAt;
    case 'paid':
      return payout.paidAt ?? payout.proposedAt;
    default:
      return payout.proposedAt;
  }
}
