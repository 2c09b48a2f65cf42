import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HASH_SIZE, sha256 } from './merkle-tree.js';

/**
 * Checkpoints in the C2SP formats, so any transparency-log tooling can read them:
 * - c2sp.org/tlog-checkpoint: body `<origin>\n<tree size>\n<base64 root hash>\n`;
 * - c2sp.org/signed-note: the body, a blank line, then `— <key name> <base64(key ID || signature)>\n`
 *   lines, with key ID = SHA-256(key name || 0x0A || 0x01 || Ed25519 public key)[:4];
 * - verifier keys as `<name>+<hex key ID>+<base64(0x01 || public key)>` (golang.org/x/mod/sumdb/note).
 */
const ED25519_TYPE = 0x01;
const EM_DASH = '\u2014';

export type CheckpointSigner = {
  /** Key name, which is also the checkpoint origin. */
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  /** What verifiers configure: `<name>+<hex key ID>+<base64(0x01 || public key)>`. */
  readonly verifierKey: string;
  /** Returns the signed note for a note text (which must end in a newline). */
  signNote(text: string): string;
};

export type CheckpointVerifier = { name: string; keyId: Buffer; publicKey: KeyObject };

export type Checkpoint = { origin: string; size: number; rootHash: Buffer; extensions: string[] };

/** SECURITY: names end up in signed text; a space, '+' or newline would make notes ambiguous. */
export function validKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\p{Cc}]/u.test(name);
}

function keyIdOf(name: string, rawPublicKey: Buffer): Buffer {
  return sha256(
    Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([ED25519_TYPE]), rawPublicKey]),
  ).subarray(0, 4);
}

function rawPublicKeyOf(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new Error('checkpoint key: not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function createCheckpointSigner(name: string, privateKey: KeyObject): CheckpointSigner {
  if (!validKeyName(name))
    throw new Error('checkpoint key name: no spaces, plus signs or control characters');
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('checkpoint key: not an Ed25519 private key');
  const publicKey = rawPublicKeyOf(createPublicKey(privateKey));
  const keyId = keyIdOf(name, publicKey);
  const verifierKey = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64')}`;
  return {
    name,
    keyId,
    publicKey,
    verifierKey,
    signNote(text) {
      if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
      const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
      return `${text}\n${EM_DASH} ${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
    },
  };
}

export function parseVerifierKey(verifierKey: string): CheckpointVerifier {
  // The base64 key may itself contain '+': cut at the first two only.
  const text = verifierKey.trim();
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  const name = text.slice(0, Math.max(first, 0));
  const hexId = text.slice(first + 1, Math.max(second, first + 1));
  const encoded = second < 0 ? '' : text.slice(second + 1);
  if (!validKeyName(name) || !/^[0-9a-f]{8}$/.test(hexId) || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) {
    throw new Error('verifier key: expected <name>+<8 hex digits>+<base64 key>');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 33 || key[0] !== ED25519_TYPE) throw new Error('verifier key: not an Ed25519 key');
  const raw = key.subarray(1);
  const keyId = Buffer.from(hexId, 'hex');
  if (!keyIdOf(name, raw).equals(keyId)) throw new Error('verifier key: key ID does not match the key');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { name, keyId, publicKey };
}

/**
 * Opens a signed note: returns its text when at least one signature from a known key verifies and no
 * signature from a known key fails (signed-note's verifier rules), otherwise null.
 */
export function openSignedNote(note: string, verifiers: readonly CheckpointVerifier[]): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec forbids these control characters
  if (!note.endsWith('\n') || /[\u0000-\u0009\u000b-\u001f]/.test(note)) return null;
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return null;
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let verified = 0;
  for (const line of lines) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) return null;
    const [, name, encoded] = match;
    const blob = Buffer.from(encoded as string, 'base64');
    if (blob.length < 5) return null;
    const keyId = blob.subarray(0, 4);
    const known = verifiers.find((candidate) => candidate.name === name && candidate.keyId.equals(keyId));
    if (!known) continue; // signatures from unknown keys are ignored
    if (blob.length !== 68 || !verify(null, Buffer.from(text, 'utf8'), known.publicKey, blob.subarray(4)))
      return null;
    verified++;
  }
  return verified > 0 ? text : null;
}

export function formatCheckpoint(origin: string, size: number, rootHash: Uint8Array): string {
  return `${origin}\n${size}\n${Buffer.from(rootHash).toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint | null {
  if (!text.endsWith('\n')) return null;
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (!origin || !size || !root || !/^(0|[1-9][0-9]{0,15})$/.test(size)) return null;
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== HASH_SIZE || rootHash.toString('base64') !== root) return null;
  if (extensions.some((line) => line === '')) return null;
  return { origin, size: Number(size), rootHash, extensions };
}

/** Verifies a signed checkpoint note and parses it; null when the signature or the format is wrong. */
export function openCheckpoint(note: string, verifiers: readonly CheckpointVerifier[]): Checkpoint | null {
  const text = openSignedNote(note, verifiers);
  return text === null ? null : parseCheckpoint(text);
}

export const CHECKPOINT_KEY_FILE = 'audit-checkpoint.key';

/**
 * Returns the checkpoint signing key kept in `<dataDir>/keys/audit-checkpoint.key` (PKCS #8 PEM, mode
 * 0600), creating it on first use. `claimguard init` calls this too.
 */
export function ensureCheckpointKey(dataDir: string): KeyObject {
  const dir = join(dataDir, 'keys');
  const file = join(dir, CHECKPOINT_KEY_FILE);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  try {
    // SECURITY: 'wx' never replaces a key another process created meanwhile; 0600 keeps it private.
    writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
    return privateKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return createPrivateKey(readFileSync(file, 'utf8'));
  }
}

/** The signing key: CLAIMGUARD_AUDIT_SIGNING_KEY (PEM) when set, else the key file in the data directory. */
export function loadCheckpointKey(options: {
  dataDir: string;
  signingKeyPem?: string | undefined;
}): KeyObject {
  if (options.signingKeyPem) return createPrivateKey(options.signingKeyPem);
  return ensureCheckpointKey(options.dataDir);
}
