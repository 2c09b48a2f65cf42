import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../errors/domain-error.js';
import { sendProblem } from './problem-details.js';
import { consolePolicy } from './security-headers.js';
import type { ClaimGuardServer } from './server.js';

/** The placeholder in web/index.html that each response replaces with its Content-Security-Policy nonce. */
export const CSP_NONCE_PLACEHOLDER = '{{CSP_NONCE}}';

/** Paths that belong to the server, never to the console's client-side routes. */
const SERVER_PATHS = /^\/(api|docs|problems|healthz|readyz|assets)(\/|$)/;

/**
 * Serves the built web console at `/`: hashed assets with long caching, and index.html for every other
 * GET that accepts HTML, so the console's own router can take the path. The page is sent with a fresh
 * nonce so antd's runtime <style> tags pass the strict Content-Security-Policy.
 */
export async function registerWebConsole(app: ClaimGuardServer, consoleDir: string): Promise<void> {
  const indexPath = join(consoleDir, 'index.html');
  const template = existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : null;

  if (template) {
    await app.register(fastifyStatic, {
      root: join(consoleDir, 'assets'),
      prefix: '/assets/',
      index: false,
      wildcard: true,
      immutable: true,
      maxAge: '365d',
    });
  }

  const sendConsole = (reply: FastifyReply) => {
    if (!template) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built. Run: npm run build:web (or npm start, which builds it).\n');
    }
    const nonce = randomBytes(16).toString('hex');
    reply.header('content-security-policy', consolePolicy(nonce));
    reply.header('cache-control', 'no-store');
    return reply.type('text/html; charset=utf-8').send(template.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
  };

  app.get('/', { schema: { hide: true }, config: { access: { public: true } } }, (_request, reply) =>
    sendConsole(reply),
  );

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsHtml = (request.headers.accept ?? '').includes('text/html');
    if ((request.method === 'GET' || request.method === 'HEAD') && wantsHtml && !SERVER_PATHS.test(path)) {
      return sendConsole(reply);
    }
    return sendProblem(reply, new DomainError('not-found', 'There is nothing at this address.'));
  });
}
