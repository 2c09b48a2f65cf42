import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { initVaultKeys, loadVaultKeys } from './key-provider.js';
import { VaultService } from './vault.service.js';

describe('key rotation through the running server (S7.1)', () => {
  let dataDir: string;
  let server: TestServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-rotate-'));
    initVaultKeys(dataDir);
    server = await createTestServer({
      vaultKeys: loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined }),
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rewraps every subject under a new key, reports status, and audits the rotation', async () => {
    const keys = loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined });
    const vault = new VaultService({ keys, audit: server.audit });
    for (let i = 0; i < 3; i++) await vault.createSubject(server.store.db);

    const officer = await signInAs(server, 'security_officer');
    const before = await officer.request('GET', '/api/v1/vault/keys/status');
    expect(before.statusCode).toBe(200);
    expect((before.json() as { keks: { id: string; subjects: number; current: boolean }[] }).keks).toEqual([
      expect.objectContaining({ id: 'kek-v1', current: true, subjects: 3 }),
    ]);

    const rotated = await officer.request('POST', '/api/v1/vault/keys/rotate', {});
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toMatchObject({ status: 'finished', rewrapped: 3, remaining: 0 });

    const after = (await officer.request('GET', '/api/v1/vault/keys/status')).json() as {
      keks: { id: string; subjects: number; current: boolean }[];
      rotation: { running: unknown; lastFinishedAt: string | null };
    };
    expect(after.keks.find((kek) => kek.current)).toMatchObject({ id: 'kek-v2', subjects: 3 });
    expect(after.rotation.running).toBeNull();
    expect(after.rotation.lastFinishedAt).not.toBeNull();
    expect(JSON.stringify(after)).not.toMatch(/"key"/);

    const events = await server.auditService.query({ action: 'keys.rotate', actorId: officer.userId });
    expect(events.items).toHaveLength(1);

    const admin = await signInAs(server, 'admin');
    expect((await admin.request('POST', '/api/v1/vault/keys/rotate', {})).statusCode).toBe(403);
  });
});
