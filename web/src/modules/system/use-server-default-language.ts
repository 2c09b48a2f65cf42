import { useQuery } from '@tanstack/react-query';
import type { AppLanguage } from '../../i18n/app-language';
import { systemStatusQueryOptions } from './system-status-api';

/**
 * The server's configured default language. Shares the status query's cache entry; the status page
 * polls it, so this observer never triggers refetches of its own.
 */
export function useServerDefaultLanguage(): AppLanguage | undefined {
  const { data } = useQuery({
    ...systemStatusQueryOptions,
    staleTime: Number.POSITIVE_INFINITY,
    select: (status) => status.defaultLanguage,
  });
  return data;
}
