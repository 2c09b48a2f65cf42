import { createHash, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time codes and tokens of the portal. A code is six digits sent to the phone or email on file; only
 * its HMAC (under a key derived from the identity key, bound to its row and step) is stored, and compared in
 * constant time. Tokens (session cookies, registration tickets) are 32 random bytes, stored as SHA-256.
 */
export const CODE_VALID_MINUTES = 10;
export const MAX_CODE_ATTEMPTS = 5;

export type PortalKeys = { codeKey: Buffer; throttleKey: Buffer };

export function derivePortalKeys(identityKey: Buffer): PortalKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', identityKey, Buffer.alloc(0), info, 32));
  return {
    codeKey: derive('claimguard/portal/codes/v1'),
    throttleKey: derive('claimguard/portal/throttle/v1'),
  };
}

export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function codeHash(
  key: Buffer,
  step: 'registration' | 'sign-in' | 'contact-change',
  rowId: string,
  code: string,
): Buffer {
  return createHmac('sha256', key).update(`portal-code\0${step}\0${rowId}\0${code.trim()}`).digest();
}

export function codeMatches(stored: Uint8Array | null, given: Buffer): boolean {
  if (!stored) return false;
  const expected = Buffer.from(stored);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * A throttle key for what a person typed (login or ID number): keyed, because a plain hash of a phone or
 * resident ID number is reversed by trying every possible value.
 */
export function throttleKeyOf(key: Buffer, kind: 'login' | 'register', value: string): string {
  const normalised = value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s()+-]/g, '');
  return `${kind}:${createHmac('sha256', key).update(normalised).digest('base64url')}`;
}
