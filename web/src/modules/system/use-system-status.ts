import { useQuery } from '@tanstack/react-query';
import { systemStatusQueryOptions } from './system-status-api';

export const systemStatusRefreshMs = 10_000;

export function useSystemStatus() {
  return useQuery({ ...systemStatusQueryOptions, refetchInterval: systemStatusRefreshMs });
}
