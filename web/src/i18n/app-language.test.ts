import { describe, expect, it } from 'vitest';
import { isAppLanguage, languageStorageKey, readStoredLanguage, storeLanguage } from './app-language';

function memoryStorage(initial: Record<string, string> = {}): Pick<Storage, 'getItem' | 'setItem'> {
  const values = new Map(Object.entries(initial));
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => {
      values.set(key, value);
    },
  };
}

const blockedStorage: Pick<Storage, 'getItem' | 'setItem'> = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('SecurityError');
  },
};

describe('language storage', () => {
  it('uses the claimguard.language key', () => {
    expect(languageStorageKey).toBe('claimguard.language');
  });

  it('reads back a stored choice', () => {
    const storage = memoryStorage();
    storeLanguage(storage, 'en-US');
    expect(readStoredLanguage(storage)).toBe('en-US');
  });

  it('treats an empty, unknown or unreadable value as no choice', () => {
    expect(readStoredLanguage(memoryStorage())).toBeUndefined();
    expect(readStoredLanguage(memoryStorage({ [languageStorageKey]: 'fr-FR' }))).toBeUndefined();
    expect(readStoredLanguage(blockedStorage)).toBeUndefined();
    expect(readStoredLanguage(undefined)).toBeUndefined();
    expect(() => storeLanguage(blockedStorage, 'zh-CN')).not.toThrow();
  });

  it('recognises only the supported languages', () => {
    expect(isAppLanguage('zh-CN')).toBe(true);
    expect(isAppLanguage('en-US')).toBe(true);
    expect(isAppLanguage('en')).toBe(false);
    expect(isAppLanguage(null)).toBe(false);
  });
});
