import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../http/logger.js';
import { startServer } from '../../http/start-server.js';
import { signInAs } from '../../test-support/staff-session.js';
import { LogCapture, type TestServer } from '../../test-support/test-server.js';
import { loadIdentityKey } from '../identity/identity-keys.js';
import type { PlantedHoneytoken } from './honeytokens.service.js';

/**
 * Detection latency (S2.3, issue 5: "the alert appears within a second"), end to end in a running server:
 * the request that touches a honeytoken is answered, its audit event is sequenced (nudged after the
 * response), the sequencer wakes the engine, and the alert is there. This is a functional bound on a
 * shared machine; the real figures are in bench/detection.bench.ts.
 */
it('raises the alert within a second of the access that triggers it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'claimguard-detection-'));
  const config = { ...loadConfig({}), dataDir, port: 0, host: '127.0.0.1', databaseUrl: undefined };
  const running = await startServer(config, createLogger('info', new LogCapture()));
  try {
    const server = {
      app: running.app,
      store: running.store,
      identityKey: loadIdentityKey({ dataDir, fromEnv: undefined }),
    } as TestServer;
    const officer = await signInAs(server, 'security_officer');
    const recipient = await signInAs(server, 'adjuster', { branch: 'beijing' });
    const snoop = await signInAs(server, 'adjuster', { branch: 'beijing' });
    const planted = await officer.request('POST', '/api/v1/detection/honeytokens', {
      kind: 'claim',
      recipient: { kind: 'staff', userId: recipient.userId },
    });
    expect(planted.statusCode).toBe(201);
    const decoy = planted.json() as PlantedHoneytoken;
    const detection = running.app.detection.service;
    // Let the engine catch up with the planting before the clock starts.
    for (let i = 0; i < 200 && (await detection.progress()).lag > 0; i++)
      await new Promise((r) => setTimeout(r, 25));

    const answered = await snoop.request('GET', `/api/v1/claims/${decoy.claimId}`);
    const touchedAt = Date.now();
    expect(answered.statusCode).toBe(403);
    let alert: { actor: { id: string | null } } | undefined;
    while (!alert && Date.now() - touchedAt < 5_000) {
      [alert] = (await detection.listAlerts({ ruleId: 'honeytoken' }, { limit: 1, offset: 0 })).items;
      if (!alert) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const latencyMs = Date.now() - touchedAt;
    expect(alert?.actor.id).toBe(snoop.userId);
    expect(latencyMs).toBeLessThan(1_000);
  } finally {
    await running.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
