import { useQuery } from '@tanstack/react-query';
import { useLanguage } from '../../i18n/language-provider';
import { catalogueQueryOptions } from '../catalogue/catalogue-api';

/** The personal-data catalogue's purposes as select options, in the interface language. */
export function usePurposeOptions() {
  const { language } = useLanguage();
  const catalogue = useQuery(catalogueQueryOptions);
  const options = (catalogue.data?.purposes ?? []).map((purpose) => ({
    value: purpose.id,
    label: purpose.labels[language] ?? purpose.id,
  }));
  return { options, loading: catalogue.isPending, error: catalogue.error };
}

/** Claims work is done for claim handling: the default purpose of the dialogs. */
export const DEFAULT_PURPOSE = 'claim-handling';
