import type { AppLanguage } from '../../i18n/app-language';

/** The parts of an ISO 8601 duration a retention period uses (no times of day). */
export type RetentionPeriod = { years: number; months: number; weeks: number; days: number };

/** `P5Y` → { years: 5, … }; `P1Y6M`, `P90D`, `P2W`; null for anything else (times, fractions, empty). */
export function parseRetention(iso: string): RetentionPeriod | null {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso.trim());
  if (!match || iso.trim() === 'P') return null;
  const [, years, months, weeks, days] = match;
  return {
    years: Number(years ?? 0),
    months: Number(months ?? 0),
    weeks: Number(weeks ?? 0),
    days: Number(days ?? 0),
  };
}

const UNITS: Record<AppLanguage, Record<keyof RetentionPeriod, (n: number) => string>> = {
  'zh-CN': {
    years: (n) => `${n} 年`,
    months: (n) => `${n} 个月`,
    weeks: (n) => `${n} 周`,
    days: (n) => `${n} 天`,
  },
  'en-US': {
    years: (n) => `${n} ${n === 1 ? 'year' : 'years'}`,
    months: (n) => `${n} ${n === 1 ? 'month' : 'months'}`,
    weeks: (n) => `${n} ${n === 1 ? 'week' : 'weeks'}`,
    days: (n) => `${n} ${n === 1 ? 'day' : 'days'}`,
  },
};

/** A retention period in words: `P5Y` → "5 年" / "5 years", `P1Y6M` → "1 年 6 个月" / "1 year 6 months". */
export function formatRetention(iso: string, language: AppLanguage): string {
  const period = parseRetention(iso);
  if (!period) return iso;
  const units = UNITS[language];
  const parts = (['years', 'months', 'weeks', 'days'] as const)
    .filter((unit) => period[unit] > 0)
    .map((unit) => units[unit](period[unit]));
  return parts.length > 0 ? parts.join(' ') : units.days(0);
}
