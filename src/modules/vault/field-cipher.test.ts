import { describe, expect, it } from 'vitest';
import {
  CIPHERTEXT_OVERHEAD,
  type CiphertextBinding,
  DataKeyCache,
  decryptField,
  encryptField,
  newDataKey,
  parseCiphertext,
} from './field-cipher.js';

const binding: CiphertextBinding = {
  subjectId: '6f1c1f0e-3d7a-4a55-9d0e-2f4f3a0b9c11',
  field: 'customer.phone',
  table: 'customers',
  column: 'phone',
  rowId: '42',
};
const plaintext = Buffer.from('13912345678');

describe('field cipher', () => {
  it('writes the versioned format: version, algorithm, DEK version, IV, tag, body', () => {
    const key = newDataKey(7);
    const ciphertext = encryptField(key, binding, plaintext);
    expect(ciphertext).toHaveLength(CIPHERTEXT_OVERHEAD + plaintext.length);
    const parsed = parseCiphertext(ciphertext);
    expect(parsed).toMatchObject({ formatVersion: 1, algorithm: 1, dataKeyVersion: 7 });
    expect(parsed.iv).toHaveLength(12);
    expect(parsed.tag).toHaveLength(16);
    expect(decryptField(key, binding, ciphertext)).toEqual(plaintext);
    // A fresh IV each time: equal values do not give equal ciphertexts.
    expect(encryptField(key, binding, plaintext)).not.toEqual(ciphertext);
  });

  it('refuses unknown versions and algorithms, and an altered header', () => {
    const key = newDataKey(1);
    const ciphertext = encryptField(key, binding, plaintext);
    const variants: [number, number, RegExp][] = [
      [0, 9, /format 9/],
      [1, 2, /algorithm 2/],
      [3, 5, /data key version/],
    ];
    for (const [offset, value, message] of variants) {
      const altered = Buffer.from(ciphertext);
      altered[offset] = value;
      expect(() => decryptField(key, binding, altered)).toThrow(message);
    }
    expect(() => decryptField(key, binding, ciphertext.subarray(0, 20))).toThrow(/too short/);
  });

  it('binds the ciphertext to subject, field, table, column and row', () => {
    const key = newDataKey(1);
    const ciphertext = encryptField(key, binding, plaintext);
    for (const change of [
      { subjectId: '00000000-0000-4000-8000-000000000000' },
      { field: 'customer.id_number' },
      { table: 'claims' },
      { column: 'email' },
      { rowId: '43' },
    ]) {
      expect(() => decryptField(key, { ...binding, ...change }, ciphertext)).toThrow(/integrity check/);
    }
    expect(() => decryptField(newDataKey(1), binding, ciphertext)).toThrow(/integrity check/);
    expect(() => encryptField(key, { ...binding, rowId: 'a\0b' }, plaintext)).toThrow(/row id/);
  });
});

describe('data key cache', () => {
  it('evicts the least recently used entry and expires entries after the TTL', () => {
    let now = 0;
    const cache = new DataKeyCache(2, 1_000, () => now);
    const [a, b, c] = [newDataKey(1), newDataKey(1), newDataKey(1)];
    cache.set('a', 'k1', a);
    cache.set('b', 'k1', b);
    expect(cache.get('a', 'k1', 1)).toBe(a); // a is now the most recent
    cache.set('c', 'k1', c);
    expect(cache.get('b', 'k1', 1)).toBeUndefined();
    expect(cache.get('a', 'k1', 1)).toBe(a);
    expect(cache.get('a', 'k2', 1)).toBeUndefined();
    now = 1_000;
    expect(cache.get('a', 'k1', 1)).toBeUndefined();
    cache.set('c', 'k1', c);
    cache.forget('c');
    expect(cache.size).toBe(0);
  });
});
