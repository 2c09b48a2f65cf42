import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import type { ClaimCaller } from '../claims/claims.service.js';
import { DOCUMENT_CATEGORIES, type DocumentFile } from '../documents/documents.service.js';
import { problemResponses } from '../system/system.schema.js';
import {
  MAX_SHARE_DAYS,
  type Opener,
  SHARE_PARTY_KINDS,
  SHAREABLE_FIELDS,
  type SharesService,
} from './shares.service.js';

/**
 * Sharing a claim with an outside party (issue section 6). Staff create, list and revoke shares under the
 * claim's duty; the party opens a share with its token, posted in the body (never in a URL, where proxies
 * and logs would keep it). The opening routes are public in route access because the token is their
 * credential: the service checks it, audits every attempt and rate-limits failures.
 */
const errors = problemResponses;
const params = z.object({ id: z.uuid() });

const partySchema = z.object({
  name: z.string().trim().min(1).max(200).describe("The outside organisation's name (no contact person)"),
  kind: z.enum(SHARE_PARTY_KINDS),
});

const newShareSchema = z.object({
  party: partySchema,
  fields: z.array(z.enum(SHAREABLE_FIELDS)).max(SHAREABLE_FIELDS.length).default([]),
  documentIds: z.array(z.uuid()).max(100).default([]),
  expiresAt: z.iso
    .datetime({ offset: true })
    .describe(`When the share ends; at most ${MAX_SHARE_DAYS} days from now`),
});

const createdShareSchema = z
  .object({
    id: z.string(),
    token: z.string().describe('Shown once; only its hash is kept'),
    link: z.string().describe('The page for the party, with the token in the fragment'),
    expiresAt: z.date(),
  })
  .meta({ id: 'CreatedClaimShare' });

const shareSummarySchema = z
  .object({
    id: z.string(),
    claimId: z.string(),
    party: z.object({ name: z.string(), kind: z.enum(SHARE_PARTY_KINDS) }),
    fields: z.array(z.enum(SHAREABLE_FIELDS)),
    documentIds: z.array(z.string()),
    expiresAt: z.date(),
    createdAt: z.date(),
    createdBy: z.string(),
    revokedAt: z.date().nullable(),
    revokedBy: z.string().nullable(),
    lastOpenedAt: z.date().nullable(),
    openings: z.number().int(),
    status: z.enum(['active', 'expired', 'revoked', 'claim-finished']),
  })
  .meta({ id: 'ClaimShare' });

const tokenBodySchema = z.object({
  // Any string up to the limit: a malformed token is a failed opening like any other (audited, counted).
  token: z.string().min(1).max(200),
});

const sharedValue = z.string().nullable().optional();
const sharedClaimSchema = z
  .object({
    party: z.object({ name: z.string(), kind: z.enum(SHARE_PARTY_KINDS) }),
    expiresAt: z.date(),
    claim: z.object({
      number: sharedValue,
      state: sharedValue,
      productLine: sharedValue,
      incidentDate: sharedValue,
      amountClaimed: sharedValue,
      description: sharedValue,
      incidentLocation: sharedValue,
      claimantName: sharedValue,
      claimantPhone: sharedValue,
    }),
    documents: z.array(
      z.object({
        id: z.string(),
        category: z.enum(DOCUMENT_CATEGORIES),
        contentType: z.string(),
        size: z.number().int(),
        createdAt: z.date(),
      }),
    ),
  })
  .meta({ id: 'SharedClaim' });

/** Openings per address and minute, before the service's own limit on failures. */
const OPENING_RATE_LIMIT = { max: 60, timeWindow: '1 minute' };

function openerOf(request: FastifyRequest): Opener {
  const context = contextOf(request);
  return { ip: context.ip, userAgent: context.userAgent, requestId: context.requestId };
}

function sendFile(reply: FastifyReply, file: DocumentFile): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(file.bytes);
}

export const sharesRoutes: FastifyPluginAsyncZod<{ shares: SharesService }> = async (app, { shares }) => {
  const callerOf = (request: FastifyRequest): ClaimCaller => ({
    context: contextOf(request),
    ability: request.ability,
  });

  app.post(
    '/claims/:id/shares',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary:
          'Share chosen fields and documents of a claim with an outside party until an expiry; returns the link token once',
        params,
        body: newShareSchema,
        response: { 201: createdShareSchema, ...errors },
      },
    },
    async (request, reply) => {
      const created = await shares.create(callerOf(request), request.params.id, {
        ...request.body,
        expiresAt: new Date(request.body.expiresAt),
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/claims/:id/shares',
    {
      config: { access: { can: ['read', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: "A claim's shares: party, what is shared, expiry, revocation, openings (never the token)",
        params,
        response: { 200: z.object({ items: z.array(shareSummarySchema) }), ...errors },
      },
    },
    async (request) => ({ items: await shares.list(callerOf(request), request.params.id) }),
  );

  app.post(
    '/shares/:id/revocation',
    {
      config: { access: { can: ['update', 'Claim'] } },
      schema: {
        tags: ['claims'],
        summary: 'Revoke a share at once (audited)',
        params,
        response: { 200: shareSummarySchema, ...errors },
      },
    },
    async (request) => shares.revoke(callerOf(request), request.params.id),
  );

  app.post(
    '/shares/open',
    {
      // SECURITY: public in route access because the token in the body is the credential (see above).
      config: { access: { public: true }, rateLimit: OPENING_RATE_LIMIT },
      schema: {
        tags: ['claims'],
        summary: 'Open a share with its token: the chosen claim fields and documents (audited)',
        body: tokenBodySchema,
        response: { 200: sharedClaimSchema, ...errors },
      },
    },
    async (request) => shares.open(request.body.token, openerOf(request)),
  );

  app.post(
    '/shares/documents/:id',
    {
      config: { access: { public: true }, rateLimit: OPENING_RATE_LIMIT },
      schema: {
        tags: ['claims'],
        summary: 'Download a document chosen for a share, with the share token (audited)',
        params,
        body: tokenBodySchema,
        response: { 200: z.any().describe('The file, as an attachment'), ...errors },
      },
    },
    async (request, reply) =>
      sendFile(reply, await shares.document(request.body.token, request.params.id, openerOf(request))),
  );
};
