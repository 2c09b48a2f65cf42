import { z } from 'zod';
import { AUDIT_OUTCOMES } from '../audit/audit-event.js';
import { CLAIM_STATES } from '../claims/claim-transitions.js';
import { MAX_PASSWORD_LENGTH } from '../identity/password-policy.js';

/** Zod schemas of the portal API; they validate input and are the allow-list of what is sent back. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const money = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'an amount such as 1234.50');
const maskable = z.object({ value: z.string(), masked: z.boolean() }).nullable();
/** SECURITY: a value that must leave masked; a clear one fails serialisation instead of leaking. */
const maskedOnly = z.object({ value: z.string(), masked: z.literal(true) });
const code = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'six digits');

export const registerStartSchema = z
  .object({
    idNumber: z.string().trim().min(6).max(40),
    phone: z.string().trim().min(5).max(40).optional(),
    email: z.email().max(200).optional(),
  })
  .refine((body) => (body.phone ? 1 : 0) + (body.email ? 1 : 0) === 1, {
    message: 'give a phone number or an email address',
  });

export const registerStartedSchema = z.object({
  ticket: z.string(),
  channel: z.enum(['sms', 'email']),
  codeExpiresAt: z.date(),
});

export const registerCompleteSchema = z.object({
  ticket: z.string().min(10).max(200),
  code,
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const loginSchema = z.object({
  login: z.string().trim().min(3).max(200),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const loginResponseSchema = z.object({
  next: z.literal('verify-code'),
  channel: z.enum(['sms', 'email']),
  codeExpiresAt: z.date(),
  csrfToken: z.string(),
});

export const codeSchema = z.object({ code });

export const meSchema = z
  .object({
    customerId: z.string(),
    language: z.enum(['zh-CN', 'en-US']),
    name: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    csrfToken: z.string(),
  })
  .meta({ id: 'PortalMe' });

export const policiesSchema = z.object({
  items: z.array(
    z.object({ number: z.string(), productLine: z.string(), startsOn: z.string(), endsOn: z.string() }),
  ),
});

const claimSummarySchema = z.object({
  id: z.string(),
  number: z.string(),
  state: z.enum(CLAIM_STATES),
  version: z.number().int(),
  productLine: z.string(),
  incidentDate: z.string(),
  amountClaimed: z.string().nullable(),
  reportedAt: z.date(),
  updatedAt: z.date(),
});

export const claimPageSchema = z
  .object({ items: z.array(claimSummarySchema), total: z.number().int() })
  .meta({ id: 'PortalClaimPage' });

export const documentSchema = z.object({
  id: z.string(),
  claimId: z.string(),
  category: z.enum(['photo', 'medical']),
  contentType: z.string(),
  size: z.number().int(),
  createdAt: z.date(),
  uploader: z.object({ type: z.string(), role: z.string().nullable() }),
  hasThumbnail: z.boolean(),
});

export const claimDetailSchema = claimSummarySchema
  .extend({
    channel: z.string(),
    policy: z.object({
      number: z.string(),
      productLine: z.string(),
      startsOn: z.string(),
      endsOn: z.string(),
    }),
    description: maskable,
    incidentLocation: maskable,
    resolutionReason: z.string().nullable(),
    closedAt: z.date().nullable(),
    timeline: z.array(
      z.object({
        from: z.string().nullable(),
        to: z.string(),
        at: z.date(),
        actorType: z.string(),
        actorRole: z.string().nullable(),
        reason: z.string().nullable(),
      }),
    ),
    allowedTransitions: z.array(z.object({ to: z.enum(CLAIM_STATES), reasonRequired: z.boolean() })),
    documents: z.array(documentSchema),
    // What was or will be paid, to which bank and (masked) card: no staff, approvals or payment keys.
    payouts: z.array(
      z.object({
        amount: z.string(),
        currency: z.string(),
        state: z.enum(['proposed', 'approved', 'paid']),
        payee: z.object({ bankName: z.string(), number: maskedOnly }).nullable(),
        proposedAt: z.date(),
        paidAt: z.date().nullable(),
      }),
    ),
  })
  .meta({ id: 'PortalClaimDetail' });

export const newClaimSchema = z.object({
  policyNumber: z.string().trim().min(1).max(40),
  incidentDate: isoDate,
  amountClaimed: money.nullish(),
  description: z.string().max(4000).nullish(),
  incidentLocation: z.string().max(300).nullish(),
});

export const withdrawSchema = z.object({
  reason: z.string().trim().min(1).max(1000),
  version: z.number().int().min(0),
});

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const inboxSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      template: z.string(),
      subject: z.string(),
      body: z.string(),
      createdAt: z.date(),
      readAt: z.date().nullable(),
    }),
  ),
  unread: z.number().int(),
  nextOffset: z.number().int().nullable(),
});

export const markReadSchema = z.object({ ids: z.array(z.uuid()).min(1).max(100) });

export const accessHistorySchema = z
  .object({
    items: z.array(
      z.object({
        seq: z.number().int(),
        at: z.string(),
        // SECURITY: staff by role and internal id only, never by name, session, address or browser.
        actor: z.object({ type: z.string(), id: z.string().nullable(), role: z.string().nullable() }),
        self: z.boolean(),
        action: z.string(),
        fields: z.array(z.string()),
        purpose: z.string().nullable(),
        outcome: z.enum(AUDIT_OUTCOMES),
      }),
    ),
    nextCursor: z.number().int().nullable(),
  })
  .meta({ id: 'PortalAccessHistory' });

/** Everyone who touched my data, one row each (S4.1 transparency; issue section 8). */
export const accessSummarySchema = z
  .object({
    parties: z.array(
      z.object({
        // SECURITY: as in the history: staff by role and internal id only, other customers by kind only.
        actor: z.object({ type: z.string(), id: z.string().nullable(), role: z.string().nullable() }),
        self: z.boolean(),
        count: z.number().int(),
        denied: z.number().int(),
        firstAt: z.string(),
        lastAt: z.string(),
        purposes: z.array(z.string()),
        fields: z.array(z.string()),
      }),
    ),
    counted: z.number().int(),
    complete: z.boolean(),
  })
  .meta({ id: 'PortalAccessSummary' });

/** Which contact a signed-in customer changes; the code goes to the current one (S3.1). */
export const contactChangeStartSchema = z.object({ field: z.enum(['phone', 'email']) });

export const contactChangeStartedSchema = z.object({
  id: z.string(),
  channel: z.enum(['sms', 'email']),
  codeExpiresAt: z.date(),
});

/** The code and the new phone or email (the one the change is of). */
export const contactChangeConfirmSchema = z
  .object({
    code,
    phone: z.string().trim().min(5).max(40).optional(),
    email: z.string().trim().min(3).max(254).optional(),
  })
  .refine((body) => (body.phone ? 1 : 0) + (body.email ? 1 : 0) === 1, {
    message: 'give the new phone number or the new email address',
  });

export const contactChangedSchema = z.object({
  changed: z.array(z.enum(['phone', 'email'])),
  contactChangedAt: z.date(),
});
