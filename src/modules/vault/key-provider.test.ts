import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EnvironmentKeyProvider,
  environmentKekId,
  initVaultKeys,
  KeyFileProvider,
  keyFilePath,
  loadVaultKeys,
} from './key-provider.js';

const context = { subjectId: '6f1c1f0e-3d7a-4a55-9d0e-2f4f3a0b9c11' };

describe('key file provider', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-keys-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the key file once, mode 0600, and never overwrites it', () => {
    const first = initVaultKeys(dataDir);
    expect(first).toEqual({ created: true, path: keyFilePath(dataDir), kekId: 'kek-v1' });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'keys')).mode & 0o777).toBe(0o700);
    const before = readFileSync(first.path, 'utf8');
    expect(initVaultKeys(dataDir)).toEqual({ created: false, path: first.path, kekId: null });
    expect(readFileSync(first.path, 'utf8')).toBe(before);
    const file = JSON.parse(before) as { keks: { key: string }[]; blindIndexKey: string };
    expect(Buffer.from(file.keks[0]?.key ?? '', 'base64')).toHaveLength(32);
    expect(file.blindIndexKey).not.toBe(file.keks[0]?.key);
  });

  it('refuses a key file readable by group or others, and says how to fix it', () => {
    const { path } = initVaultKeys(dataDir);
    chmodSync(path, 0o644);
    expect(() => new KeyFileProvider(path)).toThrow(
      /readable or writable by group or others \(mode 644\); run chmod 600/,
    );
    chmodSync(path, 0o600);
    expect(() => new KeyFileProvider(path)).not.toThrow();
  });

  it('says how to create keys when there are none, without printing any key', () => {
    expect(() => loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined })).toThrow(
      /no vault keys at .*vault-kek\.json: run `claimguard keys init`/,
    );
  });

  it('wraps data keys bound to the subject and KEK id', async () => {
    initVaultKeys(dataDir);
    const { kek } = loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined });
    const dek = randomBytes(32);
    const { kekId, wrapped } = await kek.wrap(dek, context);
    expect(kekId).toBe('kek-v1');
    expect(wrapped).toHaveLength(61);
    expect(await kek.unwrap(wrapped, kekId, context)).toEqual(dek);
    await expect(
      kek.unwrap(wrapped, kekId, { subjectId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toThrow(/integrity check/);
    await expect(kek.unwrap(wrapped, 'kek-v9', context)).rejects.toThrow(/kek-v9 is not available/);
  });

  it('adds KEK versions under a lock; another process picks them up when it meets one', async () => {
    const { path } = initVaultKeys(dataDir);
    const rotating = new KeyFileProvider(path);
    const serving = new KeyFileProvider(path);
    expect(await rotating.createKek()).toBe('kek-v2');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { wrapped } = await rotating.wrap(randomBytes(32), context);
    // The serving process has not looked at the file since: meeting kek-v2 makes it reload.
    expect(await serving.unwrap(wrapped, 'kek-v2', context)).toHaveLength(32);
    await rotating.retireKek('kek-v1');
    const keks = await serving.listKeks();
    expect(keks.map(({ id, current, retiredAt }) => [id, current, retiredAt !== null])).toEqual([
      ['kek-v1', false, true],
      ['kek-v2', true, false],
    ]);
    await expect(rotating.wrap(randomBytes(32), context, 'kek-v1')).rejects.toThrow(/retired/);
    await expect(rotating.retireKek('kek-v2')).rejects.toThrow(/current/);
  });

  it('refuses a key file that is not one, without quoting it', () => {
    const { path } = initVaultKeys(dataDir);
    writeFileSync(path, JSON.stringify({ format: 1, secret: 'c2VjcmV0' }), { mode: 0o600 });
    let message = '';
    try {
      new KeyFileProvider(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('is not a ClaimGuard vault key file');
    expect(message).not.toContain('c2VjcmV0');
  });
});

describe('environment key provider', () => {
  it('names keys by fingerprint, makes the last one current and keeps the index key apart', async () => {
    const old = randomBytes(32);
    const current = randomBytes(32);
    const index = randomBytes(32);
    const keys = loadVaultKeys({
      dataDir: '/nonexistent',
      vaultKek: `${old.toString('base64')},${current.toString('base64')}`,
      vaultIndexKey: index.toString('base64'),
    });
    expect(await keys.kek.currentKekId()).toBe(environmentKekId(current));
    expect(keys.blindIndexKey).toEqual(index);
    const { wrapped } = await keys.kek.wrap(randomBytes(32), context, environmentKekId(old));
    expect(await keys.kek.unwrap(wrapped, environmentKekId(old), context)).toHaveLength(32);
    expect(keys.kek.createKek).toBeUndefined();
    expect(() => new EnvironmentKeyProvider([index], index)).toThrow(/must differ/);
    expect(() =>
      loadVaultKeys({
        dataDir: '/nonexistent',
        vaultKek: current.toString('base64'),
        vaultIndexKey: undefined,
      }),
    ).toThrow(/set both/);
  });
});
