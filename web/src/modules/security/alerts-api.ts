import { queryOptions } from '@tanstack/react-query';
import { apiGet, apiPost } from '../../api/api-client';

export type SecurityAlert = {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  subjectUserId: string | null;
  details: Record<string, string | number | boolean | null>;
  createdAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
};

export const alertsQueryOptions = (openOnly: boolean) =>
  queryOptions({
    queryKey: ['security-alerts', { openOnly }] as const,
    queryFn: ({ signal }) =>
      apiGet<SecurityAlert[]>(`/api/v1/security/alerts?open=${openOnly ? 'true' : 'false'}`, { signal }),
  });

export const acknowledgeAlert = (id: string) =>
  apiPost<{ ok: true }>(`/api/v1/security/alerts/${encodeURIComponent(id)}/acknowledge`);
