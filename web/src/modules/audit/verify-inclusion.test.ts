import { describe, expect, it } from 'vitest';
import * as serverTree from '../../../../src/modules/audit/merkle-tree';
import {
  bytesToHex,
  hashChildren,
  hashLeaf,
  hexToBytes,
  rootFromInclusionProof,
  verifyInclusionProof,
} from './verify-inclusion';

/** A tiny RFC 9162 tree built here, from the definitions (MTH and PATH, §2.1.1 and §2.1.3.1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

async function mth(leaves: Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const k = split(leaves.length);
  return hashChildren(await mth(leaves.slice(0, k)), await mth(leaves.slice(k)));
}

async function path(m: number, leaves: Uint8Array[]): Promise<Uint8Array[]> {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...(await path(m, leaves.slice(0, k))), await mth(leaves.slice(k))]
    : [...(await path(m - k, leaves.slice(k))), await mth(leaves.slice(0, k))];
}

async function tree(size: number) {
  const leaves = await Promise.all(
    Array.from({ length: size }, (_, i) => hashLeaf(new TextEncoder().encode(`event ${i}`))),
  );
  return { leaves, root: await mth(leaves) };
}

describe('inclusion proof verification (RFC 9162 §2.1.3.2)', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes, as the server does', async () => {
    const data = new TextEncoder().encode('hello');
    expect(bytesToHex(await hashLeaf(data))).toBe(serverTree.hashLeaf(data).toString('hex'));
    const [a, b] = [await hashLeaf(data), await hashLeaf(new Uint8Array([1, 2]))];
    expect(bytesToHex(await hashChildren(a, b))).toBe(serverTree.hashChildren(a, b).toString('hex'));
  });

  it('accepts the proof of every leaf in trees of 1 to 9 leaves', async () => {
    for (let size = 1; size <= 9; size++) {
      const { leaves, root } = await tree(size);
      for (let index = 0; index < size; index++) {
        const proof = await path(index, leaves);
        const computed = await rootFromInclusionProof(index, size, leaves[index] as Uint8Array, proof);
        expect(computed && bytesToHex(computed), `leaf ${index} of ${size}`).toBe(bytesToHex(root));
      }
    }
  });

  it('agrees with the server on proofs it made', async () => {
    const { leaves, root } = await tree(7);
    // The server's node store: level 0 holds the leaves, each level above pairs the one below.
    const levels: Uint8Array[][] = [leaves];
    for (let below: Uint8Array[] = leaves; below.length > 1; ) {
      const above: Uint8Array[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) {
        above.push(serverTree.hashChildren(below[i] as Uint8Array, below[i + 1] as Uint8Array));
      }
      levels.push(above);
      below = above;
    }
    const source = (level: number, index: number) => levels[level]?.[index] as Uint8Array;
    const proof = serverTree.inclusionProof(source, 5, 7);
    const check = await verifyInclusionProof({
      seq: 5,
      treeSize: 7,
      leafHash: bytesToHex(leaves[5] as Uint8Array),
      rootHash: bytesToHex(root),
      proof: proof.map(bytesToHex),
    });
    expect(check).toEqual({ valid: true, computedRoot: bytesToHex(root) });
  });

  it('refuses a proof for another leaf, a tampered sibling, a wrong size or a wrong root', async () => {
    const { leaves, root } = await tree(6);
    const proof = (await path(2, leaves)).map(bytesToHex);
    const good = {
      seq: 2,
      treeSize: 6,
      leafHash: bytesToHex(leaves[2] as Uint8Array),
      rootHash: bytesToHex(root),
      proof,
    };
    expect((await verifyInclusionProof(good)).valid).toBe(true);
    expect((await verifyInclusionProof(good, bytesToHex(leaves[3] as Uint8Array))).valid).toBe(false);
    expect((await verifyInclusionProof({ ...good, seq: 3 })).valid).toBe(false);
    expect((await verifyInclusionProof({ ...good, treeSize: 9 })).valid).toBe(false);
    const tampered = [...proof];
    tampered[0] = `${tampered[0]?.slice(0, -1)}${tampered[0]?.endsWith('0') ? '1' : '0'}`;
    expect((await verifyInclusionProof({ ...good, proof: tampered })).valid).toBe(false);
    expect(
      (await verifyInclusionProof({ ...good, rootHash: bytesToHex(leaves[0] as Uint8Array) })).valid,
    ).toBe(false);
    expect((await verifyInclusionProof({ ...good, proof: [...proof, proof[0] as string] })).valid).toBe(
      false,
    );
    expect((await verifyInclusionProof({ ...good, proof: ['zz'] })).valid).toBe(false);
  });

  it('parses hex strictly', () => {
    expect(hexToBytes('00ff')).toEqual(new Uint8Array([0, 255]));
    expect(hexToBytes('0')).toBeNull();
    expect(hexToBytes('0g')).toBeNull();
  });
});
