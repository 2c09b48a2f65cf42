import { describe, expect, it } from 'vitest';
import {
  appendLeaves,
  consistencyProof,
  EMPTY_ROOT,
  frontierAddresses,
  hashLeaf,
  inclusionProof,
  MemoryTree,
  plannedReads,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './merkle-tree.js';

/**
 * Published vectors of the Certificate Transparency reference implementations (transparency-dev/merkle
 * testonly/constants.go and proof/verify_test.go, the same as google/certificate-transparency-go).
 */
const hex = (value: string) => Buffer.from(value, 'hex');
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
/** [0-based leaf index, tree size, audit path] (the Go vectors count leaves from 1). */
const INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const toHex = (values: Uint8Array[]) => values.map((value) => Buffer.from(value).toString('hex'));
const ctTree = new MemoryTree(LEAVES.map(hashLeaf));

function flipBit(proof: Uint8Array[], at: number): Uint8Array[] {
  return proof.map((hash, i) => {
    if (i !== at) return hash;
    const copy = Buffer.from(hash);
    copy[0] = (copy[0] ?? 0) ^ 0x10;
    return copy;
  });
}

describe('RFC 9162 Merkle tree against the Certificate Transparency vectors', () => {
  it('hashes the empty tree and every size from 1 to 8 to the published roots', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    for (let size = 0; size <= 8; size++) {
      expect(Buffer.from(ctTree.root(size)).toString('hex')).toBe(ROOTS[size]);
    }
  });

  it('produces and verifies the published inclusion proofs', () => {
    for (const [index, size, expected] of INCLUSION) {
      const proof = inclusionProof(ctTree.source, index, size);
      expect(toHex(proof)).toEqual(expected);
      const leaf = hashLeaf(LEAVES[index] as Buffer);
      expect(verifyInclusion(index, size, leaf, proof, hex(ROOTS[size] as string))).toBe(true);
      // Wrong index, wrong size, trailing or missing components fail.
      expect(verifyInclusion(index + 1, size, leaf, proof, hex(ROOTS[size] as string))).toBe(false);
      expect(verifyInclusion(index, size * 2, leaf, proof, hex(ROOTS[size] as string))).toBe(false);
      expect(verifyInclusion(index, size, leaf, [...proof, leaf], hex(ROOTS[size] as string))).toBe(false);
      if (proof.length > 0) {
        expect(verifyInclusion(index, size, leaf, proof.slice(1), hex(ROOTS[size] as string))).toBe(false);
      }
    }
  });

  it('produces and verifies the published consistency proofs', () => {
    for (const [oldSize, newSize, expected] of CONSISTENCY) {
      const proof = consistencyProof(ctTree.source, oldSize, newSize);
      expect(toHex(proof)).toEqual(expected);
      const oldRoot = hex(ROOTS[oldSize] as string);
      const newRoot = hex(ROOTS[newSize] as string);
      expect(verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot)).toBe(true);
      if (proof.length > 0) {
        expect(verifyConsistency(oldSize, newSize, proof, newRoot, oldRoot)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, [], oldRoot, newRoot)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, proof.slice(0, -1), oldRoot, newRoot)).toBe(false);
      }
    }
  });

  it('handles the edge cases of the verifiers as the reference does', () => {
    const some = hashLeaf(Buffer.from('x'));
    expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(true);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, some)).toBe(true);
    expect(verifyConsistency(1, 0, [], some, some)).toBe(false);
    expect(verifyConsistency(1, 1, [some], some, some)).toBe(false);
    expect(verifyInclusion(0, 0, some, [], some)).toBe(false);
    expect(verifyInclusion(0, 1, some, [], some)).toBe(true);
    expect(rootFromInclusionProof(2, 1, some, [])).toBeNull();
  });
});

describe('Merkle tree properties for sizes 1..64', () => {
  const leaves = Array.from({ length: 64 }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
  const tree = new MemoryTree(leaves);

  it('every inclusion proof verifies for every leaf, and a flipped bit fails', () => {
    for (let size = 1; size <= 64; size++) {
      const root = tree.root(size);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(tree.source, index, size);
        expect(verifyInclusion(index, size, leaves[index] as Buffer, proof, root)).toBe(true);
        for (let at = 0; at < proof.length; at++) {
          expect(verifyInclusion(index, size, leaves[index] as Buffer, flipBit(proof, at), root)).toBe(false);
        }
      }
    }
  });

  it('every consistency proof verifies for m <= n <= 64, and a flipped bit fails', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(tree.source, m, n);
        expect(verifyConsistency(m, n, proof, tree.root(m), tree.root(n))).toBe(true);
        for (let at = 0; at < proof.length; at++) {
          expect(verifyConsistency(m, n, flipBit(proof, at), tree.root(m), tree.root(n))).toBe(false);
        }
      }
    }
  });

  it('proofs read O(log n) stored subtrees', () => {
    const size = 1_000_003;
    const reads = plannedReads((source) => inclusionProof(source, 123_456, size));
    expect(reads.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)));
    const consistency = plannedReads((source) => consistencyProof(source, 500_001, size));
    expect(consistency.length).toBeLessThanOrEqual(3 * Math.ceil(Math.log2(size)));
  });

  it('appending through the frontier stores exactly the completed perfect subtrees', () => {
    const reference = new MemoryTree(leaves);
    const stored = new Map<string, Uint8Array>();
    for (const [i, leaf] of leaves.entries()) stored.set(`0:${i}`, leaf);
    let size = 0;
    let frontier: Uint8Array[] = [];
    for (const batch of [1, 2, 5, 8, 16, 32]) {
      const result = appendLeaves(size, frontier, leaves.slice(size, size + batch));
      for (const node of result.completed) stored.set(`${node.level}:${node.index}`, node.hash);
      size = result.size;
      frontier = result.frontier;
      expect(toHex(frontier)).toEqual(
        toHex(frontierAddresses(size).map(({ level, index }) => reference.source(level, index))),
      );
    }
    expect(size).toBe(64);
    for (let level = 0; level < reference.height; level++) {
      for (let index = 0; index < reference.levelSize(level); index++) {
        expect(Buffer.from(stored.get(`${level}:${index}`) ?? []).toString('hex')).toBe(
          Buffer.from(reference.source(level, index)).toString('hex'),
        );
      }
    }
  });
});
