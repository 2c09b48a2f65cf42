import type { AppLanguage } from '../i18n/app-language';

/** A date and time in the interface language, e.g. "2026/5/3 14:05" or "May 3, 2026, 2:05 PM". */
export function formatDateTime(iso: string | null | undefined, language: AppLanguage): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(iso: string | null | undefined, language: AppLanguage): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(date);
}

/** A date and time to the second, e.g. "2026/5/3 14:05:09", for logs where the order of seconds matters. */
export function formatTimestamp(iso: string | null | undefined, language: AppLanguage): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}
