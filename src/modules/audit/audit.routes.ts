import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf } from '../access/principal.js';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import type { AuditService } from './audit.service.js';
import { AUDIT_OUTCOMES } from './audit-event.js';

/**
 * The audit log's API for security officers and auditors (S6.1, S6.5, S4.1): search, verification,
 * proofs, a data subject's access history, and a JSONL export an outsider can verify offline.
 */
const errors = problemResponses;

const filterSchema = z.object({
  actorId: z.string().max(200).optional(),
  actorType: z.enum(['staff', 'customer', 'api-token', 'system', 'external-party']).optional(),
  dataSubjectId: z.string().max(200).optional(),
  resourceType: z.string().max(100).optional(),
  resourceId: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

const actorSchema = z.object({
  type: z.string(),
  id: z.string().nullable(),
  role: z.string().nullable(),
  sessionId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

const eventSchema = z
  .object({
    seq: z.number().int(),
    leafHash: z.string(),
    event: z.object({
      v: z.number().int(),
      seq: z.number().int(),
      ts: z.string(),
      actor: actorSchema,
      action: z.string(),
      resource: z.object({ type: z.string(), id: z.string().nullable() }),
      dataSubjectId: z.string().nullable(),
      fields: z.array(z.string()),
      purpose: z.string().nullable(),
      outcome: z.enum(AUDIT_OUTCOMES),
      requestId: z.string().nullable(),
      details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    }),
  })
  .meta({ id: 'AuditEvent' });

const verifyReportSchema = z
  .object({
    intact: z.boolean(),
    events: z.number().int(),
    treeSize: z.number().int(),
    rootHash: z.string(),
    checkpointsChecked: z.number().int(),
    checkpointFilesChecked: z.number().int(),
    latestVerifiedCheckpointSize: z.number().int().nullable(),
    problems: z.array(
      z.object({
        kind: z.string(),
        fromSeq: z.number().int().nullable(),
        toSeq: z.number().int().nullable(),
        checkpoint: z
          .object({ id: z.number().nullable(), file: z.string().nullable(), size: z.number() })
          .nullable(),
        message: z.string(),
      }),
    ),
    problemsTruncated: z.boolean(),
    durationMs: z.number(),
  })
  .meta({ id: 'AuditVerifyReport' });

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService; db: Kysely<Database> }> = async (
  app,
  { audit, db },
) => {
  app.get(
    '/audit/events',
    {
      config: { access: { can: ['read', 'AuditLog'] } },
      schema: {
        tags: ['audit'],
        summary:
          'Search the audit log by actor, data subject, resource, action, outcome and time, oldest first',
        querystring: filterSchema.extend({
          after: z.coerce.number().int().min(-1).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({ items: z.array(eventSchema), nextCursor: z.number().int().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { after, limit, ...filter } = request.query;
      return audit.query(filter, { ...(after === undefined ? {} : { after }), limit });
    },
  );

  app.post(
    '/audit/verify',
    {
      config: { access: { can: ['verify', 'AuditLog'] } },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the Merkle tree, check every signed checkpoint, and locate any tampering',
        response: { 200: verifyReportSchema, ...errors },
      },
    },
    async () => audit.verify(),
  );

  app.get(
    '/audit/events/:seq/inclusion-proof',
    {
      config: { access: { can: ['read', 'AuditLog'] } },
      schema: {
        tags: ['audit'],
        summary: 'RFC 9162 inclusion proof of an event in the tree of a given size (default: the latest)',
        params: z.object({ seq: z.coerce.number().int().min(0) }),
        querystring: z.object({ treeSize: z.coerce.number().int().min(1).optional() }),
        response: {
          200: z.object({
            seq: z.number().int(),
            treeSize: z.number().int(),
            leafHash: z.string(),
            rootHash: z.string(),
            proof: z.array(z.string()),
            checkpoint: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      try {
        return await audit.inclusionProof(request.params.seq, request.query);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw new DomainError('not-found', 'No such event in a tree of that size.');
      }
    },
  );

  app.get(
    '/audit/consistency-proof',
    {
      config: { access: { can: ['read', 'AuditLog'] } },
      schema: {
        tags: ['audit'],
        summary: 'RFC 9162 consistency proof between two tree sizes',
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: {
          200: z.object({
            oldSize: z.number().int(),
            newSize: z.number().int(),
            oldRootHash: z.string(),
            newRootHash: z.string(),
            proof: z.array(z.string()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      try {
        return await audit.consistencyProof(request.query.from, request.query.to);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw new DomainError('bad-request', 'Sizes must satisfy 1 <= from <= to <= the tree size.');
      }
    },
  );

  app.get(
    '/audit/subjects/:subjectId/access-history',
    {
      config: { access: { can: ['read', 'AuditLog'] } },
      schema: {
        tags: ['audit'],
        summary: "A data subject's access history: who (role and internal id), when, what and why",
        params: z.object({ subjectId: z.string().min(1).max(200) }),
        querystring: z.object({
          after: z.coerce.number().int().min(-1).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                seq: z.number().int(),
                at: z.string(),
                actor: z.object({ type: z.string(), id: z.string().nullable(), role: z.string().nullable() }),
                action: z.string(),
                fields: z.array(z.string()),
                purpose: z.string().nullable(),
                outcome: z.enum(AUDIT_OUTCOMES),
              }),
            ),
            nextCursor: z.number().int().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      return audit.accessHistory(request.params.subjectId, {
        ...(after === undefined ? {} : { after }),
        limit,
      });
    },
  );

  app.get(
    '/audit/export',
    {
      // A bulk export of evidence: a fresh second factor, like every other bulk export (S3.3).
      config: { access: { can: ['export', 'AuditLog'], stepUp: true } },
      schema: {
        tags: ['audit'],
        summary: 'Export matching events as JSONL with the checkpoints needed to verify them offline',
        querystring: filterSchema,
        produces: ['application/x-ndjson'],
      },
    },
    async (request, reply) => {
      const stream = new PassThrough();
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="claimguard-audit-${stamp}.jsonl"`);
      void audit
        .exportJsonl(request.query, stream)
        .then(async (summary) => {
          stream.end();
          // Handing evidence out is itself recorded, with what was handed out.
          await audit.record(db, {
            actor: auditActorOf(contextOf(request)),
            action: 'audit.exported',
            resource: { type: 'audit-log', id: null },
            dataSubjectId: null,
            fields: [],
            purpose: null,
            outcome: 'success',
            requestId: request.id,
            details: { events: summary.events, treeSize: summary.treeSize },
          });
        })
        .catch((error: unknown) => {
          request.log.error({ err: error }, 'audit export failed');
          stream.destroy(error as Error);
        });
      return reply.send(stream);
    },
  );
};
