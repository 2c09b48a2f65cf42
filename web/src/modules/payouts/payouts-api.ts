import { queryOptions } from '@tanstack/react-query';
import { apiGet, apiPost, apiRequest } from '../../api/api-client';

/** A payout's states (server: `PAYOUT_STATES` in `payouts.tables.ts`). */
export const PAYOUT_STATES = ['proposed', 'approved', 'on-hold', 'executing', 'paid', 'sent-back'] as const;
export type PayoutState = (typeof PAYOUT_STATES)[number];

export function isPayoutState(value: string): value is PayoutState {
  return (PAYOUT_STATES as readonly string[]).includes(value);
}

/** Bank details come masked from the server, always. */
export type MaskedText = { value: string; masked: true };

export type BankAccount = {
  id: string;
  bankName: string;
  number: MaskedText;
  holderName: MaskedText;
  createdAt: string;
  verifiedAt: string | null;
};

export type PayoutApproval = { approverId: string; approverRole: string; approvedAt: string };

export type Payout = {
  id: string;
  claimId: string;
  amount: string;
  currency: string;
  state: PayoutState;
  payee: { id: string; bankName: string; number: MaskedText; holderName: MaskedText } | null;
  proposedBy: string;
  proposedAt: string;
  approvalsRequired: number;
  approvals: PayoutApproval[];
  hold: {
    reason: 'payee-changed' | 'account-added' | 'incident-hold';
    heldAt: string | null;
    heldBy: string | null;
  } | null;
  reverifiedBy: string | null;
  reverifiedAt: string | null;
  approvedAt: string | null;
  paidAt: string | null;
  providerReference: string | null;
  payment: {
    state: 'executing' | 'paid';
    idempotencyKey: string;
    attempts: number;
    startedAt: string;
    paidAt: string | null;
  } | null;
  version: number;
};

export type PayoutPage = { items: Payout[]; total: number };

export type NewBankAccount = { bankName: string; number: string; holderName: string };

const claimBase = (claimId: string) => `/api/v1/claims/${encodeURIComponent(claimId)}`;
const payoutBase = (payoutId: string) => `/api/v1/payouts/${encodeURIComponent(payoutId)}`;

/** Everything cached about a claim's payouts, to invalidate at once. */
export const claimPayoutsPrefix = (claimId: string) => ['payouts', 'claim', claimId] as const;

/** A claim's payouts, newest first; keyed by the claim's version so a transition (e.g. a send-back) reloads them. */
export const claimPayoutsQueryOptions = (claimId: string, claimVersion: number) =>
  queryOptions({
    queryKey: [...claimPayoutsPrefix(claimId), claimVersion] as const,
    queryFn: ({ signal }) => apiGet<{ items: Payout[] }>(`${claimBase(claimId)}/payouts`, { signal }),
  });

export const payeeAccountsQueryKey = (claimId: string) => ['payouts', 'payee-accounts', claimId] as const;

export const payeeAccountsQueryOptions = (claimId: string) =>
  queryOptions({
    queryKey: payeeAccountsQueryKey(claimId),
    queryFn: ({ signal }) =>
      apiGet<{ items: BankAccount[] }>(`${claimBase(claimId)}/payee-accounts`, { signal }),
  });

/** `GET /payouts` query string: one state, a page. */
export function payoutListQueryString(state: PayoutState, page: { limit: number; offset: number }): string {
  const params = new URLSearchParams({
    state,
    limit: String(page.limit),
    offset: String(page.offset),
  });
  return `?${params.toString()}`;
}

export const payoutQueueQueryOptions = (state: PayoutState, page: { limit: number; offset: number }) =>
  queryOptions({
    queryKey: ['payouts', 'queue', state, page] as const,
    queryFn: ({ signal }) =>
      apiGet<PayoutPage>(`/api/v1/payouts${payoutListQueryString(state, page)}`, { signal }),
    placeholderData: (previous) => previous,
  });

export const addPayeeAccount = (claimId: string, account: NewBankAccount) =>
  apiPost<BankAccount>(`${claimBase(claimId)}/payee-accounts`, account);

export const proposePayout = (
  claimId: string,
  input: { amount: string; payeeAccountId: string; claimVersion: number },
) => apiPost<Payout>(`${claimBase(claimId)}/payouts`, input);

/** The server asks for a fresh second factor (the step-up modal) before it counts the approval. */
export const approvePayout = (payoutId: string) => apiPost<Payout>(`${payoutBase(payoutId)}/approvals`);

export const reverifyPayout = (payoutId: string) => apiPost<Payout>(`${payoutBase(payoutId)}/reverify`);

/**
 * Pays an approved payout. `idempotencyKey` must be the same for every retry of one attempt (see
 * {@link ExecutionKeys}): the server then resumes or repeats the first answer instead of paying twice.
 */
export const executePayout = (payoutId: string, idempotencyKey: string) =>
  apiRequest<Payout>('POST', `${payoutBase(payoutId)}/execution`, undefined, {
    headers: { 'idempotency-key': idempotencyKey },
  });
