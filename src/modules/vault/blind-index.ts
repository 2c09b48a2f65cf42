import { createHmac, hkdfSync } from 'node:crypto';
import { DomainError } from '../../errors/domain-error.js';
import {
  type BlindIndexKind,
  PERSONAL_DATA_CATALOGUE,
  type PersonalDataFieldId,
} from './personal-data-catalogue.js';

/**
 * Blind indexes: exact-match search over encrypted fields. The index of a value is
 * HMAC-SHA256(field key, normalised value), truncated to {@link BLIND_INDEX_BYTES} bytes, where the field key
 * is derived (HKDF-SHA256) from the separate blind-index key with the field id as context.
 *
 * SECURITY:
 * - No plaintext and no unkeyed hash is ever stored: an ID number has so few possible values that a plain
 *   SHA-256 of it is reversed by enumeration in minutes. Without the index key the index reveals nothing.
 * - Domain separation: each field has its own derived key, so the same digits as a phone and as an ID
 *   number index differently, and an index cannot be matched across fields.
 * - Truncation to 16 bytes keeps accidental collisions negligible (2^-64 for a billion values) while a
 *   match is always confirmed by decrypting the candidate row.
 * - An index reveals equality: two rows with the same value have the same index. That is the price of
 *   exact-match search, and why only the five identifiers people search by are indexed.
 */
export const BLIND_INDEX_BYTES = 16;

const FULL_WIDTH_OR_SPACE_SEPARATORS = /[\s\-‐‑‒–—―－]/gu;

/** NFKC turns full-width digits and letters (１２３, ＡＢＣ), full-width spaces and ＋ into their ASCII forms. */
function nfkc(value: string): string {
  return value.normalize('NFKC').trim();
}

export const NORMALISERS: Record<BlindIndexKind, (value: string) => string> = {
  /** `110105 1949 1231 002x` → `11010519491231002X`: the check character is an upper-case X by standard. */
  'id-number': (value) => nfkc(value).replace(FULL_WIDTH_OR_SPACE_SEPARATORS, '').toUpperCase(),
  passport: (value) => nfkc(value).replace(FULL_WIDTH_OR_SPACE_SEPARATORS, '').toUpperCase(),
  /** `+86 138-1234-5678`, `0086 13812345678`, `(138) 1234 5678` → `13812345678`. */
  phone: (value) =>
    nfkc(value)
      .replace(/[\s\-‐‑‒–—―－().]/gu, '')
      .replace(/^(\+86|0086)/, ''),
  /** Email addresses are compared case-insensitively as people expect (local parts too, in practice). */
  email: (value) => nfkc(value).replace(/\s/g, '').toLowerCase(),
  'bank-account': (value) => nfkc(value).replace(FULL_WIDTH_OR_SPACE_SEPARATORS, ''),
};

export function normaliseForIndex(kind: BlindIndexKind, value: string): string {
  return NORMALISERS[kind](value);
}

/** Computes blind indexes with one index key; field keys are derived once and kept. */
export class BlindIndexer {
  private readonly fieldKeys = new Map<string, Buffer>();

  constructor(private readonly indexKey: Buffer) {
    if (indexKey.length !== 32)
      throw new DomainError('vault-keys-unavailable', 'The blind-index key must be 32 bytes.');
  }

  isSearchable(field: PersonalDataFieldId): boolean {
    return PERSONAL_DATA_CATALOGUE[field].blindIndex !== null;
  }

  /** The index of `value` for `field`; refuses a field the catalogue does not make searchable. */
  compute(field: PersonalDataFieldId, value: string): Buffer {
    const kind: BlindIndexKind | null = PERSONAL_DATA_CATALOGUE[field].blindIndex;
    if (kind === null) throw new DomainError('bad-request', `The field ${field} is not searchable.`);
    const normalised = normaliseForIndex(kind, value);
    return createHmac('sha256', this.fieldKey(field))
      .update(normalised, 'utf8')
      .digest()
      .subarray(0, BLIND_INDEX_BYTES);
  }

  private fieldKey(field: string): Buffer {
    let key = this.fieldKeys.get(field);
    if (!key) {
      key = Buffer.from(
        hkdfSync('sha256', this.indexKey, Buffer.alloc(0), `claimguard/blind-index/v1/${field}`, 32),
      );
      this.fieldKeys.set(field, key);
    }
    return key;
  }
}
