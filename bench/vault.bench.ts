import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import {
  type CiphertextBinding,
  DataKeyCache,
  decryptField,
  encryptField,
  newDataKey,
} from '../src/modules/vault/field-cipher.js';
import type { BenchGroup } from './bench-kit.js';

/**
 * The vault's field cipher against raw node:crypto AES-256-GCM on the same 64-byte values. Measured: the
 * seal + reveal path without the database round trip: DEK from the cache, versioned header, associated
 * data binding subject/field/table/column/row, encrypt, then the same to decrypt. Baseline: createCipheriv
 * and createDecipheriv with a random IV and the same key. Target: the vault keeps at least half the speed.
 */
const VALUES = Array.from({ length: 256 }, () => randomBytes(64));
const SUBJECTS = Array.from({ length: 64 }, () => randomUUID());

export function vaultCipherGroup(): BenchGroup {
  const cache = new DataKeyCache(1_000, 3_600_000);
  const rawKey = randomBytes(32);
  let next = 0;
  return {
    title: 'vault: field cipher',
    async setup() {
      for (const subjectId of SUBJECTS) cache.set(subjectId, 'kek-v1', newDataKey(1));
      return [
        {
          name: 'vault seal + reveal, 64 B (cached DEK, bound AAD)',
          baselineName: 'raw AES-256-GCM encrypt + decrypt, 64 B',
          target: 0.5,
          measured: async () => {
            next = (next + 1) % VALUES.length;
            const subjectId = SUBJECTS[next % SUBJECTS.length] as string;
            const binding: CiphertextBinding = {
              subjectId,
              field: 'customer.id_number',
              table: 'customers',
              column: 'id_number',
              rowId: String(next),
            };
            const sealKey = cache.get(subjectId, 'kek-v1', 1);
            if (!sealKey) throw new Error('cache miss');
            const ciphertext = encryptField(sealKey, binding, VALUES[next] as Buffer);
            const revealKey = cache.get(subjectId, 'kek-v1', 1);
            if (!revealKey) throw new Error('cache miss');
            return decryptField(revealKey, binding, ciphertext);
          },
          baseline: async () => {
            next = (next + 1) % VALUES.length;
            const iv = randomBytes(12);
            const cipher = createCipheriv('aes-256-gcm', rawKey, iv);
            const body = Buffer.concat([cipher.update(VALUES[next] as Buffer), cipher.final()]);
            const tag = cipher.getAuthTag();
            const decipher = createDecipheriv('aes-256-gcm', rawKey, iv);
            decipher.setAuthTag(tag);
            return Buffer.concat([decipher.update(body), decipher.final()]);
          },
        },
      ];
    },
    async teardown() {
      cache.clear();
    },
  };
}
