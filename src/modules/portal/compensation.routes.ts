import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { CLAIM_STATES } from '../claims/claim-transitions.js';
import { problemResponses } from '../system/system.schema.js';
import type { CompensationService } from './compensation.service.js';

/**
 * Compensation claims for a data leak (issue 5 section 8): the portal form and its submission (customers,
 * their own records only), and an incident's claim counts by state for security officers (`read Incident`).
 */
const errors = problemResponses;
const referenceParams = z.object({ reference: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });
const languages = z.object({ 'zh-CN': z.string(), 'en-US': z.string() });
const categoryNames = z.object({ 'zh-CN': z.array(z.string()), 'en-US': z.array(z.string()) });

export const compensationFormSchema = z.object({
  incidentReference: z.string(),
  isDrill: z.boolean(),
  headline: languages,
  categories: z.array(z.string()),
  categoryNames,
  policies: z.array(
    z.object({ number: z.string(), productLine: z.string(), startsOn: z.string(), endsOn: z.string() }),
  ),
  claims: z.array(
    z.object({ id: z.string(), number: z.string(), state: z.enum(CLAIM_STATES), reportedAt: z.date() }),
  ),
});

export const newCompensationClaimSchema = z.object({
  description: z.string().trim().min(1).max(4000),
  amountClaimed: z
    .string()
    .regex(/^\d{1,12}(\.\d{1,2})?$/)
    .nullish(),
  policyNumber: z.string().min(1).max(64).optional(),
});

export const compensationCountsSchema = z.object({
  incidentReference: z.string(),
  total: z.number().int(),
  byState: z.array(z.object({ state: z.enum(CLAIM_STATES), count: z.number().int() })),
});

export const compensationRoutes: FastifyPluginAsyncZod<{ compensation: CompensationService }> = async (
  app,
  { compensation },
) => {
  app.get(
    '/portal/compensation/:reference',
    {
      config: { access: { customer: true } },
      schema: {
        tags: ['portal'],
        summary:
          'The compensation claim form for an incident that affected me: the categories of my data involved, the policies it may go on, my claims for it',
        params: referenceParams,
        response: { 200: compensationFormSchema, ...errors },
      },
    },
    async (request) => compensation.form(contextOf(request), request.params.reference),
  );

  app.post(
    '/portal/compensation/:reference',
    {
      config: { access: { customer: true } },
      schema: {
        tags: ['portal'],
        summary:
          'File a compensation claim for an incident that affected me (one open claim per incident); it runs through the claims lifecycle',
        params: referenceParams,
        body: newCompensationClaimSchema,
        response: { 201: z.object({ id: z.string(), number: z.string() }), ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await compensation.file(contextOf(request), request.params.reference, request.body)),
  );

  app.get(
    '/incidents/:id/compensation-claims',
    {
      config: { access: { can: ['read', 'Incident'] as const } },
      schema: {
        tags: ['incidents'],
        summary: "How many compensation claims the incident's affected customers filed, by claim state",
        params: z.object({ id: z.uuid() }),
        response: { 200: compensationCountsSchema, ...errors },
      },
    },
    async (request) => compensation.countsForIncident(request.params.id),
  );
};
