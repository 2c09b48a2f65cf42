import { useTranslation } from 'react-i18next';

/**
 * A branch's name for people: branches are stored as short codes (`beijing`, `head-office`); the ones ClaimGuard
 * knows have names in both languages, any other code an insurer adds is shown as it is.
 */
export const KNOWN_BRANCHES = ['head-office', 'beijing', 'shanghai'] as const;

export function useBranchLabel(): (code: string | null | undefined) => string {
  const { t } = useTranslation();
  return (code) => {
    if (!code) return '—';
    return (KNOWN_BRANCHES as readonly string[]).includes(code)
      ? t(`branches.${code}` as 'branches.beijing')
      : code;
  };
}
