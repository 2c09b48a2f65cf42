import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { DomainError } from '../../errors/domain-error.js';

/**
 * Key-encryption keys (KEKs) and the blind-index key. Each data subject's data key (DEK) is stored only
 * wrapped (encrypted) under a KEK; the KEKs live outside the database, so a copy of the database alone
 * (a stolen backup, a dump) decrypts nothing.
 *
 * {@link KeyEncryptionKeyProvider} is the seam for a KMS or a HashiCorp Vault transit engine: they wrap and
 * unwrap without ever handing out the KEK. The local implementation here keeps KEKs in a key file with
 * mode 0600 (`<CLAIMGUARD_DATA_DIR>/keys/vault-kek.json`) or takes them from the environment.
 */

export type WrapContext = {
  /** The data subject whose DEK this is: bound into the wrapping, so a wrapped DEK moved to another subject fails. */
  subjectId: string;
};

export type WrappedDataKey = { kekId: string; wrapped: Buffer };

/** What may be shown about a KEK: never the key itself. */
export type KekInfo = {
  id: string;
  version: number;
  createdAt: string | null;
  retiredAt: string | null;
  current: boolean;
};

export interface KeyEncryptionKeyProvider {
  /** Where the keys come from, safe to print (a path or "environment"), never key material. */
  readonly source: string;
  /** The KEK new data keys are wrapped under. */
  currentKekId(): Promise<string>;
  /** Wraps a DEK under `kekId` (default: the current KEK). */
  wrap(dataKey: Uint8Array, context: WrapContext, kekId?: string): Promise<WrappedDataKey>;
  /** Unwraps a DEK wrapped under `kekId`; refuses a wrapped key altered, moved to another subject or truncated. */
  unwrap(wrapped: Uint8Array, kekId: string, context: WrapContext): Promise<Buffer>;
  listKeks(): Promise<KekInfo[]>;
  /** Creates a new KEK version and makes it current. Absent where keys are managed elsewhere (environment, KMS). */
  createKek?(): Promise<string>;
  /** Marks a KEK retired: never used to wrap again. Callers retire only a KEK no subject uses any more. */
  retireKek?(kekId: string): Promise<void>;
  /**
   * Destroys a retired KEK's key material (its id and dates stay on record). Every copy of a data key wrapped
   * under it, in backups too, becomes unreadable: how a shred reaches backups taken before the last rotation.
   */
  destroyKek?(kekId: string): Promise<void>;
}

export type VaultKeys = {
  kek: KeyEncryptionKeyProvider;
  /** SECURITY: the separate key of the blind indexes; never the same as a KEK. */
  blindIndexKey: Buffer;
};

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Wrapped DEK format version; a different first byte is refused rather than guessed at. */
const WRAP_FORMAT = 0x01;

export const KEY_FILE_NAME = 'vault-kek.json';

export function keyFilePath(dataDir: string): string {
  return join(resolve(dataDir), 'keys', KEY_FILE_NAME);
}

function wrapAad(context: WrapContext, kekId: string): Buffer {
  // SECURITY: subject and KEK id are authenticated, so a wrapped DEK copied onto another subject's row, or
  // relabelled with another KEK id, does not unwrap.
  return Buffer.from(`claimguard/vault/dek-wrap/v1\0${context.subjectId}\0${kekId}`, 'utf8');
}

/** AES-256-GCM wrapping: format byte, 12-byte IV, 16-byte tag, wrapped key. */
export function wrapWithKek(
  kek: Uint8Array,
  kekId: string,
  dataKey: Uint8Array,
  context: WrapContext,
): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(wrapAad(context, kekId));
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([Buffer.of(WRAP_FORMAT), iv, cipher.getAuthTag(), body]);
}

export function unwrapWithKek(
  kek: Uint8Array,
  kekId: string,
  wrapped: Uint8Array,
  context: WrapContext,
): Buffer {
  const bytes = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.byteLength);
  if (bytes.length !== 1 + IV_BYTES + TAG_BYTES + KEY_BYTES || bytes[0] !== WRAP_FORMAT) {
    throw new DomainError('ciphertext-invalid', 'A wrapped data key has an unknown format.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(wrapAad(context, kekId));
    decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DomainError(
      'ciphertext-invalid',
      `A wrapped data key failed its integrity check under key-encryption key ${kekId}.`,
    );
  }
}

