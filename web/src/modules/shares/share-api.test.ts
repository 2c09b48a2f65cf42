import { describe, expect, it } from 'vitest';
import { tokenFromHash } from './share-api';

describe('tokenFromHash', () => {
  it('takes the token from the fragment', () => {
    const token = `cgs_${'a1_-'.repeat(10)}xyz`;
    expect(tokenFromHash(`#${token}`)).toBe(token);
  });

  it('refuses an empty or odd fragment rather than posting it', () => {
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#')).toBeNull();
    expect(tokenFromHash('#short')).toBeNull();
    expect(tokenFromHash('#cgs_abc/../../etc?x=1&y=2aaaaaaaaaaaaaa')).toBeNull();
  });
});
