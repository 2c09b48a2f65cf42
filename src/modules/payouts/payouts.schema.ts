import { z } from 'zod';
import { PAYOUT_STATES } from './payouts.tables.js';

/** Zod schemas of the payouts API; they validate input and are the allow-list of what is sent back. */
const money = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'an amount such as 1234.50');

/** SECURITY: bank account numbers and holder names leave this API masked, never otherwise. */
const maskedOnly = z.object({ value: z.string(), masked: z.literal(true) });

export const newPayoutSchema = z.object({
  amount: money,
  payeeAccountId: z.uuid(),
  /** The claim's version as the adjuster last saw it (optimistic locking). */
  claimVersion: z.number().int().positive(),
});

export const payeeChangeSchema = z.object({ payeeAccountId: z.uuid() });

export const newBankAccountSchema = z.object({
  bankName: z.string().trim().min(2).max(100),
  number: z.string().regex(/^\d{12,30}$/, '12 to 30 digits'),
  holderName: z.string().trim().min(1).max(100),
});

export const bankAccountSchema = z
  .object({
    id: z.string(),
    bankName: z.string(),
    number: maskedOnly,
    holderName: maskedOnly,
    createdAt: z.date(),
    verifiedAt: z.date().nullable(),
  })
  .meta({ id: 'BankAccount' });

export const payoutSchema = z
  .object({
    id: z.string(),
    claimId: z.string(),
    amount: z.string(),
    currency: z.string(),
    state: z.enum(PAYOUT_STATES),
    payee: z
      .object({ id: z.string(), bankName: z.string(), number: maskedOnly, holderName: maskedOnly })
      .nullable(),
    proposedBy: z.string(),
    proposedAt: z.date(),
    approvalsRequired: z.number().int(),
    approvals: z.array(z.object({ approverId: z.string(), approverRole: z.string(), approvedAt: z.date() })),
    hold: z
      .object({
        reason: z.enum(['payee-changed', 'account-added', 'incident-hold']),
        heldAt: z.date().nullable(),
        heldBy: z.string().nullable(),
      })
      .nullable(),
    reverifiedBy: z.string().nullable(),
    reverifiedAt: z.date().nullable(),
    approvedAt: z.date().nullable(),
    paidAt: z.date().nullable(),
    providerReference: z.string().nullable(),
    payment: z
      .object({
        state: z.enum(['executing', 'paid']),
        idempotencyKey: z.string(),
        attempts: z.number().int(),
        startedAt: z.date(),
        paidAt: z.date().nullable(),
      })
      .nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Payout' });

export const payoutListQuerySchema = z.object({
  state: z.enum(PAYOUT_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const executionHeadersSchema = z.object({
  'idempotency-key': z.uuid().describe('A UUID chosen by the client for this payment; reuse it to retry'),
});
