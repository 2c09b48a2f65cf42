import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../system/system.schema.js';
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
