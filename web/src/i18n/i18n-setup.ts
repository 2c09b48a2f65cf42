import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { type AppLanguage, fallbackLanguage, supportedLanguages } from './app-language';
import { translationResources } from './translation-resources';

export function createI18n(language: AppLanguage): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: language,
    fallbackLng: fallbackLanguage,
    supportedLngs: [...supportedLanguages],
    resources: {
      'zh-CN': { translation: translationResources['zh-CN'] },
      'en-US': { translation: translationResources['en-US'] },
    },
    // Resources are bundled, so initialise synchronously and never suspend the first render.
    initAsync: false,
    interpolation: { escapeValue: false },
    react: { useSuspense: false },
  });
  return instance;
}
