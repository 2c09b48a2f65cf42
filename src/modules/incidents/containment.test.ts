import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { TestAuditRecorder } from '../../test-support/audit-test-recorder.js';
import { signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { TEST_ADJUSTER, testVaultKeys } from '../../test-support/vault-fixtures.js';
import { initVaultKeys, loadVaultKeys } from '../vault/key-provider.js';
import { VaultService } from '../vault/vault.service.js';
import { ContainmentChecks } from './containment.service.js';
import * as repository from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';
import { staffCaller } from './incidents-test-kit.js';

/**
 * The freeze is enforced by the vault itself (S4.3): every path that unmasks (claims reveal, document
 * download, claim shares, whatever comes next) goes through VaultService, which asks the containment
 * checks, so no caller can forget it.
 */
describeEachStore('freeze in the vault', (kind) => {
  let store: Store;
  let vault: VaultService;
  let subject: string;
  let other: string;
  const target = (subjectId: string, field: 'customer.id_number' | 'document.health_record') => ({
    subjectId,
    field,
    table: 'customers',
    column: 'c',
    rowId: subjectId,
  });

  beforeEach(async () => {
    store = await openTestStore(kind);
    const audit = await TestAuditRecorder.install(store.db);
    vault = new VaultService({ keys: testVaultKeys(), audit, unmaskGate: new ContainmentChecks() });
    subject = await vault.createSubject(store.db);
    other = await vault.createSubject(store.db);
    const incidents = new IncidentsService(store.db, audit);
    const incident = await incidents.declare(staffCaller(), { title: 'Freeze', kind: 'insider-misuse' });
    const actionId = '9b0f4d5e-6c1a-4f7e-8a7b-0c2d3e4f5a6b';
    await repository.insertContainment(store.db, {
      id: actionId,
      incident_id: incident.id,
      kind: 'freeze-records',
      target: {},
      result: {},
      simulated: false,
      reversible: true,
      state: 'active',
      taken_by: 'officer',
      taken_at: new Date(),
    });
    await repository.insertControls(store.db, actionId, 'freeze', [subject]);
  });

  afterEach(async () => {
    await store.close();
  });

  it('refuses to unmask a frozen subject, text or document, and still shows it masked', async () => {
    const sealed = await vault.seal(store.db, target(subject, 'customer.id_number'), '11010519491231002X', {
      actor: TEST_ADJUSTER,
    });
    const request = { ...target(subject, 'customer.id_number'), ciphertext: sealed.ciphertext };
    const access = { actor: TEST_ADJUSTER, purpose: 'claim-handling' as const };
    await expect(vault.revealMany(store.db, [request], { ...access, unmask: true })).rejects.toMatchObject({
      code: 'records-frozen',
    });
    const [masked] = await vault.revealMany(store.db, [request], { ...access, unmask: false });
    expect(masked?.masked).toBe(true);
    expect(masked?.value).not.toContain('1231002X'.slice(0, 6));

    const document = await vault.sealBytes(
      store.db,
      target(subject, 'document.health_record'),
      Buffer.from('%PDF-1.7'),
      {
        actor: TEST_ADJUSTER,
      },
    );
    await expect(
      vault.revealBytes(
        store.db,
        { ...target(subject, 'document.health_record'), ciphertext: document.ciphertext },
        { ...access, unmask: true },
      ),
    ).rejects.toMatchObject({ code: 'records-frozen' });

    // Another subject is not frozen.
    const free = await vault.seal(store.db, target(other, 'customer.id_number'), '11010519491231002X', {
      actor: TEST_ADJUSTER,
    });
    const [clear] = await vault.revealMany(
      store.db,
      [{ ...target(other, 'customer.id_number'), ciphertext: free.ciphertext }],
      { ...access, unmask: true },
    );
    expect(clear?.masked).toBe(false);
  });
});

describe('rotating keys as containment', () => {
  let dataDir: string;
  let server: TestServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-incident-rotate-'));
    initVaultKeys(dataDir);
    server = await createTestServer({
      vaultKeys: loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined }),
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rewraps every data key under a new key-encryption key, recorded on the incident; not reversible', async () => {
    const vault = new VaultService({
      keys: loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined }),
      audit: server.audit,
    });
    for (let i = 0; i < 3; i++) await vault.createSubject(server.store.db);
    const officer = await signInAs(server, 'security_officer');
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Key exposure',
      kind: 'external-intrusion',
    });
    const id = (declared.json() as { id: string }).id;
    const rotated = await officer.request('POST', `/api/v1/incidents/${id}/containment`, {
      kind: 'rotate-keys',
    });
    expect(rotated.statusCode).toBe(201);
    expect(rotated.json()).toMatchObject({
      kind: 'rotate-keys',
      state: 'done',
      reversible: false,
      result: { status: 'finished', rewrapped: 3, remaining: 0 },
    });
    const status = (await officer.request('GET', '/api/v1/vault/keys/status')).json() as {
      keks: { id: string; current: boolean; subjects: number }[];
    };
    expect(status.keks.find((kek) => kek.current)).toMatchObject({ id: 'kek-v2', subjects: 3 });
  });
});
