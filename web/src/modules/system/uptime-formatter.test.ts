import { describe, expect, it } from 'vitest';
import { formatUptime } from './uptime-formatter';

describe('formatUptime', () => {
  it.each([
    [0, '0 秒', '0 s'],
    [45, '45 秒', '45 s'],
    [60, '1 分', '1 min'],
    [125, '2 分 5 秒', '2 min 5 s'],
    [7_500, '2 小时 5 分', '2 h 5 min'],
    [7_200, '2 小时', '2 h'],
    [7_259, '2 小时', '2 h'],
    [90_061, '1 天 1 小时', '1 d 1 h'],
    [3 * 86_400 + 59, '3 天', '3 d'],
  ])('formats %i seconds', (seconds, zh, en) => {
    expect(formatUptime(seconds, 'zh-CN')).toBe(zh);
    expect(formatUptime(seconds, 'en-US')).toBe(en);
  });

  it('drops fractions and treats invalid input as zero', () => {
    expect(formatUptime(59.9, 'en-US')).toBe('59 s');
    expect(formatUptime(-5, 'en-US')).toBe('0 s');
    expect(formatUptime(Number.NaN, 'zh-CN')).toBe('0 秒');
  });
});
