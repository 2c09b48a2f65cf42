import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { openEmbeddedStore } from '../../db/store.js';
import { TestAuditRecorder } from '../../test-support/audit-test-recorder.js';
import { captureCli } from '../../test-support/cli-capture.js';
import { TEST_ADJUSTER } from '../../test-support/vault-fixtures.js';
import { loadVaultKeys } from './key-provider.js';
import { VaultService } from './vault.service.js';

describe('claimguard keys', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-keys-cli-'));
    env = { CLAIMGUARD_DATA_DIR: dataDir, CLAIMGUARD_LOG_LEVEL: 'silent' };
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('inits keys once, rotates with progress lines, and reports status as text and JSON', async () => {
    const status0 = captureCli(env);
    expect(await runCli(['keys', 'status'], status0.io)).toBe(EXIT.failure);
    expect(status0.err()).toMatch(/^claimguard: no vault keys at .*: run `claimguard keys init`/);

    const init = captureCli(env);
    expect(await runCli(['keys', 'init'], init.io)).toBe(EXIT.ok);
    expect(init.out()).toContain('Created vault keys in');
    const again = captureCli(env);
    expect(await runCli(['keys', 'init'], again.io)).toBe(EXIT.ok);
    expect(again.out()).toContain('already exist');

    const early = captureCli(env);
    expect(await runCli(['keys', 'rotate'], early.io)).toBe(EXIT.failure);
    expect(early.err()).toContain('run `claimguard migrate` first');
    expect(await runCli(['migrate'], captureCli(env).io)).toBe(EXIT.ok);

    const store = await openEmbeddedStore({ dataDir });
    try {
      const audit = await TestAuditRecorder.install(store.db);
      const vault = new VaultService({
        keys: loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined }),
        audit,
      });
      for (let index = 0; index < 5; index++) await vault.createSubject(store.db);
    } finally {
      await store.close();
    }

    const paused = captureCli(env);
    expect(await runCli(['keys', 'rotate', '--batch-size', '2', '--max-batches', '1'], paused.io)).toBe(
      EXIT.ok,
    );
    expect(paused.out()).toBe(
      'Started rotation to kek-v2: 2 rewrapped, 3 remaining. Run `claimguard keys rotate` again to continue.\n',
    );
    expect(paused.err()).toContain('rewrapped 0/5 subjects under kek-v2');

    const midway = captureCli(env);
    expect(await runCli(['keys', 'status'], midway.io)).toBe(EXIT.ok);
    expect(midway.out()).toMatch(/kek-v1 +v1 +active +3 subject\(s\)/);
    expect(midway.out()).toMatch(/kek-v2 +v2 +current +2 subject\(s\)/);
    expect(midway.out()).toContain('Rotation in progress to kek-v2');

    const resumed = captureCli(env);
    expect(await runCli(['keys', 'rotate', '--batch-size', '2'], resumed.io)).toBe(EXIT.ok);
    expect(resumed.out()).toBe(
      'Resumed and finished rotation to kek-v2: 3 data key(s) rewrapped. Retired kek-v1.\n',
    );
    expect(resumed.err()).toContain('rewrapped 5/5 subjects under kek-v2');

    const json = captureCli(env);
    expect(await runCli(['keys', 'status', '--json'], json.io)).toBe(EXIT.ok);
    const status = JSON.parse(json.out()) as {
      keks: { id: string; subjects: number; current: boolean; retiredAt: string | null }[];
      rotation: { running: unknown; lastFinishedAt: string | null };
    };
    expect(status.keks.map((kek) => [kek.id, kek.subjects, kek.current, kek.retiredAt !== null])).toEqual([
      ['kek-v1', 0, false, true],
      ['kek-v2', 5, true, false],
    ]);
    expect(status.rotation.running).toBeNull();
    expect(status.rotation.lastFinishedAt).toMatch(/^\d{4}-/);
    expect(json.out()).not.toMatch(/"key"/);
  });

  it('destroys retired keys so that a shred reaches backups made before the rotation', async () => {
    expect(await runCli(['keys', 'init'], captureCli(env).io)).toBe(EXIT.ok);
    expect(await runCli(['migrate'], captureCli(env).io)).toBe(EXIT.ok);
    const keysNow = () => loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined });
    let store = await openEmbeddedStore({ dataDir });
    let backup: { wrapped: Uint8Array; kekId: string; subjectId: string };
    let kept: { subjectId: string; ciphertext: Buffer };
    try {
      const audit = await TestAuditRecorder.install(store.db);
      const vault = new VaultService({ keys: keysNow(), audit });
      const shredded = await vault.createSubject(store.db);
      const live = await vault.createSubject(store.db);
      const target = { field: 'customer.name' as const, table: 'customers', column: 'name_ct', rowId: live };
      kept = {
        subjectId: live,
        ciphertext: (
          await vault.seal(store.db, { ...target, subjectId: live }, '欧阳娜娜', { actor: TEST_ADJUSTER })
        ).ciphertext,
      };
      // A backup taken now holds the subject's data key wrapped under kek-v1.
      const row = await store.db
        .selectFrom('vault_subjects')
        .select(['wrapped_dek', 'kek_id'])
        .where('subject_id', '=', shredded)
        .executeTakeFirstOrThrow();
      backup = { wrapped: row.wrapped_dek as Uint8Array, kekId: row.kek_id, subjectId: shredded };
      await vault.shredSubject(store.db, shredded, TEST_ADJUSTER);
      // Until the KEK is destroyed, the backup copy still opens: the gap this command closes.
      await expect(
        keysNow().kek.unwrap(backup.wrapped, backup.kekId, { subjectId: shredded }),
      ).resolves.toBeInstanceOf(Buffer);
    } finally {
      await store.close();
    }

    const refused = captureCli(env);
    expect(await runCli(['keys', 'destroy-retired'], refused.io)).toBe(EXIT.usage);
    expect(refused.err()).toContain('--yes');
    const nothing = captureCli(env);
    expect(await runCli(['keys', 'destroy-retired', '--yes'], nothing.io)).toBe(EXIT.ok);
    expect(nothing.out()).toBe('No retired key-encryption key to destroy.\n');

    expect(await runCli(['keys', 'rotate'], captureCli(env).io)).toBe(EXIT.ok);
    const destroyed = captureCli(env);
    expect(await runCli(['keys', 'destroy-retired', '--yes'], destroyed.io)).toBe(EXIT.ok);
    expect(destroyed.out()).toContain('Destroyed kek-v1');

    await expect(
      keysNow().kek.unwrap(backup.wrapped, backup.kekId, { subjectId: backup.subjectId }),
    ).rejects.toMatchObject({
      code: 'vault-keys-unavailable',
    });
    const status = captureCli(env);
    expect(await runCli(['keys', 'status', '--json'], status.io)).toBe(EXIT.ok);
    expect(JSON.parse(status.out()).keks.map((kek: { id: string }) => kek.id)).toEqual(['kek-v2']);
    // The live subject, rewrapped under kek-v2, still reads.
    store = await openEmbeddedStore({ dataDir });
    try {
      const audit = await TestAuditRecorder.install(store.db);
      const vault = new VaultService({ keys: keysNow(), audit });
      const value = await vault.reveal(
        store.db,
        {
          subjectId: kept.subjectId,
          field: 'customer.name',
          table: 'customers',
          column: 'name_ct',
          rowId: kept.subjectId,
          ciphertext: kept.ciphertext,
        },
        { actor: TEST_ADJUSTER, purpose: 'claim-handling', unmask: true },
      );
      expect(value.value).toBe('欧阳娜娜');
    } finally {
      await store.close();
    }
  }, 120_000);

  it('rejects a bad batch size as a usage error', async () => {
    const cli = captureCli(env);
    expect(await runCli(['keys', 'rotate', '--batch-size', '0'], cli.io)).toBe(EXIT.usage);
    expect(cli.err()).toContain('a positive integer');
  });
});