type LoadedKek = {
  id: string;
  version: number;
  key: Buffer;
  createdAt: string | null;
  retiredAt: string | null;
};
type LoadedKeys = { keks: LoadedKek[]; currentId: string; indexKey: Buffer };

/** Shared by both local sources: wrapping with KEKs held in this process's memory. */
abstract class InMemoryKekProvider implements KeyEncryptionKeyProvider {
  abstract readonly source: string;
  protected abstract keys(refresh?: boolean): LoadedKeys;

  async currentKekId(): Promise<string> {
    return this.keys().currentId;
  }

  async wrap(dataKey: Uint8Array, context: WrapContext, kekId?: string): Promise<WrappedDataKey> {
    const keys = this.keys();
    const id = kekId ?? keys.currentId;
    const kek = this.find(id);
    if (kek.retiredAt)
      throw new DomainError('vault-keys-unavailable', `Key-encryption key ${id} is retired.`);
    return { kekId: id, wrapped: wrapWithKek(kek.key, id, dataKey, context) };
  }

  async unwrap(wrapped: Uint8Array, kekId: string, context: WrapContext): Promise<Buffer> {
    return unwrapWithKek(this.find(kekId).key, kekId, wrapped, context);
  }

  async listKeks(): Promise<KekInfo[]> {
    const keys = this.keys(true);
    return keys.keks.map(({ id, version, createdAt, retiredAt }) => ({
      id,
      version,
      createdAt,
      retiredAt,
      current: id === keys.currentId,
    }));
  }

