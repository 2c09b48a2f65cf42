import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../errors/domain-error.js';

/**
 * Field encryption: AES-256-GCM under the data subject's data key (DEK), in a versioned format.
 *
 * Ciphertext layout (bytes; stored as bytea):
 *
 *   offset  size  content
 *   0       1     format version (0x01)
 *   1       1     algorithm id (0x01 = AES-256-GCM, 12-byte IV, 16-byte tag)
 *   2       2     DEK version, unsigned big-endian
 *   4       12    IV (random per encryption)
 *   16      16    GCM authentication tag
 *   32      n     encrypted value
 *
 * The four header bytes are authenticated with the rest: changing the version or the DEK version fails
 * decryption. A new algorithm or layout gets a new id or version (S7.1); old values stay readable through
 * their own branch, and a value with an id this build does not know is refused, never guessed at.
 */
export const CIPHERTEXT_FORMAT_V1 = 0x01;
export const ALGORITHM_AES_256_GCM = 0x01;
const HEADER_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const CIPHERTEXT_OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;
const DATA_KEY_BYTES = 32;

/** Where a ciphertext belongs. SECURITY: all of it is authenticated, so a value moved anywhere else fails. */
export type CiphertextBinding = {
  subjectId: string;
  /** Catalogue field id, e.g. `customer.id_number`. */
  field: string;
  table: string;
  column: string;
  rowId: string;
};

/** An unwrapped DEK with its version. SECURITY: lives in memory only; never logged, never stored unwrapped. */
export type DataKey = { readonly version: number; readonly key: Buffer };

export type ParsedCiphertext = {
  formatVersion: number;
  algorithm: number;
  dataKeyVersion: number;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
  header: Buffer;
};

function invalid(detail: string): DomainError {
  // SECURITY: the detail names what failed, never the value, the key or the plaintext.
  return new DomainError('ciphertext-invalid', detail);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Splits a stored ciphertext into its parts; refuses a format or algorithm this build does not know. */
export function parseCiphertext(ciphertext: Uint8Array): ParsedCiphertext {
  const bytes = asBuffer(ciphertext);
  if (bytes.length < CIPHERTEXT_OVERHEAD)
    throw invalid('The stored value is too short to be a vault ciphertext.');
  const formatVersion = bytes[0] ?? 0;
  const algorithm = bytes[1] ?? 0;
  if (formatVersion !== CIPHERTEXT_FORMAT_V1) {
    throw invalid(`The stored value has ciphertext format ${formatVersion}, which this version cannot read.`);
  }
  if (algorithm !== ALGORITHM_AES_256_GCM) {
    throw invalid(`The stored value uses cipher algorithm ${algorithm}, which this version cannot read.`);
  }
  return {
    formatVersion,
    algorithm,
    dataKeyVersion: bytes.readUInt16BE(2),
    header: bytes.subarray(0, HEADER_BYTES),
    iv: bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES),
    tag: bytes.subarray(HEADER_BYTES + IV_BYTES, CIPHERTEXT_OVERHEAD),
    body: bytes.subarray(CIPHERTEXT_OVERHEAD),
  };
}

function checkPart(name: string, value: string): void {
  // NUL separates the parts of the associated data; a part holding one could make two bindings alike.
  if (value.length === 0 || value.includes('\0'))
    throw new DomainError('bad-request', `The ${name} of a vault value is invalid.`);
}

function associatedData(binding: CiphertextBinding, header: Buffer): Buffer {
  checkPart('subject id', binding.subjectId);
  checkPart('field', binding.field);
  checkPart('table', binding.table);
  checkPart('column', binding.column);
  checkPart('row id', binding.rowId);
  return Buffer.concat([
    header,
    Buffer.from(
      `claimguard/vault/field/v1\0${binding.subjectId}\0${binding.field}\0${binding.table}\0${binding.column}\0${binding.rowId}`,
      'utf8',
    ),
  ]);
}

function headerFor(dataKeyVersion: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header[0] = CIPHERTEXT_FORMAT_V1;
  header[1] = ALGORITHM_AES_256_GCM;
  header.writeUInt16BE(dataKeyVersion, 2);
  return header;
}

export function encryptField(dataKey: DataKey, binding: CiphertextBinding, plaintext: Uint8Array): Buffer {
  const header = headerFor(dataKey.version);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(associatedData(binding, header));
  const body = cipher.update(plaintext);
  const last = cipher.final();
  return Buffer.concat([header, iv, cipher.getAuthTag(), body, last]);
}

/**
 * Decrypts a field. A ciphertext that was altered, truncated, or copied from another row, column, table,
 * field or subject fails with `ciphertext-invalid`, and no byte of plaintext is returned.
 */
export function decryptField(dataKey: DataKey, binding: CiphertextBinding, ciphertext: Uint8Array): Buffer {
  const parsed = parseCiphertext(ciphertext);
  if (parsed.dataKeyVersion !== dataKey.version) {
    throw invalid(
      `The stored value was sealed with data key version ${parsed.dataKeyVersion}, which this subject does not have.`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey.key, parsed.iv);
    decipher.setAAD(associatedData(binding, parsed.header));
    decipher.setAuthTag(parsed.tag);
    const first = decipher.update(parsed.body);
    // final() verifies the tag; only after it passes is any plaintext handed out.
    const last = decipher.final();
    return last.length === 0 ? first : Buffer.concat([first, last]);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw invalid(
      'The stored value failed its integrity check: it was altered, or copied from another row, column or subject.',
    );
  }
}

export function newDataKey(version = 1): DataKey {
  return { version, key: randomBytes(DATA_KEY_BYTES) };
}

export function dataKeyFrom(version: number, key: Buffer): DataKey {
  if (key.length !== DATA_KEY_BYTES) throw invalid('An unwrapped data key has the wrong length.');
  return { version, key };
}

/**
 * Unwrapped DEKs, kept briefly in memory so a page of reads does not unwrap (with a KMS: one network call)
 * per field. Bounded (LRU) and short-lived (TTL).
 *
 * SECURITY: the cache never decides whether a subject is readable: every read checks the subject's row
 * (shredded or not, which KEK) in its own transaction first, so a shred in another process takes effect
 * at once; the cache only saves the unwrap. Entries are keyed by subject, KEK id and DEK version, so a
 * rewrap under a new KEK or a new DEK never meets an old entry.
 */
export class DataKeyCache {
  private readonly entries = new Map<string, { key: DataKey; expiresAt: number }>();

  constructor(
    readonly maxEntries = 1_000,
    readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private static keyOf(subjectId: string, kekId: string, version: number): string {
    return `${subjectId}\0${kekId}\0${version}`;
  }

  get(subjectId: string, kekId: string, version: number): DataKey | undefined {
    const id = DataKeyCache.keyOf(subjectId, kekId, version);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.key;
  }

  set(subjectId: string, kekId: string, key: DataKey): void {
    if (this.maxEntries <= 0) return;
    const id = DataKeyCache.keyOf(subjectId, kekId, key.version);
    this.entries.delete(id);
    this.entries.set(id, { key, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Drops every entry of a subject (after a shred, so its key leaves this process's memory at once). */
  forget(subjectId: string): void {
    const prefix = `${subjectId}\0`;
    for (const id of this.entries.keys()) if (id.startsWith(prefix)) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
