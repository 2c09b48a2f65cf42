import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { migrateToLatest } from '../src/db/migrations.js';
import { openEmbeddedStore, type Store } from '../src/db/store.js';
import { createLogger } from '../src/http/logger.js';
import { buildServer, type ClaimGuardServer } from '../src/http/server.js';
import { testAuditService } from '../src/modules/audit/audit-test-kit.js';
import type { BenchGroup } from './bench-kit.js';

/**
 * GET /readyz through the whole stack (helmet, rate limit, request logging, schemas, a store round trip)
 * against a bare Fastify route answering the same body, both through Fastify's inject in this process.
 * No target: the figure shows what the stack and the store check cost per probe.
 */
export function readyzGroup(): BenchGroup {
  let store: Store;
  let app: ClaimGuardServer;
  let bare: FastifyInstance;
  return {
    title: 'http: GET /readyz',
    async setup() {
      store = await openEmbeddedStore();
      await migrateToLatest(store.db);
      // Logs are written as in production, to a sink, so their cost is counted.
      const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
      app = await buildServer({
        config: {
          bodyLimit: 1024 * 1024,
          rateLimit: 1_000_000_000,
          trustProxy: false,
          language: 'zh-CN',
          sessionIdleMinutes: 30,
          sessionMaxHours: 12,
        },
        store,
        logger: createLogger('info', sink),
        audit: testAuditService(store).audit,
        identityKey: randomBytes(32),
      });
      await app.ready();
      bare = Fastify();
      bare.get('/readyz', async () => ({ status: 'ready' }));
      await bare.ready();
      return [
        {
          name: 'GET /readyz, full stack (embedded store)',
          baselineName: 'GET /readyz, bare Fastify route',
          measured: () => app.inject({ method: 'GET', url: '/readyz' }),
          baseline: () => bare.inject({ method: 'GET', url: '/readyz' }),
        },
      ];
    },
    async teardown() {
      await app.close();
      await bare.close();
      await store.close();
    },
  };
}
