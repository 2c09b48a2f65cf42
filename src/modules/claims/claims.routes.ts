import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database-schema.js';
import { auditActorOf } from '../access/principal.js';
import { contextOf } from '../access/route-access.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { problemResponses } from '../system/system.schema.js';
import { CLAIM_STATES } from './claim-transitions.js';
import type { ClaimantVerificationService } from './claimant-verification.js';
import {
  assignmentSchema,
  claimDetailSchema,
  claimHandlersSchema,
  claimListQuerySchema,
  claimPageSchema,
  claimSearchSchema,
  contactChangedSchema,
  contactChangeSchema,
  customerMatchSchema,
  customerSearchSchema,
  newClaimSchema,
  noteSchema,
  revealSchema,
  transitionSchema,
} from './claims.schema.js';
import type { ClaimCaller, ClaimsService } from './claims.service.js';
import { EXPORT_MAX_ROWS, exportClaims } from './claims-export.js';
import { type CustomerLookup, type CustomerService, PRODUCT_LINES } from './customers.service.js';

/**
 * The claims API for staff (S0.1, S3.2): report, list, search, read (masked), reveal with a purpose,
 * move along the lifecycle, assign, annotate; and the customer lookup intake uses on the phone.
 */
const errors = problemResponses;
const params = z.object({ id: z.uuid() });

function lookupOf(body: { idNumber?: string; phone?: string; email?: string }): CustomerLookup {
  if (body.idNumber) return { idNumber: body.idNumber };
  if (body.phone) return { phone: body.phone };
  return { email: body.email as string };
}

const verificationSchema = z
  .object({
    status: z.enum(['not-started', 'code-sent', 'verified', 'manual-review']),
    reasons: z.array(z.string()),
    attemptsLeft: z.number().int(),
    codeExpiresAt: z.date().nullable(),
    channel: z.string().nullable(),
  })
  .meta({ id: 'ClaimantVerification' });

