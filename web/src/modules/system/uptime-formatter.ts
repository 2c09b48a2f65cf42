import type { AppLanguage } from '../../i18n/app-language';
import { translationResources } from '../../i18n/translation-resources';

const unitSeconds = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const;

/**
 * Formats an uptime as its two most significant units, e.g. "2 小时 5 分" / "2 h 5 min"; a zero second
 * unit is left out ("2 h", not "2 h 0 min").
 */
export function formatUptime(uptimeSeconds: number, language: AppLanguage): string {
  const units = translationResources[language].systemStatus.uptimeUnits;
  let remaining = Number.isFinite(uptimeSeconds) ? Math.max(0, Math.floor(uptimeSeconds)) : 0;
  const parts: Array<readonly [number, string]> = [];
  for (const [unit, seconds] of unitSeconds) {
    const value = Math.floor(remaining / seconds);
    remaining -= value * seconds;
    if (parts.length > 0 || value > 0) parts.push([value, units[unit]]);
  }
  const significant = parts.slice(0, 2).filter(([value], index) => index === 0 || value > 0);
  if (significant.length === 0) return `0 ${units.second}`;
  return significant.map(([value, unit]) => `${value} ${unit}`).join(' ');
}
