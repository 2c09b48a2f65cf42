import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import {
  bankAccountSchema,
  executionHeadersSchema,
  newBankAccountSchema,
  newPayoutSchema,
  payeeChangeSchema,
  payoutListQuerySchema,
  payoutSchema,
} from './payouts.schema.js';
import type { PayoutCaller, PayoutsService } from './payouts.service.js';

/**
 * The payouts API (S3.3): the adjuster proposes, supervisors approve and re-verify held payees with a
 * fresh second factor, finance executes with an Idempotency-Key. Bank details are only ever masked here.
 */
const errors = { ...problemResponses, 502: problemResponses[409] };
const params = z.object({ id: z.uuid() });

export const payoutsRoutes: FastifyPluginAsyncZod<{ payouts: PayoutsService }> = async (app, { payouts }) => {
  const callerOf = (request: Parameters<typeof contextOf>[0]): PayoutCaller => ({
    context: contextOf(request),
    ability: request.ability,
  });

  app.get(
    '/claims/:id/payee-accounts',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['payouts'],
        summary: "The claimant's bank accounts (masked), to choose a payee from",
        params,
        response: { 200: z.object({ items: z.array(bankAccountSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await payouts.payeeAccounts(callerOf(request), request.params.id) }),
  );

  app.post(
    '/claims/:id/payee-accounts',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['payouts'],
        summary: 'Add a bank account to the claimant (puts a pending payout on hold and raises an alert)',
        params,
        body: newBankAccountSchema,
        response: { 201: bankAccountSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await payouts.addPayeeAccount(callerOf(request), request.params.id, request.body)),
  );

  app.post(
    '/claims/:id/payouts',
    {
      config: { access: { can: ['create', 'Payout'] } },
      schema: {
        tags: ['payouts'],
        summary:
          'Propose the payout of a claim in adjusting (the assigned adjuster); the claim goes to approving',
        params,
        body: newPayoutSchema,
        response: { 201: payoutSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await payouts.propose(callerOf(request), request.params.id, request.body)),
  );

  app.get(
    '/claims/:id/payouts',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['payouts'],
        summary: 'The payouts of a claim, newest first',
        params,
        response: { 200: z.object({ items: z.array(payoutSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await payouts.listForClaim(callerOf(request), request.params.id) }),
  );

  app.get(
    '/payouts',
    {
      config: { access: { can: ['read', 'Payout'] } },
      schema: {
        tags: ['payouts'],
        summary: "Finance's queue: payouts by state, oldest first",
        querystring: payoutListQuerySchema,
        response: { 200: z.object({ items: z.array(payoutSchema), total: z.number().int() }), ...errors },
      },
    },
    async (request) => {
      const { state, limit, offset } = request.query;
      return payouts.list(callerOf(request), state ? { states: [state] } : {}, { limit, offset });
    },
  );

  app.post(
    '/payouts/:id/approvals',
    {
      config: { access: { can: ['approve', 'Payout'], stepUp: true } },
      schema: {
        tags: ['payouts'],
        summary: 'Approve a payout (supervisor of the branch, within the approval limit; never your own)',
        params,
        response: { 200: payoutSchema, ...errors },
      },
    },
    async (request) => payouts.approve(callerOf(request), request.params.id),
  );

  app.post(
    '/payouts/:id/payee',
    {
      config: { access: { can: ['create', 'Payout'] } },
      schema: {
        tags: ['payouts'],
        summary: 'Change the payee account: the payout goes on hold until a supervisor re-verifies it',
        params,
        body: payeeChangeSchema,
        response: { 200: payoutSchema, ...errors },
      },
    },
    async (request) => payouts.changePayee(callerOf(request), request.params.id, request.body.payeeAccountId),
  );

  app.post(
    '/payouts/:id/reverify',
    {
      config: { access: { can: ['approve', 'Payout'], stepUp: true } },
      schema: {
        tags: ['payouts'],
        summary: 'Re-verify the payee of a held payout and lift the hold (another supervisor of the branch)',
        params,
        response: { 200: payoutSchema, ...errors },
      },
    },
    async (request) => payouts.reverify(callerOf(request), request.params.id),
  );

  app.post(
    '/payouts/:id/execution',
    {
      config: { access: { can: ['execute', 'Payout'], stepUp: true } },
      schema: {
        tags: ['payouts'],
        summary:
          'Pay an approved payout (finance). Idempotency-Key is required: a retry with the same key returns the first result',
        params,
        headers: executionHeadersSchema,
        response: { 200: payoutSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await payouts.execute(
        callerOf(request),
        request.params.id,
        request.headers['idempotency-key'].toLowerCase(),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return result.payout;
    },
  );
};
