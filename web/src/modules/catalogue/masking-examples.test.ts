import { describe, expect, it } from 'vitest';
import { MASKING_RULES, mask } from '../../../../src/modules/vault/masking';
import { catalogueForApi } from '../../../../src/modules/vault/personal-data-catalogue';
import { translationResources } from '../../i18n/translation-resources';
import { MASKING_EXAMPLES, maskingExampleOf } from './masking-examples';

describe('masking examples', () => {
  it('has an example for every masking rule the vault knows, and no other', () => {
    expect(Object.keys(MASKING_EXAMPLES).sort()).toEqual([...MASKING_RULES].sort());
  });

  it('covers every masking rule the catalogue uses', () => {
    const used = new Set(catalogueForApi().fields.map((field) => field.masking));
    expect([...used].filter((rule) => maskingExampleOf(rule) === undefined)).toEqual([]);
  });

  it.each(MASKING_RULES)('shows what the server really makes of a value under %s', (rule) => {
    const example = MASKING_EXAMPLES[rule];
    expect(example).toBeDefined();
    expect(mask(rule, example?.sample ?? '')).toBe(example?.masked);
  });

  it.each(Object.entries(translationResources))('%s names every masking rule', (_, resources) => {
    expect(Object.keys(resources.catalogue.masking).sort()).toEqual([...MASKING_RULES].sort());
  });

  it('gives nothing for an unknown rule', () => {
    expect(maskingExampleOf('toString')).toBeUndefined();
  });
});
