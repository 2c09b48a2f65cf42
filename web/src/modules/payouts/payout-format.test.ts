import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/api-client';
import {
  approvalProgress,
  ExecutionKeys,
  normaliseAmount,
  openPayoutOf,
  PAYOUT_STATE_COLOURS,
  payoutActions,
  payoutTagOf,
  queueStateOf,
  queueTimeOf,
} from './payout-format';
import { PAYOUT_STATES, type Payout } from './payouts-api';

function payout(overrides: Partial<Payout> = {}): Payout {
  return {
    id: 'p1',
    claimId: 'c1',
    amount: '8600.00',
    currency: 'CNY',
    state: 'proposed',
    payee: null,
    proposedBy: 'adjuster',
    proposedAt: '2026-11-24T08:00:00.000Z',
    approvalsRequired: 1,
    approvals: [],
    hold: null,
    reverifiedBy: null,
    reverifiedAt: null,
    approvedAt: null,
    paidAt: null,
    providerReference: null,
    payment: null,
    version: 1,
    ...overrides,
  };
}

const problem = (code: string, status = 409) =>
  new ApiProblem({ type: `/problems/${code}`, title: code, status });

describe('payout state tags', () => {
  it('has a colour for every state the server knows, distinct for the states finance acts on', () => {
    expect(Object.keys(PAYOUT_STATE_COLOURS).sort()).toEqual([...PAYOUT_STATES].sort());
    const colours = ['approved', 'on-hold', 'executing', 'paid'].map((state) => payoutTagOf(state).colour);
    expect(new Set(colours).size).toBe(4);
    expect(payoutTagOf('paid')).toEqual({ colour: 'green', known: true });
    expect(payoutTagOf('on-hold')).toEqual({ colour: 'red', known: true });
    expect(payoutTagOf('sent-back')).toEqual({ colour: 'default', known: true });
  });

  it('shows an unknown state in grey without failing', () => {
    expect(payoutTagOf('cancelled')).toEqual({ colour: 'default', known: false });
    expect(payoutTagOf('toString')).toEqual({ colour: 'default', known: false });
  });
});

describe('approval progress', () => {
  it('says a second approver is needed after one approval above the limit', () => {
    const once = payout({
      approvalsRequired: 2,
      approvals: [
        { approverId: 's1', approverRole: 'claims_supervisor', approvedAt: '2026-11-24T09:00:00Z' },
      ],
    });
    expect(approvalProgress(once)).toEqual({ given: 1, required: 2, awaitingSecond: true });
  });

  it('does not once the payout is approved, nor before anyone approved', () => {
    expect(approvalProgress(payout()).awaitingSecond).toBe(false);
    const approved = payout({
      state: 'approved',
      approvalsRequired: 1,
      approvals: [
        { approverId: 's1', approverRole: 'claims_supervisor', approvedAt: '2026-11-24T09:00:00Z' },
      ],
    });
    expect(approvalProgress(approved)).toEqual({ given: 1, required: 1, awaitingSecond: false });
  });
});

describe('payout actions', () => {
  const supervisor = { userId: 's1', mayApprove: true, mayExecute: false };
  const finance = { userId: 'f1', mayApprove: false, mayExecute: true };

  it('lets a supervisor approve a proposal once, never their own', () => {
    expect(payoutActions(payout(), supervisor).approve).toBe(true);
    const approvedOnce = payout({
      approvals: [
        { approverId: 's1', approverRole: 'claims_supervisor', approvedAt: '2026-11-24T09:00:00Z' },
      ],
    });
    expect(payoutActions(approvedOnce, supervisor).approve).toBe(false);
    expect(payoutActions(payout({ proposedBy: 's1' }), supervisor).approve).toBe(false);
    expect(payoutActions(payout(), finance).approve).toBe(false);
  });

  it('offers re-verification of a held payout to another supervisor', () => {
    const held = payout({ state: 'on-hold', hold: { reason: 'account-added', heldAt: null, heldBy: 'a1' } });
    expect(payoutActions(held, supervisor)).toMatchObject({ reverify: true, approve: false, execute: false });
    const heldByMe = payout({
      state: 'on-hold',
      hold: { reason: 'payee-changed', heldAt: null, heldBy: 's1' },
    });
    expect(payoutActions(heldByMe, supervisor).reverify).toBe(false);
  });

  it('lets finance pay an approved payout and resume one being paid, nothing else', () => {
    expect(payoutActions(payout({ state: 'approved' }), finance)).toEqual({
      approve: false,
      reverify: false,
      execute: true,
      resume: false,
    });
    expect(payoutActions(payout({ state: 'executing' }), finance).resume).toBe(true);
    for (const state of ['proposed', 'on-hold', 'paid', 'sent-back'] as const) {
      const actions = payoutActions(payout({ state }), finance);
      expect(actions.execute || actions.resume).toBe(false);
    }
  });
});

