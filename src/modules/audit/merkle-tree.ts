import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';

/**
 * RFC 9162 (formerly RFC 6962) Merkle tree hashing with SHA-256: the structure Certificate Transparency and
 * every C2SP transparency log use, so outsiders can check our proofs with any standard implementation.
 *
 * Nodes are addressed as (level, index): the perfect subtree of 2^level leaves starting at leaf
 * index * 2^level. Level 0 is the leaf hashes. Roots and proofs are computed from such perfect subtrees
 * only, so a store that keeps every completed perfect subtree answers any of them in O(log n) reads.
 *
 * Sizes and indexes are JavaScript numbers (exact up to 2^53); no 32-bit bit operators are used on them.
 */

export const HASH_SIZE = 32;

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer;
// crypto.hash (Node >= 20.12) skips the Hash object, which is most of the cost for 64-byte inputs.
const oneShot = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

export function sha256(data: Uint8Array): Buffer {
  return oneShot ? oneShot('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
}

/** MTH({}) = SHA-256(""). */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));

// One scratch buffer for hash inputs: hashing is synchronous, so no two calls ever share it, and
// verification (millions of hashes) allocates nothing per node.
let scratch = Buffer.allocUnsafe(4096);

/** SECURITY: the 0x00 / 0x01 prefixes separate leaves from nodes, so no leaf can pose as a subtree. */
export function hashLeaf(data: Uint8Array): Buffer {
  if (data.length + 1 > scratch.length) scratch = Buffer.allocUnsafe(2 * (data.length + 1));
  scratch[0] = 0x00;
  scratch.set(data, 1);
  return sha256(scratch.subarray(0, data.length + 1));
}

export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  const length = 1 + left.length + right.length;
  if (length > scratch.length) scratch = Buffer.allocUnsafe(2 * length);
  scratch[0] = 0x01;
  scratch.set(left, 1);
  scratch.set(right, 1 + left.length);
  return sha256(scratch.subarray(0, length));
}

/** Largest power of two strictly smaller than n (n >= 2): the RFC's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Returns the hash of the perfect subtree (level, index). Proof code only ever asks for complete ones. */
export type NodeSource = (level: number, index: number) => Uint8Array;

export type NodeAddress = { level: number; index: number };

/** MTH(D[start:end]) built from perfect subtrees; start is always aligned as the RFC recursion keeps it. */
export function rangeHash(source: NodeSource, start: number, end: number): Uint8Array {
  const size = end - start;
  if (size <= 0) throw new RangeError('rangeHash: empty range');
  if (isPowerOfTwo(size) && start % size === 0) {
    return source(Math.round(Math.log2(size)), start / size);
  }
  const k = splitPoint(size);
  return hashChildren(rangeHash(source, start, start + k), rangeHash(source, start + k, end));
}

export function rootHash(source: NodeSource, size: number): Uint8Array {
  return size === 0 ? EMPTY_ROOT : rangeHash(source, 0, size);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) for leaf `index` in a tree of `size` leaves. */
