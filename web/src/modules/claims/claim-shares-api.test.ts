import { describe, expect, it } from 'vitest';
import { absoluteShareLink, MAX_SHARE_DAYS, shareExpiry } from './claim-shares-api';

describe('claim shares helpers', () => {
  const now = new Date('2026-11-24T10:00:00.000Z');

  it('bounds the expiry to between one day and the maximum', () => {
    expect(shareExpiry(7, now)).toBe('2026-12-01T10:00:00.000Z');
    expect(new Date(shareExpiry(0, now)).getTime()).toBe(now.getTime() + 86_400_000);
    const longest = new Date(shareExpiry(365, now)).getTime() - now.getTime();
    expect(longest).toBeLessThan(MAX_SHARE_DAYS * 86_400_000);
    expect(longest).toBeGreaterThan((MAX_SHARE_DAYS - 1) * 86_400_000);
  });

  it('keeps the token in the fragment of the absolute link', () => {
    const link = absoluteShareLink('/share#cgs_abc', 'https://claims.example.cn');
    expect(link).toBe('https://claims.example.cn/share#cgs_abc');
    expect(new URL(link).search).toBe('');
  });
});
