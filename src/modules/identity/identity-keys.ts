import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The identity key seals TOTP secrets. It comes from CLAIMGUARD_IDENTITY_KEY (base64 of 32 bytes) or from
 * `<dataDir>/keys/identity.key`, which `claimguard init` creates with mode 0600.
 */
export const IDENTITY_KEY_FILE = 'identity.key';

export class IdentityKeyError extends Error {
  override readonly name = 'IdentityKeyError';
}

export function identityKeyPath(dataDir: string): string {
  return join(resolve(dataDir), 'keys', IDENTITY_KEY_FILE);
}

/** Creates the key file if it does not exist; returns whether it created one. */
export function ensureIdentityKey(dataDir: string): boolean {
  const path = identityKeyPath(dataDir);
  if (existsSync(path)) return false;
  mkdirSync(join(resolve(dataDir), 'keys'), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return true;
}

export function loadIdentityKey(options: { dataDir: string; fromEnv: string | undefined }): Buffer {
  if (options.fromEnv) return decodeKey(options.fromEnv, 'CLAIMGUARD_IDENTITY_KEY');
  const path = identityKeyPath(options.dataDir);
  if (!existsSync(path)) {
    throw new IdentityKeyError(`no identity key at ${path}; run: claimguard init`);
  }
  // SECURITY: a key others can read is a key others may have copied.
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new IdentityKeyError(`${path} is readable by other users; run: chmod 600 ${path}`);
  }
  return decodeKey(readFileSync(path, 'utf8').trim(), path);
}

function decodeKey(encoded: string, source: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new IdentityKeyError(`${source}: expected base64 of 32 bytes`);
  return key;
}
