import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, ERROR_CODES, type ErrorCode } from '../../errors/domain-error.js';
import { problemTypeUri, sendProblem } from '../../http/problem-details.js';
import {
  healthSchema,
  problemSchema,
  problemTypeSchema,
  readySchema,
  systemStatusSchema,
} from './system.schema.js';
import type { SystemService } from './system.service.js';

/** Probes for orchestrators, outside the versioned API so their paths never change. */
export const probeRoutes: FastifyPluginAsyncZod<{ system: SystemService }> = async (app, { system }) => {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false, access: { public: true } },
      schema: { tags: ['system'], summary: 'Liveness: the process is up', response: { 200: healthSchema } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false, access: { public: true } },
      schema: {
        tags: ['system'],
        summary: 'Readiness: the store answers and its migrations are current',
        response: { 200: readySchema, 503: problemSchema },
      },
    },
    async (_request, reply) => {
      const readiness = await system.readiness();
      if (!readiness.ready) {
        return sendProblem(
          reply,
          new DomainError(
            'not-ready',
            readiness.reason === 'store-unreachable'
              ? 'The store does not answer.'
              : 'The store has migrations pending; run claimguard migrate.',
          ),
        );
      }
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/problems/:code',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['system'],
        summary: 'Documentation of a problem type',
        params: z.object({ code: z.string().max(64) }),
        response: { 200: problemTypeSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const code = request.params.code;
      if (!Object.hasOwn(ERROR_CODES, code)) throw new DomainError('not-found', 'No such problem type.');
      const { title, status } = ERROR_CODES[code as ErrorCode];
      return { type: problemTypeUri(code as ErrorCode), title, status };
    },
  );
};

/** The versioned API of the system module, mounted under /api/v1. */
export const systemRoutes: FastifyPluginAsyncZod<{ system: SystemService }> = async (app, { system }) => {
  app.get(
    '/system/status',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['system'],
        summary: 'Version, store kind, migration state and health of this server',
        response: { 200: systemStatusSchema },
      },
    },
    async () => system.status(),
  );
};
