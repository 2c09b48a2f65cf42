import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors/domain-error.js';
import { signInAs } from '../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { CSP_NONCE_PLACEHOLDER } from './web-console.js';

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

describe('HTTP server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer({ bodyLimit: 2048 });
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers liveness and readiness', async () => {
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('reports version, store kind, migrations and health to signed-in staff only', async () => {
    const anonymous = await server.app.inject({ method: 'GET', url: '/api/v1/system/status' });
    expect(anonymous.statusCode).toBe(401);
    const staff = await signInAs(server, 'adjuster');
    const response = await staff.request('GET', '/api/v1/system/status');
    expect(response.statusCode).toBe(200);
    const status = response.json();
    expect(status).toMatchObject({
      name: 'ClaimGuard',
      version: '0.1.0',
      defaultLanguage: 'zh-CN',
      store: { kind: server.store.kind, reachable: true },
      migrations: { pending: 0, pendingNames: [] },
      health: { live: true, ready: true },
    });
    expect(status.migrations.applied).toBeGreaterThan(0);
    expect(status.installationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers with a strict Content-Security-Policy and a request id', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/healthz' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    // API responses carry no nonce (nothing inline to allow); only the console page does, see below.
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('nonce-');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown API path with a problem, not the console', async () => {
    const response = await server.app.inject({
      method: 'GET',
      url: '/api/v1/no-such-resource/110101199003071234',
      headers: { accept: 'text/html' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    const body = response.json();
    expect(body).toMatchObject({ type: '/problems/not-found', title: 'No such resource', status: 404 });
    expect(body.instance).toBe(`urn:uuid:${response.headers['x-request-id']}`);
    expect(response.body).not.toContain('110101199003071234');
  });

  it('refuses malformed JSON without echoing it', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/system/status',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "张三", broken',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: '/problems/malformed-body', status: 400 });
    expect(response.headers['content-type']).toBe(PROBLEM_JSON);
    expect(response.body).not.toContain('张三');
    expect(response.body).not.toContain('broken');
    expect(response.body).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('refuses an oversized body with 413', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/system/status',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ blob: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });

  it('answers a schema violation with the failing parts, not the values', async () => {
    const response = await server.app.inject({ method: 'GET', url: `/problems/${'z'.repeat(100)}` });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.type).toBe('/problems/validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ in: 'params', pointer: '/code' })]);
    expect(response.body).not.toContain('z'.repeat(100));
  });

  it('documents every problem type at its type URI', async () => {
    for (const [code, { status, title }] of Object.entries(ERROR_CODES)) {
      const response = await server.app.inject({ method: 'GET', url: `/problems/${code}` });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ type: `/problems/${code}`, title, status });
    }
    const unknown = await server.app.inject({ method: 'GET', url: '/problems/no-such-thing' });
    expect(unknown.statusCode).toBe(404);
  });

  it('publishes OpenAPI 3.1 generated from the route schemas', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/api/v1/system/status', '/problems/{code}']),
    );
    expect(document.components.schemas.SystemStatus.properties.store).toBeDefined();
    const ui = await server.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
    const docsCsp = String(ui.headers['content-security-policy']);
    expect(docsCsp).toContain("script-src 'self';");
    expect(docsCsp).toContain("frame-ancestors 'none'");
    expect(docsCsp).not.toContain('https:');
  });

  it('writes the request id on every log line of a request, and no URL query', async () => {
    server.logs.lines.length = 0;
    const response = await server.app.inject({ method: 'GET', url: '/healthz?phone=13812345678' });
    const requestId = response.headers['x-request-id'];
    const lines = server.logs.records().filter((record) => record.requestId === requestId);
    // One line per request (OneLineRequestLog), naming the method, route and status.
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', route: '/healthz' }),
        res: { statusCode: 200 },
      }),
    ]);
    expect(server.logs.lines.join('\n')).not.toContain('13812345678');
  });
});

describe('readiness when the store is not ready', () => {
  let server: TestServer;

  afterEach(async () => {
    await server.close();
  });

  it('is not ready while a shipped migration is missing from the store', async () => {
    server = await createTestServer();
    await sql`delete from kysely_migration`.execute(server.store.db);
    const response = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      type: '/problems/not-ready',
      detail: expect.stringContaining('migrate'),
    });
  });

  it('is not ready when the store no longer answers, but stays live', async () => {
    server = await createTestServer();
    await server.store.close();
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ type: '/problems/not-ready', detail: 'The store does not answer.' });
    const live = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(live.statusCode).toBe(200);
  });
});

describe('rate limits', () => {
  it('answers 429 with a problem and Retry-After past the limit, and spares the probes', async () => {
    const server = await createTestServer({ rateLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await server.app.inject({ method: 'GET', url: '/api/v1/system/status' })).statusCode);
      }
      // Refused or not, every request counts towards the limit.
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await server.app.inject({ method: 'GET', url: '/api/v1/system/status' });
      expect(limited.headers['content-type']).toBe(PROBLEM_JSON);
      expect(limited.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('web console', () => {
  let consoleDir: string;

  beforeAll(() => {
    consoleDir = mkdtempSync(join(tmpdir(), 'claimguard-web-'));
    mkdirSync(join(consoleDir, 'assets'));
    writeFileSync(
      join(consoleDir, 'index.html'),
      `<html><head><meta name="csp-nonce" content="${CSP_NONCE_PLACEHOLDER}"></head><body>console</body></html>`,
    );
    writeFileSync(join(consoleDir, 'assets', 'app-abc123.js'), 'console.log("app")');
  });

  afterAll(() => {
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('serves the console at / with the response nonce in place of the placeholder', async () => {
    const server = await createTestServer({ webConsoleDir: consoleDir });
    try {
      const response = await server.app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      const nonce = /style-src 'self' 'nonce-([0-9a-f]+)'/.exec(
        String(response.headers['content-security-policy']),
      )?.[1];
      expect(nonce).toBeDefined();
      expect(response.body).toContain(`content="${nonce}"`);
      expect(response.body).not.toContain(CSP_NONCE_PLACEHOLDER);

      const deepLink = await server.app.inject({
        method: 'GET',
        url: '/status',
        headers: { accept: 'text/html' },
      });
      expect(deepLink.statusCode).toBe(200);
      expect(deepLink.body).toContain('console');

      const asset = await server.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toContain('immutable');
    } finally {
      await server.close();
    }
  });

  it('says how to build the console when it is missing', async () => {
    const server = await createTestServer({ webConsoleDir: join(consoleDir, 'missing') });
    try {
      const response = await server.app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build:web');
    } finally {
      await server.close();
    }
  });
});