describe('open payout', () => {
  it('skips sent-back and paid payouts', () => {
    const open = payout({ id: 'p2', state: 'approved' });
    expect(openPayoutOf([payout({ state: 'sent-back' }), open])).toBe(open);
    expect(openPayoutOf([payout({ state: 'paid' })])).toBeUndefined();
  });
});

describe('amounts', () => {
  it('normalises to two decimals as the server takes them', () => {
    expect(normaliseAmount('8600')).toBe('8600.00');
    expect(normaliseAmount(' 8,600.5 ')).toBe('8600.50');
    expect(normaliseAmount('0012.34')).toBe('12.34');
  });

  it('refuses what is not a positive amount', () => {
    for (const text of ['', '0', '0.00', '-5', '1.234', 'abc', '1e5', '1234567890123']) {
      expect(normaliseAmount(text), text).toBeUndefined();
    }
  });
});

describe('idempotency keys of payment attempts', () => {
  function keeper() {
    let n = 0;
    return new ExecutionKeys(() => `key-${++n}`);
  }

  it('makes one key per attempt and hands it out again for every retry', () => {
    const keys = keeper();
    const approved = payout({ state: 'approved' });
    const first = keys.keyFor(approved);
    // A double click or a retry after a network error: the same key.
    expect(keys.keyFor(approved)).toBe(first);
    keys.failed(approved.id, new TypeError('Failed to fetch'));
    keys.failed(approved.id, problem('payment-failed', 502));
    keys.failed(approved.id, problem('step-up-required', 403));
    expect(keys.keyFor(approved)).toBe(first);
    expect(keys.peek(approved.id)).toBe(first);
  });

  it('keeps a key per payout', () => {
    const keys = keeper();
    expect(keys.keyFor(payout({ id: 'a', state: 'approved' }))).toBe('key-1');
    expect(keys.keyFor(payout({ id: 'b', state: 'approved' }))).toBe('key-2');
    expect(keys.keyFor(payout({ id: 'a', state: 'approved' }))).toBe('key-1');
  });

  it('starts a new attempt only after the payout was settled or the key can never succeed', () => {
    const keys = keeper();
    const approved = payout({ state: 'approved' });
    expect(keys.keyFor(approved)).toBe('key-1');
    keys.settle(approved.id);
    expect(keys.peek(approved.id)).toBeUndefined();
    expect(keys.keyFor(approved)).toBe('key-2');
    keys.failed(approved.id, problem('idempotency-key-conflict'));
    expect(keys.keyFor(approved)).toBe('key-3');
  });

  it('resumes a payment the server started with the key it was started under', () => {
    const keys = keeper();
    const executing = payout({
      state: 'executing',
      payment: {
        state: 'executing',
        idempotencyKey: 'server-key',
        attempts: 1,
        startedAt: '2026-11-24T10:00:00Z',
        paidAt: null,
      },
    });
    expect(keys.keyFor(executing)).toBe('server-key');
    expect(keys.keyFor(payout({ state: 'approved' }))).toBe('server-key');
  });

  it('makes UUIDs by default', () => {
    expect(new ExecutionKeys().keyFor(payout({ state: 'approved' }))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('finance queue', () => {
  it('takes the tab from the address, defaulting to the payouts ready to pay', () => {
    expect(queueStateOf('paid')).toBe('paid');
    expect(queueStateOf('on-hold')).toBe('on-hold');
    expect(queueStateOf(null)).toBe('approved');
    expect(queueStateOf('proposed')).toBe('approved');
    expect(queueStateOf('<script>')).toBe('approved');
  });

  it('shows the time that matters for each state', () => {
    const base = payout({ proposedAt: 'proposed', approvedAt: 'approved', paidAt: 'paid' });
    expect(queueTimeOf({ ...base, state: 'approved' })).toBe('approved');
    expect(queueTimeOf({ ...base, state: 'paid' })).toBe('paid');
    expect(
      queueTimeOf({
        ...base,
        state: 'on-hold',
        hold: { reason: 'payee-changed', heldAt: 'held', heldBy: null },
      }),
    ).toBe('held');
    expect(queueTimeOf({ ...base, state: 'executing' })).toBe('approved');
  });
});