export const claimsRoutes: FastifyPluginAsyncZod<{
  claims: ClaimsService;
  customers: CustomerService;
  verification: ClaimantVerificationService;
  audit: AuditRecorder;
  db: Kysely<Database>;
}> = async (app, { claims, customers, verification, audit, db }) => {
  const callerOf = (request: Parameters<typeof contextOf>[0]): ClaimCaller => ({
    context: contextOf(request),
    ability: request.ability,
  });

  app.post(
    '/claims',
    {
      config: { access: { can: ['create', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'Report a claim (first notice of loss) on behalf of a customer',
        body: newClaimSchema,
        response: { 201: z.object({ id: z.string(), number: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const created = await claims.report(callerOf(request), { ...request.body, channel: 'phone' });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/claims',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'Claims within your duties, newest first (claimant names masked)',
        querystring: claimListQuerySchema,
        response: { 200: claimPageSchema, ...errors },
      },
    },
    async (request) => {
      const { state, productLine, number, mine, limit, offset } = request.query;
      const principal = request.principal;
      return claims.list(
        callerOf(request),
        {
          ...(state ? { states: state } : {}),
          ...(productLine ? { productLine } : {}),
          ...(number ? { number } : {}),
          ...(mine && principal && principal.kind !== 'customer' ? { assigneeId: principal.userId } : {}),
        },
        { limit, offset },
      );
    },
  );

  app.post(
    '/claims/search',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary:
          'Claims of the customer with this ID number, phone or email (blind-index search, within your duties)',
        body: claimSearchSchema,
        response: { 200: claimPageSchema, ...errors },
      },
    },
    async (request) =>
      claims.list(
        callerOf(request),
        { claimantLookup: lookupOf(request.body) },
        { limit: request.body.limit, offset: request.body.offset },
      ),
  );

  app.get(
    '/claims/:id',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'One claim: masked personal fields, timeline, notes, the steps you may take',
        params,
        response: { 200: claimDetailSchema, ...errors },
      },
    },
    async (request) => claims.detail(callerOf(request), request.params.id),
  );

  app.post(
    '/claims/:id/reveal',
    {
      config: { access: { can: ['unmask', 'PersonalData'], stepUp: true } },
      schema: {
        tags: ['claims'],
        summary: 'Show chosen personal fields of a claim unmasked, for a stated purpose (audited)',
        params,
        body: revealSchema,
        response: { 200: claimDetailSchema, ...errors },
      },
    },
    async (request) =>
      claims.reveal(callerOf(request), request.params.id, request.body.fields, request.body.purpose),
  );

  app.post(
    '/claims/:id/transitions',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'Move a claim to another state (optimistic locking on version)',
        params,
        body: transitionSchema,
        response: { 200: claimDetailSchema, ...errors },
      },
    },
    async (request) => claims.transition(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/claims/:id/assignment',
    {
      config: { access: { can: ['assign', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'Reassign the adjuster or surveyor of a claim (supervisor of its branch)',
        params,
        body: assignmentSchema,
        response: { 200: claimDetailSchema, ...errors },
      },
    },
    async (request) => claims.assign(callerOf(request), request.params.id, request.body),
  );

  app.get(
    '/claims/:id/handlers',
    {
      config: { access: { can: ['assign', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary:
          'Who the claim may be reassigned to: active adjusters and surveyors of its branch, by workload',
        params,
        response: { 200: claimHandlersSchema, ...errors },
      },
    },
    async (request) => claims.handlersFor(callerOf(request), request.params.id),
  );

  app.post(
    '/claims/:id/notes',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'Add a working note to a claim (stored encrypted)',
        params,
        body: noteSchema,
        response: { 201: z.object({ id: z.string() }), ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await claims.addNote(callerOf(request), request.params.id, request.body.body)),
  );

  app.post(
    '/claims/export',
    {
      config: { access: { can: ['export', 'Claim'], stepUp: true } },
      schema: {
        tags: ['claims'],
        summary: `Export the claims within your duties to XLSX or CSV (bulk export: step-up, at most ${EXPORT_MAX_ROWS} rows, watermarked, audited)`,
        body: z.object({
          format: z.enum(['xlsx', 'csv']),
          language: z.enum(['zh-CN', 'en-US']).default('zh-CN'),
          states: z.array(z.enum(CLAIM_STATES)).max(CLAIM_STATES.length).optional(),
          productLine: z.enum(PRODUCT_LINES).optional(),
        }),
        response: { 200: z.any().describe('The file (XLSX or CSV)'), ...errors },
      },
    },
    async (request, reply) => {
      const { format, language, states, productLine } = request.body;
      const file = await exportClaims(claims, audit, callerOf(request), {
        format,
        language,
        filter: { ...(states ? { states } : {}), ...(productLine ? { productLine } : {}) },
      });
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .header('x-export-rows', String(file.rows))
        .send(file.content);
    },
  );

  app.get(
    '/claims/:id/verification',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: "Where the claimant's identity verification stands (S3.1)",
        params,
        response: { 200: verificationSchema, ...errors },
      },
    },
    async (request) => verification.status(callerOf(request), request.params.id),
  );

  app.post(
    '/claims/:id/verification',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary:
          'Check the name, ID number and phone the claimant gives against the policy; on a match a one-time code goes to the phone on file',
        params,
        body: z.object({
          name: z.string().min(1).max(100),
          idNumber: z.string().min(4).max(40),
          phone: z.string().min(4).max(30),
        }),
        response: { 200: verificationSchema, ...errors },
      },
    },
    async (request) => verification.start(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/claims/:id/verification/code',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary:
          'The one-time code the claimant reads back; too many wrong codes send the claim to manual review',
        params,
        body: z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }),
        response: { 200: verificationSchema, ...errors },
      },
    },
    async (request) => verification.confirm(callerOf(request), request.params.id, request.body.code),
  );

  app.post(
    '/customers/search',
    {
      config: { access: { can: ['read', 'Customer'] } },
      schema: {
        tags: ['claims'],
        summary: 'Find a customer by ID number, phone or email (blind index); results masked',
        body: customerSearchSchema,
        response: { 200: z.object({ items: z.array(customerMatchSchema) }), ...errors },
      },
    },
    async (request) => {
      const context = contextOf(request);
      return db.transaction().execute(async (trx) => {
        const ids = await customers.findIds(trx, lookupOf(request.body));
        const views = await customers.view(trx, ids, ['name', 'idNumber', 'phone'], {
          actor: auditActorOf(context),
          purpose: 'claim-handling',
          unmask: false,
          requestId: context.requestId,
        });
        const items = [];
        for (const view of views) {
          const policies = await customers.policiesOf(trx, view.id);
          items.push({
            id: view.id,
            idType: view.idType,
            fields: view.fields,
            policies: policies.map((policy) => ({
              id: policy.id,
              number: policy.number,
              productLine: policy.product_line,
              startsOn: policy.starts_on,
              endsOn: policy.ends_on,
            })),
          });
        }
        return { items };
      });
    },
  );

  app.patch(
    '/customers/:id/contact',
    {
      // Intake and supervisors (update Customer), with a fresh second factor: a changed phone or email is
      // the classic start of an account takeover (S3.1, S4.3).
      config: { access: { can: ['update', 'Customer'], stepUp: true } },
      schema: {
        tags: ['claims'],
        summary:
          "Change a customer's phone, email or address for a stated purpose (audited; refused while a security incident holds the customer's changes; the old contact is told)",
        params,
        body: contactChangeSchema,
        response: { 200: contactChangedSchema, ...errors },
      },
    },
    async (request) => {
      const context = contextOf(request);
      const { purpose, phone, email, address } = request.body;
      return customers.changeContactDetails(
        db,
        request.params.id,
        { phone, email, address },
        { actor: auditActorOf(context), requestId: context.requestId, channel: 'staff', purpose },
      );
    },
  );
};
