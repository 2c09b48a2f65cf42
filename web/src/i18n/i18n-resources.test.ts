import { describe, expect, it } from 'vitest';
import { supportedLanguages } from './app-language';
import { translationResources } from './translation-resources';

type Leaves = Map<string, unknown>;

function collectLeaves(node: unknown, path: string, leaves: Leaves): Leaves {
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    for (const [key, child] of Object.entries(node)) {
      collectLeaves(child, path ? `${path}.${key}` : key, leaves);
    }
  } else {
    leaves.set(path, node);
  }
  return leaves;
}

function placeholders(value: string): string[] {
  return [...value.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((match) => match[1] ?? '').sort();
}

const leavesByLanguage = supportedLanguages.map(
  (language) => [language, collectLeaves(translationResources[language], '', new Map())] as const,
);
const zhCNLeaves = collectLeaves(translationResources['zh-CN'], '', new Map());
const allKeys = [...new Set(leavesByLanguage.flatMap(([, leaves]) => [...leaves.keys()]))].sort();

describe('translation resources', () => {
  it('has keys', () => {
    expect(allKeys.length).toBeGreaterThan(0);
  });

  it.each(leavesByLanguage)('%s has every key that any language has', (_language, leaves) => {
    expect(allKeys.filter((key) => !leaves.has(key))).toEqual([]);
  });

  it.each(leavesByLanguage)('%s has only non-empty string values', (_language, leaves) => {
    const bad = [...leaves].filter(([, value]) => typeof value !== 'string' || value.trim() === '');
    expect(bad.map(([key]) => key)).toEqual([]);
  });

  it.each(leavesByLanguage)('%s uses the same interpolation placeholders as zh-CN', (_language, leaves) => {
    const mismatched = [...leaves].filter(([key, value]) => {
      const reference = zhCNLeaves.get(key);
      return (
        typeof value === 'string' &&
        typeof reference === 'string' &&
        placeholders(value).join() !== placeholders(reference).join()
      );
    });
    expect(mismatched.map(([key]) => key)).toEqual([]);
  });
});
