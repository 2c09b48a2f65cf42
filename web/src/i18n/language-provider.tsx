import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useLayoutEffect,
  useMemo,
  useState,
} from 'react';
import { I18nextProvider } from 'react-i18next';
import {
  type AppLanguage,
  browserStorage,
  fallbackLanguage,
  readStoredLanguage,
  storeLanguage,
} from './app-language';
import { createI18n } from './i18n-setup';

type LanguageContextValue = {
  language: AppLanguage;
  /** The user's own choice: applied at once and remembered in localStorage. */
  chooseLanguage: (language: AppLanguage) => void;
  /** The server's default: applied only while the user has never chosen a language. */
  applyDefaultLanguage: (language: AppLanguage) => void;
};

const LanguageContext = createContext<LanguageContextValue | null>(null);

type LanguageState = { language: AppLanguage; chosenByUser: boolean };

function initialLanguageState(): LanguageState {
  const stored = readStoredLanguage(browserStorage());
  return { language: stored ?? fallbackLanguage, chosenByUser: stored !== undefined };
}

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(initialLanguageState);
  const [i18n] = useState(() => createI18n(state.language));

  // A layout effect, so i18next and <html lang> switch before the browser paints the new antd locale.
  useLayoutEffect(() => {
    document.documentElement.lang = state.language;
    if (i18n.language !== state.language) void i18n.changeLanguage(state.language);
  }, [i18n, state.language]);

  const chooseLanguage = useCallback((language: AppLanguage) => {
    storeLanguage(browserStorage(), language);
    setState({ language, chosenByUser: true });
  }, []);

  const applyDefaultLanguage = useCallback((language: AppLanguage) => {
    setState((current) =>
      current.chosenByUser || current.language === language ? current : { ...current, language },
    );
  }, []);

  const value = useMemo(
    () => ({ language: state.language, chooseLanguage, applyDefaultLanguage }),
    [state.language, chooseLanguage, applyDefaultLanguage],
  );

  return (
    <LanguageContext value={value}>
      <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
    </LanguageContext>
  );
}

export function useLanguage(): LanguageContextValue {
  const value = useContext(LanguageContext);
  if (!value) throw new Error('useLanguage must be used inside <LanguageProvider>');
  return value;
}
