import { queryOptions } from '@tanstack/react-query';
import { apiGet } from '../../api/api-client';
import type { AppLanguage } from '../../i18n/app-language';

export type LocalizedLabels = Record<AppLanguage, string>;
export type CatalogueEntry = { id: string; labels: LocalizedLabels };

export type CatalogueField = {
  id: string;
  category: string;
  level: string;
  sensitive: boolean;
  purposes: string[];
  retention: string;
  retentionFrom: string;
  masking: string;
  blindIndex: string | null;
  binary: boolean;
  labels: LocalizedLabels;
};

export type Catalogue = {
  purposes: CatalogueEntry[];
  categories: CatalogueEntry[];
  levels: CatalogueEntry[];
  fields: CatalogueField[];
};

export const catalogueQueryOptions = queryOptions({
  queryKey: ['catalogue'] as const,
  queryFn: ({ signal }) => apiGet<Catalogue>('/api/v1/catalogue', { signal }),
  // The catalogue is part of the code: it changes only with a new release.
  staleTime: 60 * 60_000,
});
