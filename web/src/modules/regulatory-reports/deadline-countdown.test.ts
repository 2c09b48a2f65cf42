import { describe, expect, it } from 'vitest';
import { clockSkew, formatCountdown, urgencyOf } from './deadline-countdown';

/** S4.4: the console's countdowns to regulators' deadlines. */

const report = (status: 'draft' | 'submitted', dueAt: string | null) => ({
  status,
  deadline: {
    startsAt: '2026-11-20T14:00:00Z',
    dueAt,
    hours: 4,
    toBeConfirmed: false,
    state: 'open' as const,
    note: null,
  },
});

describe('deadline countdown', () => {
  const due = '2026-11-20T18:00:00Z';
  const at = (iso: string) => new Date(iso).getTime();

  it('turns close (red) with a quarter of the time left, missed once due, done once submitted', () => {
    expect(urgencyOf(report('draft', due), at('2026-11-20T16:59:59Z'), 0.25)).toBe('ok');
    expect(urgencyOf(report('draft', due), at('2026-11-20T17:00:00Z'), 0.25)).toBe('close');
    expect(urgencyOf(report('draft', due), at('2026-11-20T18:00:00Z'), 0.25)).toBe('missed');
    expect(urgencyOf(report('submitted', due), at('2026-11-20T19:00:00Z'), 0.25)).toBe('done');
    expect(urgencyOf(report('draft', null), at('2026-11-20T19:00:00Z'), 0.25)).toBe('none');
  });

  it('formats the time left and the time overdue in both languages', () => {
    const ms = ((2 * 24 + 3) * 3600 + 5 * 60 + 12) * 1000;
    expect(formatCountdown(ms, 'zh-CN')).toBe('2天 03小时05分12秒');
    expect(formatCountdown(ms, 'en-US')).toBe('2d 03h 05m 12s');
    expect(formatCountdown(-(62 * 60 * 1000), 'zh-CN')).toBe('已逾期 01小时02分00秒');
    expect(formatCountdown(-(62 * 60 * 1000), 'en-US')).toBe('overdue 01h 02m 00s');
  });

  it("counts against the server's clock", () => {
    expect(clockSkew('2026-11-20T18:00:05Z', at('2026-11-20T18:00:00Z'))).toBe(5000);
    expect(clockSkew('not a time', 0)).toBe(0);
  });
});
