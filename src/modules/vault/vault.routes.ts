import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database-schema.js';
import { auditActorOf } from '../access/principal.js';
import { contextOf } from '../access/route-access.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { problemSchema } from '../system/system.schema.js';
import type { VaultKeys } from './key-provider.js';
import { keyStatus, rotateKeys } from './key-rotation.js';
import { catalogueForApi } from './personal-data-catalogue.js';

const labels = z.object({ 'zh-CN': z.string(), 'en-US': z.string() });
const entry = z.object({ id: z.string(), labels });

export const catalogueSchema = z
  .object({
    purposes: z.array(entry),
    categories: z.array(entry),
    levels: z.array(entry),
    fields: z.array(
      z.object({
        id: z.string(),
        category: z.string(),
        level: z.string(),
        sensitive: z.boolean(),
        purposes: z.array(z.string()),
        retention: z.string(),
        retentionFrom: z.string(),
        masking: z.string(),
        blindIndex: z.string().nullable(),
        binary: z.boolean(),
        labels,
      }),
    ),
  })
  .meta({ id: 'PersonalDataCatalogue' });

/** The personal-data catalogue (S2.1), read-only: what is collected, how it is graded, used, kept and masked. */
export const catalogueRoutes: FastifyPluginAsyncZod = async (app) => {
  const catalogue = catalogueForApi();
  app.get(
    '/catalogue',
    {
      config: { access: { can: ['read', 'Catalogue'] } },
      schema: {
        tags: ['vault'],
        summary: 'The personal-data catalogue: every field, its grading, purposes, retention and masking',
        response: { 200: catalogueSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async () => catalogue,
  );
};

const keyStatusSchema = z
  .object({
    source: z.string(),
    keks: z.array(
      z.object({
        id: z.string(),
        version: z.number().int(),
        createdAt: z.string().nullable(),
        retiredAt: z.string().nullable(),
        current: z.boolean(),
        subjects: z.number().int(),
      }),
    ),
    unknownKeks: z.array(z.object({ id: z.string(), subjects: z.number().int() })),
    shreddedSubjects: z.number().int(),
    rotation: z.object({
      running: z
        .object({
          id: z.string(),
          targetKekId: z.string().nullable(),
          startedAt: z.date(),
          rewrapped: z.number().int(),
          remaining: z.number().int(),
        })
        .nullable(),
      lastFinishedAt: z.date().nullable(),
    }),
  })
  .meta({ id: 'KeyStatus' });

const rotationResultSchema = z
  .object({
    status: z.enum(['finished', 'paused', 'nothing-to-do']),
    rotationId: z.string().nullable(),
    targetKekId: z.string().nullable(),
    resumed: z.boolean(),
    rewrapped: z.number().int(),
    remaining: z.number().int(),
    retiredKekIds: z.array(z.string()),
    unusedKekIds: z.array(z.string()),
  })
  .meta({ id: 'KeyRotationResult' });

/**
 * Key rotation through the running server (S7.1): on the embedded store only the serving process may open
 * it, so this is how its keys rotate without downtime; on PostgreSQL `claimguard keys rotate` works beside the
 * server too. Each call runs up to `maxBatches` short batches; call again until `remaining` is 0.
 */
export const keyRoutes: FastifyPluginAsyncZod<{
  keys: VaultKeys;
  db: Kysely<Database>;
  audit: AuditRecorder;
}> = async (app, { keys, db, audit }) => {
  app.get(
    '/vault/keys/status',
    {
      config: { access: { can: ['read', 'Keys'] } },
      schema: {
        tags: ['vault'],
        summary: 'Key-encryption keys, subjects under each, rotation in progress (never key material)',
        response: { 200: keyStatusSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async () => keyStatus(db, keys.kek),
  );

  app.post(
    '/vault/keys/rotate',
    {
      config: { access: { can: ['rotate', 'Keys'], stepUp: true } },
      schema: {
        tags: ['vault'],
        summary: "Start or continue a rotation: rewrap data subjects' keys under a new key-encryption key",
        body: z
          .object({
            batchSize: z.number().int().min(1).max(5000).default(200),
            maxBatches: z.number().int().min(1).max(1000).default(50),
          })
          .default({ batchSize: 200, maxBatches: 50 }),
        response: { 200: rotationResultSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async (request) =>
      rotateKeys(db, keys.kek, {
        batchSize: request.body.batchSize,
        maxBatches: request.body.maxBatches,
        audit,
        actor: auditActorOf(contextOf(request)),
      }),
  );
};
