import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../system/system.schema.js';
import {
  BREAK_GLASS_MAX_MINUTES,
  BREAK_GLASS_MIN_JUSTIFICATION,
  type BreakGlassService,
} from './break-glass.service.js';
import { contextOf } from './route-access.js';

const errors = problemResponses;

/** Break-glass and security alerts, under /api/v1. */
export const accessRoutes: FastifyPluginAsyncZod<{ breakGlass: BreakGlassService }> = async (
  app,
  { breakGlass },
) => {
  app.get(
    '/access/break-glass',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['access'],
        summary: 'My open break-glass grant, if any',
        response: { 200: z.object({ activeUntil: z.date().nullable() }), ...errors },
      },
    },
    async (request) => ({ activeUntil: request.breakGlassUntil }),
  );

  app.post(
    '/access/break-glass',
    {
      config: { access: { can: ['request', 'BreakGlass'], stepUp: true } },
      schema: {
        tags: ['access'],
        summary:
          'Break the glass: time-limited access to every claim, with a written justification; alerts security',
        body: z.object({
          justification: z.string().trim().min(BREAK_GLASS_MIN_JUSTIFICATION).max(2000),
          minutes: z.number().int().min(5).max(BREAK_GLASS_MAX_MINUTES).default(30),
        }),
        response: {
          200: z.object({ id: z.uuid(), grantedAt: z.date(), expiresAt: z.date() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const grant = await breakGlass.open(contextOf(request), request.body);
      return { id: grant.id, grantedAt: grant.grantedAt, expiresAt: grant.expiresAt };
    },
  );

  app.delete(
    '/access/break-glass',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['access'],
        summary: 'End my break-glass grant early',
        response: { 200: z.object({ ended: z.number().int() }), ...errors },
      },
    },
    async (request) => breakGlass.end(contextOf(request)),
  );

  app.get(
    '/security/alerts',
    {
      config: { access: { can: ['read', 'SecurityAlert'] } },
      schema: {
        tags: ['access'],
        summary: 'Security alerts (break-glass openings and others), newest first',
        querystring: z.object({
          open: z.enum(['true', 'false']).default('false'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.array(
            z.object({
              id: z.uuid(),
              kind: z.string(),
              severity: z.enum(['info', 'warning', 'critical']),
              subjectUserId: z.string().nullable(),
              details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
              createdAt: z.date(),
              acknowledgedBy: z.string().nullable(),
              acknowledgedAt: z.date().nullable(),
            }),
          ),
          ...errors,
        },
      },
    },
    async (request) =>
      breakGlass.listAlerts({
        unacknowledgedOnly: request.query.open === 'true',
        limit: request.query.limit,
      }),
  );

  app.post(
    '/security/alerts/:id/acknowledge',
    {
      config: { access: { can: ['read', 'SecurityAlert'] } },
      schema: {
        tags: ['access'],
        summary: 'Acknowledge a security alert',
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
    },
    async (request) => {
      await breakGlass.acknowledge(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};
