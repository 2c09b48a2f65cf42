import { z } from 'zod';
import { CLAIM_STATES } from './claim-transitions.js';
import { REVEALABLE_CLAIM_FIELDS } from './claims.service.js';
import { PRODUCT_LINES } from './customers.service.js';

/** Zod schemas of the claims API; they validate input and are the allow-list of what is sent back. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const money = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'an amount such as 1234.50');

const maskable = z.object({ value: z.string(), masked: z.boolean() }).nullable();

export const newClaimSchema = z.object({
  policyNumber: z.string().min(1).max(40),
  claimantId: z.uuid(),
  incidentDate: isoDate,
  amountClaimed: money.nullish(),
  description: z.string().max(4000).nullish(),
  incidentLocation: z.string().max(300).nullish(),
});

export const claimSummarySchema = z
  .object({
    id: z.string(),
    number: z.string(),
    state: z.enum(CLAIM_STATES),
    version: z.number().int(),
    productLine: z.string(),
    branch: z.string(),
    channel: z.string(),
    incidentDate: z.string(),
    amountClaimed: z.string().nullable(),
    verification: z.string(),
    assigneeId: z.string().nullable(),
    surveyorId: z.string().nullable(),
    reportedAt: z.date(),
    updatedAt: z.date(),
    claimantName: z.string(),
  })
  .meta({ id: 'ClaimSummary' });

export const claimPageSchema = z
  .object({ items: z.array(claimSummarySchema), total: z.number().int() })
  .meta({ id: 'ClaimPage' });

const customerFieldsSchema = z.object({
  name: maskable.optional(),
  idNumber: maskable.optional(),
  phone: maskable.optional(),
  email: maskable.optional(),
  address: maskable.optional(),
});

export const claimDetailSchema = claimSummarySchema
  .omit({ claimantName: true })
  .extend({
    policy: z.object({
      id: z.string(),
      number: z.string(),
      productLine: z.string(),
      startsOn: z.string(),
      endsOn: z.string(),
      sumInsured: z.string(),
      currency: z.string(),
    }),
    claimant: z.object({
      id: z.string(),
      idType: z.string(),
      language: z.string(),
      fields: customerFieldsSchema,
    }),
    description: maskable,
    incidentLocation: maskable,
    resolutionReason: z.string().nullable(),
    closedAt: z.date().nullable(),
    timeline: z.array(
      z.object({
        from: z.string().nullable(),
        to: z.string(),
        actorType: z.string(),
        actorId: z.string().nullable(),
        actorRole: z.string().nullable(),
        reason: z.string().nullable(),
        at: z.date(),
      }),
    ),
    notes: z.array(
      z.object({
        id: z.string(),
        authorId: z.string(),
        authorRole: z.string(),
        body: maskable,
        createdAt: z.date(),
      }),
    ),
    allowedTransitions: z.array(z.object({ to: z.enum(CLAIM_STATES), reasonRequired: z.boolean() })),
  })
  .meta({ id: 'ClaimDetail' });

export const claimListQuerySchema = z.object({
  state: z
    .string()
    .max(200)
    .optional()
    .describe('Comma-separated states')
    .transform((value, ctx) => {
      if (!value) return undefined;
      const states = value.split(',').map((state) => state.trim());
      for (const state of states) {
        if (!(CLAIM_STATES as readonly string[]).includes(state)) {
          ctx.addIssue({ code: 'custom', message: 'unknown claim state' });
          return z.NEVER;
        }
      }
      return states;
    }),
  productLine: z.enum(PRODUCT_LINES).optional(),
  number: z.string().max(40).optional(),
  mine: z.coerce.boolean().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** Search by a customer's identifier: in the body, since personal data never goes into a URL. */
export const claimSearchSchema = z
  .object({
    idNumber: z.string().min(4).max(40).optional(),
    phone: z.string().min(4).max(30).optional(),
    email: z.string().min(3).max(200).optional(),
    limit: z.number().int().min(1).max(200).default(20),
    offset: z.number().int().min(0).default(0),
  })
  .refine((body) => [body.idNumber, body.phone, body.email].filter(Boolean).length === 1, {
    message: 'give exactly one of idNumber, phone or email',
  });

export const revealSchema = z.object({
  fields: z.array(z.enum(REVEALABLE_CLAIM_FIELDS)).min(1).max(REVEALABLE_CLAIM_FIELDS.length),
  purpose: z.string().min(1).max(60),
});

export const transitionSchema = z.object({
  to: z.enum(CLAIM_STATES),
  reason: z.string().max(1000).nullish(),
  version: z.number().int().min(1),
});

const claimHandlerSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  openClaims: z.number().int().min(0),
  skilled: z.boolean(),
});

export const claimHandlersSchema = z
  .object({ adjusters: z.array(claimHandlerSchema), surveyors: z.array(claimHandlerSchema) })
  .meta({ id: 'ClaimHandlers' });

export const assignmentSchema = z
  .object({
    assigneeId: z.uuid().nullish(),
    surveyorId: z.uuid().nullish(),
    version: z.number().int().min(1),
  })
  .refine((body) => body.assigneeId !== undefined || body.surveyorId !== undefined, {
    message: 'give assigneeId or surveyorId',
  });

export const noteSchema = z.object({ body: z.string().min(1).max(4000) });

export const customerSearchSchema = z
  .object({
    idNumber: z.string().min(4).max(40).optional(),
    phone: z.string().min(4).max(30).optional(),
    email: z.string().min(3).max(200).optional(),
  })
  .refine((body) => [body.idNumber, body.phone, body.email].filter(Boolean).length === 1, {
    message: 'give exactly one of idNumber, phone or email',
  });

export const customerMatchSchema = z
  .object({
    id: z.string(),
    idType: z.string(),
    fields: customerFieldsSchema,
    policies: z.array(
      z.object({
        id: z.string(),
        number: z.string(),
        productLine: z.string(),
        startsOn: z.string(),
        endsOn: z.string(),
      }),
    ),
  })
  .meta({ id: 'CustomerMatch' });

/**
 * Purposes for which staff change a customer's contact details (S3.1): catalogue purposes that every
 * contact field allows. Required: the change is audited with it.
 */
export const CONTACT_CHANGE_PURPOSES = [
  'customer-service',
  'claim-handling',
  'data-subject-request',
] as const;

/** New contact details from staff: at least one of phone, email, address, and the purpose. */
export const contactChangeSchema = z
  .object({
    phone: z.string().min(5).max(30).optional(),
    email: z.string().min(3).max(254).optional(),
    address: z.string().min(4).max(300).optional(),
    purpose: z.enum(CONTACT_CHANGE_PURPOSES),
  })
  .refine((body) => [body.phone, body.email, body.address].some((value) => value !== undefined), {
    message: 'give a new phone, email or address',
  });

export const contactChangedSchema = z
  .object({
    changed: z.array(z.enum(['phone', 'email', 'address'])),
    contactChangedAt: z.date(),
  })
  .meta({ id: 'ContactChanged' });
