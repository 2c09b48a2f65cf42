import type { AppLanguage } from '../../i18n/app-language';
import type { RegulatoryReport } from './regulatory-reports-api';

/**
 * Countdowns to regulators' deadlines (S4.4), counted against the server's clock: the list answer carries
 * the server's time, and the difference to this browser's clock (`skewMs`) is added to `Date.now()`.
 */

export type Urgency = 'none' | 'ok' | 'close' | 'missed' | 'done';

/** The server's clock minus this browser's, from a response's `serverTime` received at `receivedAtMs`. */
export function clockSkew(serverTime: string, receivedAtMs: number): number {
  const server = new Date(serverTime).getTime();
  return Number.isNaN(server) ? 0 : server - receivedAtMs;
}

/** How pressing a report's deadline is now: `close` once no more than `warnFraction` of its span is left. */
export function urgencyOf(
  report: Pick<RegulatoryReport, 'status' | 'deadline'>,
  nowMs: number,
  warnFraction: number,
): Urgency {
  if (report.status === 'submitted' || report.status === 'waived') return 'done';
  const { dueAt, startsAt } = report.deadline;
  if (!dueAt) return 'none';
  const due = new Date(dueAt).getTime();
  if (nowMs >= due) return 'missed';
  const start = startsAt ? new Date(startsAt).getTime() : due;
  return due - nowMs <= (due - start) * warnFraction ? 'close' : 'ok';
}

const pad = (value: number) => String(value).padStart(2, '0');

/** "2天 03小时05分12秒" / "2d 03h 05m 12s"; overdue ones are prefixed ("已逾期" / "overdue"). */
export function formatCountdown(ms: number, language: AppLanguage): string {
  const overdue = ms < 0;
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const zh = language === 'zh-CN';
  const text = zh
    ? `${days > 0 ? `${days}天 ` : ''}${pad(hours)}小时${pad(minutes)}分${pad(seconds)}秒`
    : `${days > 0 ? `${days}d ` : ''}${pad(hours)}h ${pad(minutes)}m ${pad(seconds)}s`;
  if (!overdue) return text;
  return zh ? `已逾期 ${text}` : `overdue ${text}`;
}

export const URGENCY_COLOURS: Record<Urgency, string> = {
  none: 'default',
  ok: 'blue',
  close: 'red',
  missed: 'red',
  done: 'green',
};
