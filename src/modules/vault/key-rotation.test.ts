import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { TestAuditRecorder } from '../../test-support/audit-test-recorder.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { TEST_ADJUSTER } from '../../test-support/vault-fixtures.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { EnvironmentKeyProvider, environmentKekId, initVaultKeys, KeyFileProvider } from './key-provider.js';
import { keyStatus, type RotationProgress, rotateKeys } from './key-rotation.js';
import { findSubjectKey, insertSubject } from './vault.repository.js';
import { type RevealRequest, VaultService } from './vault.service.js';

describeEachStore('vault key rotation', (kind) => {
  let store: Store;
  let dataDir: string;
  let audit: TestAuditRecorder;

  beforeEach(async () => {
    store = await openTestStore(kind);
    audit = await TestAuditRecorder.install(store.db);
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-rotation-'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function seedSubjects(vault: VaultService, count: number): Promise<RevealRequest[]> {
    const requests: RevealRequest[] = [];
    for (let index = 0; index < count; index++) {
      const subjectId = await vault.createSubject(store.db);
      const target = {
        subjectId,
        field: 'customer.phone' as const,
        table: 'customers',
        column: 'phone',
        rowId: String(index),
      };
      const { ciphertext } = await vault.seal(store.db, target, `139${String(index).padStart(8, '0')}`, {
        actor: TEST_ADJUSTER,
      });
      requests.push({ ...target, ciphertext });
    }
    return requests;
  }

  const unmasked = { actor: TEST_ADJUSTER, purpose: 'claim-handling' as const, unmask: true };

  it('rotates in batches, survives a stop halfway, resumes, and retires the old key only when unused', async () => {
    const { path } = initVaultKeys(dataDir);
    // Two processes on one key file: a server that keeps serving, and the operator's `keys rotate`.
    const serverKeys = new KeyFileProvider(path);
    const server = new VaultService({
      keys: { kek: serverKeys, blindIndexKey: serverKeys.blindIndexKey },
      audit,
    });
    const operatorKeys = new KeyFileProvider(path);
    const requests = await seedSubjects(server, 11);
    const shredded = await server.createSubject(store.db);
    await server.shredSubject(store.db, shredded, SYSTEM_ACTOR);

    const progress: RotationProgress[] = [];
    const first = await rotateKeys(store.db, operatorKeys, {
      batchSize: 3,
      maxBatches: 2,
      onProgress: (entry) => progress.push(entry),
    });
    expect(first).toMatchObject({
      status: 'paused',
      targetKekId: 'kek-v2',
      resumed: false,
      rewrapped: 6,
      remaining: 5,
    });
    expect(progress.map((entry) => [entry.done, entry.total])).toEqual([
      [0, 11],
      [3, 11],
      [6, 11],
    ]);

    // Halfway, the server reads subjects under both keys (meeting kek-v2 makes it load the new key file)...
    for (const request of requests) {
      expect((await server.reveal(store.db, request, unmasked)).masked).toBe(false);
    }
    requests.push(...(await seedSubjects(server, 1)));
    // ...and a process that has not noticed the new key yet creates a subject under the old one.
    const late = randomUUID();
    const { wrapped } = await serverKeys.wrap(randomBytes(32), { subjectId: late }, 'kek-v1');
    await insertSubject(store.db, { subjectId: late, wrappedDek: wrapped, kekId: 'kek-v1' });
    const halfway = await keyStatus(store.db, operatorKeys);
    expect(halfway.rotation.running).toMatchObject({ targetKekId: 'kek-v2', rewrapped: 6, remaining: 6 });
    expect(halfway.keks.map((kek) => [kek.id, kek.current, kek.subjects])).toEqual([
      ['kek-v1', false, 6],
      ['kek-v2', true, 7],
    ]);

    // Resuming derives what remains from the data, whichever process resumes.
    const resumed = await rotateKeys(store.db, new KeyFileProvider(path), { batchSize: 3, audit });
    expect(resumed).toMatchObject({
      status: 'finished',
      resumed: true,
      targetKekId: 'kek-v2',
      rewrapped: 6,
      retiredKekIds: ['kek-v1'],
    });
    expect(
      await serverKeys.unwrap((await findSubjectKey(store.db, late))?.wrapped_dek as Uint8Array, 'kek-v2', {
        subjectId: late,
      }),
    ).toHaveLength(32);
    const after = await keyStatus(store.db, operatorKeys);
    expect(after.keks.map((kek) => [kek.id, kek.subjects, kek.retiredAt !== null])).toEqual([
      ['kek-v1', 0, true],
      ['kek-v2', 13, false],
    ]);
    expect(after.shreddedSubjects).toBe(1);
    expect(after.rotation.running).toBeNull();
    expect(after.rotation.lastFinishedAt).toBeInstanceOf(Date);
    const fresh = new VaultService({
      keys: { kek: new KeyFileProvider(path), blindIndexKey: serverKeys.blindIndexKey },
      audit,
    });
    for (const service of [server, fresh]) {
      for (const request of requests)
        expect((await service.reveal(store.db, request, unmasked)).masked).toBe(false);
    }
    expect((await audit.events(store.db)).filter((event) => event.action === 'keys.rotate')).toEqual([
      expect.objectContaining({ resourceId: 'kek-v2', details: { rewrapped: 12, retired: 'kek-v1' } }),
    ]);

    // The next rotation starts a new key.
    expect(await rotateKeys(store.db, operatorKeys)).toMatchObject({
      status: 'finished',
      targetKekId: 'kek-v3',
      rewrapped: 13,
    });
  });

  it('with keys from the environment, moves subjects to the key made current there', async () => {
    const [oldKey, newKey, indexKey] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const before = new EnvironmentKeyProvider([oldKey], indexKey);
    const vault = new VaultService({ keys: { kek: before, blindIndexKey: indexKey }, audit });
    const requests = await seedSubjects(vault, 4);
    expect(await rotateKeys(store.db, before)).toMatchObject({ status: 'nothing-to-do', unusedKekIds: [] });

    const during = new EnvironmentKeyProvider([oldKey, newKey], indexKey);
    const result = await rotateKeys(store.db, during, { batchSize: 3 });
    expect(result).toMatchObject({
      status: 'finished',
      targetKekId: environmentKekId(newKey),
      rewrapped: 4,
      unusedKekIds: [environmentKekId(oldKey)],
    });
    const afterwards = new VaultService({
      keys: { kek: new EnvironmentKeyProvider([newKey], indexKey), blindIndexKey: indexKey },
      audit,
    });
    for (const request of requests)
      expect((await afterwards.reveal(store.db, request, unmasked)).value).toMatch(/^139/);
  });

  if (kind === 'postgres') {
    it('skips subjects a running request holds, and takes them once released', async () => {
      const { path } = initVaultKeys(dataDir);
      const keys = new KeyFileProvider(path);
      const vault = new VaultService({ keys: { kek: keys, blindIndexKey: keys.blindIndexKey }, audit });
      const requests = await seedSubjects(vault, 3);
      const held = requests[1]?.subjectId as string;
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = store.db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('vault_subjects')
          .select('subject_id')
          .where('subject_id', '=', held)
          .forUpdate()
          .execute();
        locked();
        await released;
      });
      await isLocked;
      const rotation = rotateKeys(store.db, keys, { batchSize: 10 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const midway = await keyStatus(store.db, keys);
      expect(midway.keks.find((kek) => kek.id === 'kek-v2')?.subjects).toBe(2);
      release();
      await holder;
      expect(await rotation).toMatchObject({ status: 'finished', rewrapped: 3, retiredKekIds: ['kek-v1'] });
    });
  }
});
