import { z } from 'zod';
import { LANGUAGES } from '../../config/config.js';

export const healthSchema = z
  .object({ status: z.literal('ok') })
  .meta({ description: 'The process is up and serving requests.' });

export const readySchema = z
  .object({ status: z.literal('ready') })
  .meta({ description: 'The store answers and every migration this build ships has been applied.' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string(),
    requestId: z.string(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

export const systemStatusSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    installationId: z.uuid(),
    startedAt: z.iso.datetime(),
    uptimeSeconds: z.number().int().nonnegative(),
    nodeVersion: z.string(),
    defaultLanguage: z.enum(LANGUAGES),
    store: z.object({ kind: z.enum(['embedded', 'postgres']), reachable: z.boolean() }),
    migrations: z.object({
      applied: z.number().int().nonnegative(),
      pending: z.number().int().nonnegative(),
      latest: z.string().nullable(),
      pendingNames: z.array(z.string()),
    }),
    health: z.object({ live: z.boolean(), ready: z.boolean() }),
  })
  .meta({ id: 'SystemStatus', description: 'Version, store, migrations and health of this server.' });

export const problemTypeSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number().int() })
  .meta({ id: 'ProblemType', description: 'What a problem type means.' });

/** The refusals a route documents in OpenAPI: every 4xx the access hook, validation or a service can give. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  410: problemSchema,
  413: problemSchema,
  415: problemSchema,
  422: problemSchema,
  429: problemSchema,
} as const;
