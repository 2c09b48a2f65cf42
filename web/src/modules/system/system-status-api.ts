import { queryOptions } from '@tanstack/react-query';
import { apiGet } from '../../api/api-client';
import type { AppLanguage } from '../../i18n/app-language';

/** The body of `GET /api/v1/system/status`. */
export type SystemStatus = {
  name: string;
  version: string;
  installationId: string;
  startedAt: string;
  uptimeSeconds: number;
  nodeVersion: string;
  defaultLanguage: AppLanguage;
  store: { kind: 'embedded' | 'postgres'; reachable: boolean };
  migrations: { applied: number; pending: number; latest: string | null; pendingNames: string[] };
  health: { live: boolean; ready: boolean };
};

export const systemStatusQueryOptions = queryOptions({
  queryKey: ['system', 'status'] as const,
  queryFn: ({ signal }) => apiGet<SystemStatus>('/api/v1/system/status', { signal }),
});