  /** A KEK this process does not know may have been added by a rotation in another process: look again once. */
  private find(kekId: string): LoadedKek {
    const known = this.keys().keks.find((kek) => kek.id === kekId);
    if (known) return known;
    const reloaded = this.keys(true).keks.find((kek) => kek.id === kekId);
    if (reloaded) return reloaded;
    throw new DomainError(
      'vault-keys-unavailable',
      `Key-encryption key ${kekId} is not available to this process.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Key file

const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === KEY_BYTES, 'a base64 32-byte key');

const keyFileSchema = z.object({
  format: z.literal(1),
  current: z.string().min(1),
  keks: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]{1,64}$/),
        version: z.number().int().min(1),
        // null once destroyed (see destroyKek); the entry stays as the record of what was destroyed when.
        key: base64Key.nullable(),
        createdAt: z.string(),
        retiredAt: z.string().nullable(),
        destroyedAt: z.string().nullable().optional(),
      }),
    )
    .min(1),
  blindIndexKey: base64Key,
});
type KeyFile = z.infer<typeof keyFileSchema>;

function keysUnavailable(detail: string): DomainError {
  return new DomainError('vault-keys-unavailable', detail);
}

/**
 * SECURITY: a key file others can read is treated as disclosed: refusing to start makes the operator fix
 * it (and rotate) instead of running on with keys anyone on the machine may have copied.
 */
function assertPrivate(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw keysUnavailable(
      `${path} is readable or writable by group or others (mode ${mode.toString(8)}); run chmod 600 on it, and rotate the keys if others may have read it.`,
    );
  }
}

function readKeyFile(path: string): KeyFile {
  let text: string;
  try {
    assertPrivate(path);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw keysUnavailable(
        `no vault keys at ${path}: run \`claimguard keys init\`, or set CLAIMGUARD_VAULT_KEK and CLAIMGUARD_VAULT_INDEX_KEY.`,
      );
    }
    throw keysUnavailable(`cannot read ${path}: ${code ?? 'error'}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw keysUnavailable(`${path} is not valid JSON.`);
  }
  const result = keyFileSchema.safeParse(parsed);
  // SECURITY: Zod's issues could quote a key; only say which file is wrong.
  if (!result.success) throw keysUnavailable(`${path} is not a ClaimGuard vault key file.`);
  const file = result.data;
  if (!file.keks.some((kek) => kek.id === file.current && kek.key !== null))
    throw keysUnavailable(`${path}: the current KEK is missing.`);
  const indexKey = Buffer.from(file.blindIndexKey, 'base64');
  if (
    file.keks.some((kek) => kek.key !== null && timingSafeEqual(Buffer.from(kek.key, 'base64'), indexKey))
  ) {
    throw keysUnavailable(`${path}: the blind-index key must differ from every key-encryption key.`);
  }
  return file;
}

/** Writes a key file atomically with mode 0600: a crash leaves the old file or the new one, never half. */
function writeKeyFileAtomically(path: string, file: KeyFile, options: { overwrite: boolean }): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID()}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (options.overwrite) {
      renameSync(temporary, path);
      return true;
    }
    // link() fails when the name exists: creation that can never replace keys that are already there.
    try {
      linkSync(temporary, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    if (!options.overwrite) unlinkSync(temporary);
  }
}

export type InitVaultKeysResult = { created: boolean; path: string; kekId: string | null };

/**
 * Creates the key file with a first KEK and the blind-index key; `claimguard init` / `keys init` call it.
 * Idempotent: existing keys are never overwritten (losing them would lose every subject's data).
 */
export function initVaultKeys(dataDir: string): InitVaultKeysResult {
  const path = keyFilePath(dataDir);
  const now = new Date().toISOString();
  const file: KeyFile = {
    format: 1,
    current: 'kek-v1',
    keks: [
      {
        id: 'kek-v1',
        version: 1,
        key: randomBytes(KEY_BYTES).toString('base64'),
        createdAt: now,
        retiredAt: null,
      },
    ],
    blindIndexKey: randomBytes(KEY_BYTES).toString('base64'),
  };
  const created = writeKeyFileAtomically(path, file, { overwrite: false });
  return { created, path, kekId: created ? 'kek-v1' : null };
}

function loadedFrom(file: KeyFile): LoadedKeys {
  return {
    currentId: file.current,
    indexKey: Buffer.from(file.blindIndexKey, 'base64'),
    // A destroyed KEK is gone for this process too: anything wrapped under it is unreadable.
    keks: file.keks.flatMap((kek) =>
      kek.key === null
        ? []
        : [
            {
              id: kek.id,
              version: kek.version,
              createdAt: kek.createdAt,
              retiredAt: kek.retiredAt,
              key: Buffer.from(kek.key, 'base64'),
            },
          ],
    ),
  };
}

/** How often a running process looks at the key file for a rotation done by another process. */
const RECHECK_MS = 2_000;

export class KeyFileProvider extends InMemoryKekProvider {
  readonly source: string;
  private loaded: LoadedKeys;
  private signature: string;
  private checkedAt = Date.now();

  constructor(readonly path: string) {
    super();
    this.source = `key file ${path}`;
    this.loaded = loadedFrom(readKeyFile(path));
    this.signature = this.fileSignature();
  }

  get blindIndexKey(): Buffer {
    return this.loaded.indexKey;
  }

  protected keys(refresh = false): LoadedKeys {
    if (refresh || Date.now() - this.checkedAt > RECHECK_MS) {
      this.checkedAt = Date.now();
      const signature = this.fileSignature();
      if (signature !== this.signature) {
        this.loaded = loadedFrom(readKeyFile(this.path));
        this.signature = signature;
      }
    }
    return this.loaded;
  }

  private fileSignature(): string {
    const stat = statSync(this.path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  }

  async createKek(): Promise<string> {
    return this.update((file, now) => {
      const version = Math.max(...file.keks.map((kek) => kek.version)) + 1;
      const id = `kek-v${version}`;
      file.keks.push({
        id,
        version,
        key: randomBytes(KEY_BYTES).toString('base64'),
        createdAt: now,
        retiredAt: null,
      });
      file.current = id;
      return id;
    });
  }

  async retireKek(kekId: string): Promise<void> {
    await this.update((file, now) => {
      if (kekId === file.current)
        throw keysUnavailable(`Key-encryption key ${kekId} is current; it cannot be retired.`);
      const kek = file.keks.find((entry) => entry.id === kekId);
      if (kek && !kek.retiredAt) kek.retiredAt = now;
      // SECURITY: the key itself is kept: backups made before the rotation hold DEKs wrapped under it.
      // Destroying it is a separate, deliberate decision (it also shreds every such backup).
    });
  }

  async destroyKek(kekId: string): Promise<void> {
    await this.update((file, now) => {
      const kek = file.keks.find((entry) => entry.id === kekId);
      if (!kek) throw keysUnavailable(`Key-encryption key ${kekId} is not in the key file.`);
      if (kekId === file.current || !kek.retiredAt)
        throw keysUnavailable(
          `Key-encryption key ${kekId} is not retired; only a retired key can be destroyed.`,
        );
      kek.key = null;
      kek.destroyedAt = kek.destroyedAt ?? now;
    });
  }

  /** Read-modify-write under a lock, so two rotations in two processes cannot both add "version 2". */
  private async update<T>(change: (file: KeyFile, now: string) => T): Promise<T> {
    const release = await lockfile.lock(this.path, {
      lockfilePath: `${this.path}.lock`,
      realpath: false,
      stale: 15_000,
      retries: { retries: 20, minTimeout: 50, maxTimeout: 500 },
    });
    try {
      const file = readKeyFile(this.path);
      const result = change(file, new Date().toISOString());
      writeKeyFileAtomically(this.path, file, { overwrite: true });
      this.keys(true);
      return result;
    } finally {
      await release();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Environment

/**
 * A KEK from the environment is named by a fingerprint (an HMAC of a constant under the key), so the same
 * key always gets the same id and a different key can never be mistaken for it. The fingerprint reveals
 * nothing about the key.
 */
export function environmentKekId(key: Uint8Array): string {
  return `env-${createHmac('sha256', key).update('claimguard/vault/kek-id').digest('hex').slice(0, 12)}`;
}

export class EnvironmentKeyProvider extends InMemoryKekProvider {
  readonly source = 'environment (CLAIMGUARD_VAULT_KEK)';
  private readonly loaded: LoadedKeys;

  /** `keks` oldest first; the last is current (several only while a rotation moves subjects to the last). */
  constructor(keks: readonly Buffer[], indexKey: Buffer) {
    super();
    if (keks.length === 0) throw keysUnavailable('CLAIMGUARD_VAULT_KEK holds no key.');
    if (keks.some((kek) => kek.length !== KEY_BYTES) || indexKey.length !== KEY_BYTES) {
      throw keysUnavailable('vault keys must be 32 bytes.');
    }
    if (keks.some((kek) => timingSafeEqual(kek, indexKey))) {
      throw keysUnavailable('CLAIMGUARD_VAULT_INDEX_KEY must differ from every key in CLAIMGUARD_VAULT_KEK.');
    }
    const entries = keks.map((key, index) => ({
      id: environmentKekId(key),
      version: index + 1,
      key,
      createdAt: null,
      retiredAt: null,
    }));
    this.loaded = { keks: entries, currentId: entries.at(-1)?.id ?? '', indexKey };
  }

  get blindIndexKey(): Buffer {
    return this.loaded.indexKey;
  }

  protected keys(): LoadedKeys {
    return this.loaded;
  }
}

/**
 * The keys the configuration selects: the environment when CLAIMGUARD_VAULT_KEK or CLAIMGUARD_VAULT_INDEX_KEY
 * is set (then both must be), otherwise the key file in the data directory.
 */
export function loadVaultKeys(config: Pick<Config, 'dataDir' | 'vaultKek' | 'vaultIndexKey'>): VaultKeys {
  if (config.vaultKek || config.vaultIndexKey) {
    if (!config.vaultKek || !config.vaultIndexKey) {
      throw keysUnavailable('set both CLAIMGUARD_VAULT_KEK and CLAIMGUARD_VAULT_INDEX_KEY, or neither.');
    }
    const provider = new EnvironmentKeyProvider(
      config.vaultKek.split(',').map((entry) => Buffer.from(entry.trim(), 'base64')),
      Buffer.from(config.vaultIndexKey.trim(), 'base64'),
    );
    return { kek: provider, blindIndexKey: provider.blindIndexKey };
  }
  const provider = new KeyFileProvider(keyFilePath(config.dataDir));
  return { kek: provider, blindIndexKey: provider.blindIndexKey };
}

/** A hash that identifies key material in a proof or a log without revealing it. */
export function keyMaterialHash(material: Uint8Array): string {
  return createHash('sha256').update(material).digest('hex');
}
