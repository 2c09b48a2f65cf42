import { describe, expect, it } from 'vitest';
import { cspNoncePlaceholder, readCspNonce } from './csp-nonce-reader';

describe('readCspNonce', () => {
  it('returns undefined for the unreplaced placeholder', () => {
    expect(readCspNonce(cspNoncePlaceholder)).toBeUndefined();
    expect(readCspNonce('{{CSP_NONCE}}')).toBeUndefined();
  });

  it('returns undefined when the meta tag is missing or empty', () => {
    expect(readCspNonce(null)).toBeUndefined();
    expect(readCspNonce(undefined)).toBeUndefined();
    expect(readCspNonce('')).toBeUndefined();
    expect(readCspNonce('   ')).toBeUndefined();
  });

  it('returns a real nonce unchanged', () => {
    expect(readCspNonce('r4nd0m+N0nce/Value==')).toBe('r4nd0m+N0nce/Value==');
    expect(readCspNonce(' abc123 ')).toBe('abc123');
  });
});
