export const supportedLanguages = ['zh-CN', 'en-US'] as const;

export type AppLanguage = (typeof supportedLanguages)[number];

export const fallbackLanguage: AppLanguage = 'zh-CN';

export const languageStorageKey = 'claimguard.language';

/** Each language is named in itself, so a reader of the other language can still find theirs. */
export const languageSwitchLabels: Record<AppLanguage, string> = {
  'zh-CN': '中文',
  'en-US': 'English',
};

export function isAppLanguage(value: unknown): value is AppLanguage {
  return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value);
}

type LanguageStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The language the user chose earlier, or undefined if they never chose (or storage is unavailable). */
export function readStoredLanguage(storage: LanguageStorage | undefined): AppLanguage | undefined {
  try {
    const stored = storage?.getItem(languageStorageKey);
    return isAppLanguage(stored) ? stored : undefined;
  } catch {
    // Storage access throws when the browser blocks site data; treat that as "no choice made".
    return undefined;
  }
}

export function storeLanguage(storage: LanguageStorage | undefined, language: AppLanguage): void {
  try {
    storage?.setItem(languageStorageKey, language);
  } catch {
    // Without storage the choice lasts for this page only, which is the best we can do.
  }
}

/** `window.localStorage`, or undefined where merely touching it throws (storage blocked for this site). */
export function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
