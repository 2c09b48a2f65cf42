/**
 * Checks an RFC 9162 inclusion proof in the browser (§2.1.3.2), so an auditor need not take the server's
 * word that an event is in the log: SHA-256, leaves hashed with a 0x00 prefix, interior nodes with 0x01.
 * The server gives the leaf hash; this recomputes the root from it and the proof's sibling hashes.
 */

const HASH_SIZE = 32;

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

function prefixed(prefix: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(1 + parts.reduce((sum, part) => sum + part.length, 0));
  out[0] = prefix;
  let offset = 1;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** MTH of one entry: SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(prefixed(0x00, data));
}

/** An interior node: SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(prefixed(0x01, left, right));
}

/** The root the proof leads to from leaf `index` of a tree of `size` leaves, or null if it is malformed. */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Promise<Uint8Array | null> {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return null;
  if (leafHash.length !== HASH_SIZE) return null;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (p.length !== HASH_SIZE || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await hashChildren(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export type InclusionProof = {
  seq: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  proof: string[];
};

export type InclusionCheck = { valid: boolean; computedRoot: string | null };

/** Verifies a proof as the API returns it (hex strings; the leaf index is the event's seq). */
export async function verifyInclusionProof(
  proof: InclusionProof,
  expectedLeafHash?: string,
): Promise<InclusionCheck> {
  const leaf = hexToBytes(proof.leafHash);
  const root = hexToBytes(proof.rootHash);
  const path = proof.proof.map(hexToBytes);
  if (!leaf || !root || path.some((node) => node === null)) return { valid: false, computedRoot: null };
  // The proof must be about the event the auditor is looking at, not some other leaf.
  if (expectedLeafHash !== undefined && expectedLeafHash.toLowerCase() !== proof.leafHash.toLowerCase()) {
    return { valid: false, computedRoot: null };
  }
  const computed = await rootFromInclusionProof(proof.seq, proof.treeSize, leaf, path as Uint8Array[]);
  if (!computed) return { valid: false, computedRoot: null };
  const computedRoot = bytesToHex(computed);
  return { valid: computedRoot === bytesToHex(root), computedRoot };
}
