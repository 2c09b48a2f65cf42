import { useEffect } from 'react';
import { useLanguage } from '../i18n/language-provider';
import { useServerDefaultLanguage } from '../modules/system/use-server-default-language';

/** Switches to the server's default language once it is known, unless the user already chose one. */
export function useApplyServerDefaultLanguage(): void {
  const serverDefault = useServerDefaultLanguage();
  const { applyDefaultLanguage } = useLanguage();
  useEffect(() => {
    if (serverDefault) applyDefaultLanguage(serverDefault);
  }, [serverDefault, applyDefaultLanguage]);
}
