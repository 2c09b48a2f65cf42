import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/api-client';
import type { AppLanguage } from '../../i18n/app-language';
import { useLanguage } from '../../i18n/language-provider';
import type { StaffRole } from './auth-api';

export type RoleOption = { role: StaffRole; label: Record<AppLanguage, string> };

export const rolesQueryOptions = queryOptions({
  queryKey: ['roles'] as const,
  queryFn: ({ signal }) => apiGet<RoleOption[]>('/api/v1/roles', { signal }),
  staleTime: Number.POSITIVE_INFINITY,
});

/** The server's names of the roles, in the interface language (empty until loaded; the code if unknown). */
export function useRoleLabels() {
  const { language } = useLanguage();
  const { data } = useQuery(rolesQueryOptions);
  const labelOf = (role: string) =>
    data ? (data.find((option) => option.role === role)?.label[language] ?? role) : '';
  return { roles: data ?? [], labelOf };
}