export function inclusionProof(source: NodeSource, index: number, size: number): Uint8Array[] {
  if (!(index >= 0 && index < size))
    throw new RangeError(`inclusion proof: leaf ${index} not in size ${size}`);
  const path = (m: number, start: number, end: number): Uint8Array[] => {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, start + k), rangeHash(source, start + k, end)]
      : [...path(m - k, start + k, end), rangeHash(source, start, start + k)];
  };
  return path(index, 0, size);
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) / SUBPROOF(m, D[n], b). */
export function consistencyProof(source: NodeSource, oldSize: number, newSize: number): Uint8Array[] {
  if (!(oldSize >= 0 && oldSize <= newSize)) {
    throw new RangeError(`consistency proof: ${oldSize} is not within 0..${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const subproof = (m: number, start: number, end: number, complete: boolean): Uint8Array[] => {
    const n = end - start;
    if (m === n) return complete ? [] : [rangeHash(source, start, end)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, start + k, complete), rangeHash(source, start + k, end)]
      : [...subproof(m - k, start + k, end, false), rangeHash(source, start, start + k)];
  };
  return subproof(oldSize, 0, newSize, true);
}

/**
 * Which perfect subtrees a computation reads: the access pattern does not depend on hash values, so a
 * store can fetch exactly these in one query and then run the computation again on the fetched hashes.
 */
export function plannedReads<T>(compute: (source: NodeSource) => T): NodeAddress[] {
  const seen = new Map<string, NodeAddress>();
  const dummy = Buffer.alloc(HASH_SIZE);
  compute((level, index) => {
    seen.set(`${level}:${index}`, { level, index });
    return dummy;
  });
  return [...seen.values()];
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof is malformed. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array | null {
  if (!(index >= 0 && index < size) || leafHash.length !== HASH_SIZE) return null;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (p.length !== HASH_SIZE || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  return computed !== null && equalBytes(computed, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of `newSize` leaves extends the tree of `oldSize`? */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!(oldSize >= 0 && oldSize <= newSize)) return false;
  if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0 || proof.some((p) => p.length !== HASH_SIZE)) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const [first, ...rest] = path;
  if (!first) return false;
  let fr: Uint8Array = first;
  let sr: Uint8Array = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return equalBytes(fr, oldRoot) && equalBytes(sr, newRoot) && sn === 0;
}

/**
 * The perfect subtrees of a tree of `size` leaves, largest first (the tree's "compact range" from 0): the
 * only nodes needed to append further leaves.
 */
export function frontierAddresses(size: number): NodeAddress[] {
  const addresses: NodeAddress[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (start + width <= size) {
      addresses.push({ level, index: start / width });
      start += width;
    }
  }
  return addresses;
}

export type StoredNode = NodeAddress & { hash: Buffer };

/**
 * Appends leaves to a tree of `size` leaves whose frontier (see {@link frontierAddresses}) is given, and
 * returns every perfect subtree of level >= 1 the new leaves complete, plus the new frontier. This is
 * what the sequencer stores so that later roots and proofs take O(log n) reads.
 */
export function appendLeaves(
  size: number,
  frontier: readonly Uint8Array[],
  leafHashes: readonly Uint8Array[],
): { completed: StoredNode[]; frontier: Uint8Array[]; size: number } {
  // stack[i] is the frontier node at the i-th set bit, lowest level last, as levels below.
  const addresses = frontierAddresses(size);
  if (addresses.length !== frontier.length) throw new Error('appendLeaves: frontier does not match size');
  const stack: { level: number; hash: Uint8Array }[] = addresses.map((address, i) => ({
    level: address.level,
    hash: frontier[i] as Uint8Array,
  }));
  const completed: StoredNode[] = [];
  let current = size;
  for (const leaf of leafHashes) {
    let node = { level: 0, hash: leaf };
    let position = current; // index of the node at its level
    while (stack.length > 0 && (stack[stack.length - 1] as { level: number }).level === node.level) {
      const left = stack.pop() as { level: number; hash: Uint8Array };
      position = Math.floor(position / 2);
      node = { level: node.level + 1, hash: hashChildren(left.hash, node.hash) };
      completed.push({ level: node.level, index: position, hash: node.hash as Buffer });
    }
    stack.push(node);
    current += 1;
  }
  return { completed, frontier: stack.map((entry) => entry.hash), size: current };
}

/**
 * All perfect subtrees of a list of leaf hashes, kept in memory in one flat buffer per level (64 bytes
 * per leaf in all, no per-node objects): node (l, i) is levels[l][32i, 32i+32). Used by verification,
 * which rebuilds the whole tree from the stored events, and by tests.
 */
export class MemoryTree {
  #levels: Buffer[] = [Buffer.allocUnsafe(HASH_SIZE * 1024)];
  #counts: number[] = [0];

  constructor(leafHashes: Iterable<Uint8Array> = []) {
    for (const leaf of leafHashes) this.append(leaf);
  }

  get size(): number {
    return this.#counts[0] as number;
  }

  /** Number of complete nodes at a level. */
  levelSize(level: number): number {
    return this.#counts[level] ?? 0;
  }

  get height(): number {
    return this.#counts.length;
  }

  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_SIZE) throw new RangeError('leaf hashes are 32 bytes');
    let level = 0;
    let hash: Uint8Array = leafHash;
    for (;;) {
      const count = this.#counts[level] ?? 0;
      let buffer = this.#levels[level] ?? Buffer.allocUnsafe(HASH_SIZE * 512);
      if ((count + 1) * HASH_SIZE > buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, count * HASH_SIZE);
        buffer = grown;
      }
      this.#levels[level] = buffer;
      buffer.set(hash, count * HASH_SIZE);
      this.#counts[level] = count + 1;
      if (count % 2 === 0) return;
      hash = hashChildren(buffer.subarray((count - 1) * HASH_SIZE, count * HASH_SIZE), hash);
      level += 1;
    }
  }

  node(level: number, index: number): Buffer | null {
    if (index < 0 || index >= (this.#counts[level] ?? 0)) return null;
    return (this.#levels[level] as Buffer).subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  readonly source: NodeSource = (level, index) => {
    const hash = this.node(level, index);
    if (!hash) throw new RangeError(`no node (${level}, ${index})`);
    return hash;
  };

  root(size: number = this.size): Uint8Array {
    return rootHash(this.source, size);
  }
}
