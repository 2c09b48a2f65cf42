import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import {
  approvalSchema,
  campaignSchema,
  deliverySchema,
  editCampaignSchema,
  failuresQuerySchema,
  failuresSchema,
  lettersBodySchema,
  newCampaignSchema,
  portalBannerSchema,
  progressResponseSchema,
  publicNoticeSchema,
  publicStatusSchema,
  retryResultSchema,
  retrySchema,
} from './breach-notices.schema.js';
import { type BreachNoticeCaller, type BreachNoticesService, LETTERS_MAX } from './breach-notices.service.js';

/**
 * The breach-notices API (S4.2) under /api/v1/breach-notices: the security officers write, approve (a
 * second officer), start and pause campaigns, follow progress and delivery, retry undelivered notices on
 * another channel, export letters (step-up) and produce the public notice. Besides: the public
 * breach-status data (no sign-in) and the portal banner (the signed-in customer).
 */
const errors = problemResponses;
const params = z.object({ id: z.uuid() });

export const breachNoticesRoutes: FastifyPluginAsyncZod<{ notices: BreachNoticesService }> = async (
  app,
  { notices },
) => {
  const callerOf = (request: Parameters<typeof contextOf>[0]): BreachNoticeCaller => ({
    context: contextOf(request),
    ability: request.ability,
  });
  const tags = ['breach-notices'];

  app.post(
    '/breach-notices/campaigns',
    {
      config: { access: { can: ['create', 'BreachNotice'] } },
      schema: {
        tags,
        summary: "Write an incident's notice campaign (a draft; texts must hold no personal data)",
        body: newCampaignSchema,
        response: { 201: campaignSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { incidentId, ...input } = request.body;
      return reply.code(201).send(await notices.create(callerOf(request), incidentId, input));
    },
  );

  app.get(
    '/breach-notices/incidents/:incidentId/campaign',
    {
      config: { access: { can: ['read', 'BreachNotice'] } },
      schema: {
        tags,
        summary: "An incident's notice campaign, or null when none was written yet",
        params: z.object({ incidentId: z.string().min(1).max(100) }),
        response: { 200: z.object({ campaign: campaignSchema.nullable() }), ...errors },
      },
    },
    async (request) => ({
      campaign: await notices.forIncident(callerOf(request), request.params.incidentId),
    }),
  );

  app.get(
    '/breach-notices/campaigns/:id',
    {
      config: { access: { can: ['read', 'BreachNotice'] } },
      schema: { tags, summary: 'A notice campaign', params, response: { 200: campaignSchema, ...errors } },
    },
    async (request) => notices.get(callerOf(request), request.params.id),
  );

  app.put(
    '/breach-notices/campaigns/:id',
    {
      config: { access: { can: ['update', 'BreachNotice'] } },
      schema: {
        tags,
        summary:
          'Change texts and channels (a draft, or an approved campaign, which then needs approving again)',
        params,
        body: editCampaignSchema,
        response: { 200: campaignSchema, ...errors },
      },
    },
    async (request) => notices.update(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/breach-notices/campaigns/:id/approval',
    {
      config: { access: { can: ['approve', 'BreachNotice'], stepUp: true } },
      schema: {
        tags,
        summary: 'Approve the texts (a second security officer, who wrote none of them; step-up)',
        params,
        body: approvalSchema,
        response: { 200: campaignSchema, ...errors },
      },
    },
    async (request) => notices.approve(callerOf(request), request.params.id, request.body.version),
  );

  app.post(
    '/breach-notices/campaigns/:id/start',
    {
      config: { access: { can: ['execute', 'BreachNotice'], stepUp: true } },
      schema: {
        tags,
        summary:
          'Start or resume sending (a background job); on a finished campaign, sweep again for newly affected',
        params,
        response: { 200: campaignSchema, ...errors },
      },
    },
    async (request) => notices.start(callerOf(request), request.params.id),
  );

  app.post(
    '/breach-notices/campaigns/:id/pause',
    {
      config: { access: { can: ['execute', 'BreachNotice'] } },
      schema: {
        tags,
        summary: 'Pause sending (at the next page; queued notices are still delivered)',
        params,
        response: { 200: campaignSchema, ...errors },
      },
    },
    async (request) => notices.pause(callerOf(request), request.params.id),
  );

  app.get(
    '/breach-notices/campaigns/:id/progress',
    {
      config: { access: { can: ['read', 'BreachNotice'] } },
      schema: {
        tags,
        summary: 'How far the sending job is (subjects done of total, notices queued)',
        params,
        response: { 200: progressResponseSchema, ...errors },
      },
    },
    async (request) => {
      const campaign = await notices.get(callerOf(request), request.params.id);
      return { state: campaign.state, progress: campaign.progress };
    },
  );

  app.get(
    '/breach-notices/campaigns/:id/delivery',
    {
      config: { access: { can: ['read', 'BreachNotice'] } },
      schema: {
        tags,
        summary: 'Delivery per channel from the outbox: pending, sent, failed, skipped',
        params,
        response: { 200: deliverySchema, ...errors },
      },
    },
    async (request) => ({ channels: await notices.delivery(callerOf(request), request.params.id) }),
  );

  app.get(
    '/breach-notices/campaigns/:id/failures',
    {
      config: { access: { can: ['read', 'BreachNotice'] } },
      schema: {
        tags,
        summary: 'Notices undelivered on a channel (failed or skipped), by data subject id, paged',
        params,
        querystring: failuresQuerySchema,
        response: { 200: failuresSchema, ...errors },
      },
    },
    async (request) => notices.failures(callerOf(request), request.params.id, request.query),
  );

  app.post(
    '/breach-notices/campaigns/:id/retry',
    {
      config: { access: { can: ['execute', 'BreachNotice'] } },
      schema: {
        tags,
        summary: 'Retry failed by <channel>: queue the notices undelivered on one channel on another',
        params,
        body: retrySchema,
        response: { 200: retryResultSchema, ...errors },
      },
    },
    async (request) => notices.retryOnChannel(callerOf(request), request.params.id, request.body),
  );

  app.post(
    '/breach-notices/campaigns/:id/letters',
    {
      config: { access: { can: ['export', 'BreachNotice'], stepUp: true } },
      schema: {
        tags,
        summary: `Letters (PDF, one page each) for customers no SMS or email reached, at most ${LETTERS_MAX} per file; names and addresses read through the vault (step-up, audited)`,
        params,
        body: lettersBodySchema,
        response: { 200: z.any().describe('The PDF'), ...errors },
      },
    },
    async (request, reply) => {
      const file = await notices.letters(callerOf(request), request.params.id, request.body);
      reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="breach-letters-${request.params.id}.pdf"`)
        .header('cache-control', 'no-store')
        .header('x-letter-count', String(file.count));
      if (file.nextAfter) reply.header('x-next-after', file.nextAfter);
      return reply.send(file.pdf);
    },
  );

  app.get(
    '/breach-notices/campaigns/:id/public-notice',
    {
      config: { access: { can: ['read', 'BreachNotice'] } },
      schema: {
        tags,
        summary: 'The public notice, in both languages, for where informing each customer is impossible',
        params,
        response: { 200: publicNoticeSchema, ...errors },
      },
    },
    async (request) => notices.publicNotice(callerOf(request), request.params.id),
  );

  app.get(
    '/public/breach-status',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary:
          'Public breach status (no sign-in): what is known, what has been done, what customers should do; never drills',
        response: { 200: publicStatusSchema, ...errors },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return { items: await notices.publicStatus() };
    },
  );

  app.get(
    '/portal/breach-notices',
    {
      config: { access: { customer: true } },
      schema: {
        tags: ['portal'],
        summary:
          'Whether the signed-in customer was affected by a breach, with links to the notice and to claim compensation',
        response: { 200: portalBannerSchema, ...errors },
      },
    },
    async (request) => notices.portalBanner(contextOf(request)),
  );
};
