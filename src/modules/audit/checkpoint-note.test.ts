import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createCheckpointSigner,
  ensureCheckpointKey,
  formatCheckpoint,
  openCheckpoint,
  openSignedNote,
  parseCheckpoint,
  parseVerifierKey,
} from './checkpoint-note.js';

const NAME = 'claimguard.local/audit/test';

describe('C2SP signed-note checkpoints', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = createCheckpointSigner(NAME, privateKey);
  const root = createHash('sha256').update('root').digest();

  it('derives the key ID as SHA-256(name || 0x0A || 0x01 || public key)[:4] and encodes the verifier key', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${NAME}\n`), Buffer.from([1]), signer.publicKey]))
      .digest()
      .subarray(0, 4);
    expect(signer.keyId).toEqual(expected);
    expect(signer.verifierKey).toBe(
      `${NAME}+${expected.toString('hex')}+${Buffer.concat([Buffer.from([1]), signer.publicKey]).toString('base64')}`,
    );
    expect(parseVerifierKey(signer.verifierKey).keyId).toEqual(expected);
    expect(() =>
      parseVerifierKey(`${NAME}+00000000+${signer.verifierKey.split('+').slice(2).join('+')}`),
    ).toThrow();
  });

  it('signs the checkpoint body and verifies it; tampered text or signatures fail; unknown keys are ignored', () => {
    const body = formatCheckpoint(NAME, 42, root);
    expect(body).toBe(`${NAME}\n42\n${root.toString('base64')}\n`);
    const note = signer.signNote(body);
    const verifier = parseVerifierKey(signer.verifierKey);
    expect(openCheckpoint(note, [verifier])).toEqual({
      origin: NAME,
      size: 42,
      rootHash: root,
      extensions: [],
    });
    expect(openSignedNote(note.replace('\n42\n', '\n43\n'), [verifier])).toBeNull();
    const other = createCheckpointSigner('someone.else/log', generateKeyPairSync('ed25519').privateKey);
    // A second signature from an unknown key is ignored; the note still verifies with ours alone.
    const cosigned = `${note}${other.signNote(body).split('\n\n')[1]}`;
    expect(openSignedNote(cosigned, [verifier])).toBe(body);
    expect(openSignedNote(note, [parseVerifierKey(other.verifierKey)])).toBeNull();
    expect(parseCheckpoint(`${NAME}\n042\n${root.toString('base64')}\n`)).toBeNull();
  });

  it('creates the key file once, PKCS #8 PEM with mode 0600, and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'claimguard-key-'));
    try {
      const first = ensureCheckpointKey(dataDir);
      const file = join(dataDir, 'keys', 'audit-checkpoint.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = ensureCheckpointKey(dataDir);
      expect(createCheckpointSigner(NAME, again).verifierKey).toBe(
        createCheckpointSigner(NAME, first).verifierKey,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
