import { describe, expect, it } from 'vitest';
import { catalogueForApi } from '../../../../src/modules/vault/personal-data-catalogue';
import { formatRetention, parseRetention } from './retention-format';

describe('retention periods in words', () => {
  it.each([
    ['P5Y', '5 年', '5 years'],
    ['P1Y', '1 年', '1 year'],
    ['P90D', '90 天', '90 days'],
    ['P1D', '1 天', '1 day'],
    ['P6M', '6 个月', '6 months'],
    ['P1Y6M', '1 年 6 个月', '1 year 6 months'],
    ['P2W', '2 周', '2 weeks'],
    ['P0D', '0 天', '0 days'],
  ])('%s', (iso, zh, en) => {
    expect(formatRetention(iso, 'zh-CN')).toBe(zh);
    expect(formatRetention(iso, 'en-US')).toBe(en);
  });

  it('shows what it cannot read as it is', () => {
    for (const odd of ['P', 'PT5H', 'P1.5Y', '5 years', '']) {
      expect(parseRetention(odd)).toBeNull();
      expect(formatRetention(odd, 'en-US')).toBe(odd);
    }
  });

  it('reads every retention period the catalogue declares', () => {
    for (const field of catalogueForApi().fields)
      expect(parseRetention(field.retention), field.id).not.toBeNull();
  });
});
