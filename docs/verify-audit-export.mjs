// Verifies a ClaimGuard audit export, or a consistency proof, with Node.js alone (no ClaimGuard code).
//   node verify-audit-export.mjs <export.jsonl> '<verifier key>'
//   node verify-audit-export.mjs --consistency <old.checkpoint> <new.checkpoint> <proof.json> '<verifier key>'
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (bytes) => sha256(Buffer.from([0]), bytes); // RFC 9162: 0x00 || leaf
const nodeHash = (left, right) => sha256(Buffer.from([1]), left, right); // 0x01 || left || right
const fromHex = (list) => list.map((hash) => Buffer.from(hash, 'hex'));
const shiftOut = (n) => {
  while (n.fn % 2 === 0 && n.fn !== 0) {
    n.fn /= 2;
    n.sn = Math.floor(n.sn / 2);
  }
};

// C2SP signed note + tlog-checkpoint: check the Ed25519 signature of the verifier key, then parse.
function openCheckpoint(note, verifierKey) {
  const [name, keyId] = verifierKey.split('+', 2);
  const raw = Buffer.from(verifierKey.slice(name.length + keyId.length + 2), 'base64').subarray(1);
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  const id = sha256(Buffer.from(`${name}\n`), Buffer.from([1]), raw).subarray(0, 4);
  if (id.toString('hex') !== keyId) throw new Error('verifier key: key ID does not match');
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const signed = note
    .slice(split + 2)
    .split('\n')
    .some((line) => {
      const [dash, signer, sig] = line.split(' ');
      const blob = Buffer.from(sig ?? '', 'base64');
      return (
        dash === '\u2014' &&
        signer === name &&
        blob.subarray(0, 4).equals(id) &&
        verify(null, Buffer.from(text), key, blob.subarray(4))
      );
    });
  if (!signed) throw new Error('checkpoint: no valid signature from this key');
  const [origin, size, root] = text.split('\n');
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}

// RFC 9162 §2.1.3.2: the root an inclusion proof leads to.
function inclusionRoot(index, size, leaf, proof) {
  const n = { fn: index, sn: size - 1 };
  let r = leaf;
  for (const p of proof) {
    if (n.sn === 0) return null;
    if (n.fn % 2 === 1 || n.fn === n.sn) {
      r = nodeHash(p, r);
      if (n.fn % 2 === 0) shiftOut(n);
    } else r = nodeHash(r, p);
    n.fn = Math.floor(n.fn / 2);
    n.sn = Math.floor(n.sn / 2);
  }
  return n.sn === 0 ? r : null;
}

// RFC 9162 §2.1.4.2: does the proof show the new tree extends the old one?
function consistent(m, size, proof, oldRoot, newRoot) {
  if (m === size) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0 || proof.length === 0) return m === 0 && proof.length === 0;
  const path = Number.isInteger(Math.log2(m)) ? [oldRoot, ...proof] : proof;
  const n = { fn: m - 1, sn: size - 1 };
  while (n.fn % 2 === 1) {
    n.fn = Math.floor(n.fn / 2);
    n.sn = Math.floor(n.sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (n.sn === 0) return false;
    if (n.fn % 2 === 1 || n.fn === n.sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (n.fn % 2 === 0) shiftOut(n);
    } else sr = nodeHash(sr, c);
    n.fn = Math.floor(n.fn / 2);
    n.sn = Math.floor(n.sn / 2);
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && n.sn === 0;
}

const args = process.argv.slice(2);
if (args[0] === '--consistency') {
  const [, oldFile, newFile, proofFile, key] = args;
  const old = openCheckpoint(readFileSync(oldFile, 'utf8'), key);
  const now = openCheckpoint(readFileSync(newFile, 'utf8'), key);
  const ok = consistent(
    old.size,
    now.size,
    fromHex(JSON.parse(readFileSync(proofFile, 'utf8')).proof),
    old.root,
    now.root,
  );
  console.log(ok ? `consistent: ${now.size} extends ${old.size}` : 'NOT consistent');
  process.exit(ok ? 0 : 1);
}
const lines = readFileSync(args[0], 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const checkpoint = openCheckpoint(lines.find((line) => line.type === 'checkpoint').note, args[1]);
let bad = 0;
for (const e of lines.filter((line) => line.type === 'event')) {
  const leaf = leafHash(Buffer.from(e.canonical, 'utf8')); // the exact bytes the log hashed
  const root = inclusionRoot(e.seq, checkpoint.size, leaf, fromHex(e.inclusionProof));
  if (
    leaf.toString('hex') !== e.leafHash ||
    JSON.parse(e.canonical).seq !== e.seq ||
    !root?.equals(checkpoint.root)
  ) {
    console.log(`seq ${e.seq}: does NOT verify`);
    bad++;
  }
}
console.log(
  `${lines.length - 1 - bad} event(s) verified against ${checkpoint.origin} at size ${checkpoint.size}; ${bad} failed`,
);
process.exit(bad === 0 ? 0 : 1);
