import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../config/config.js';
import { MASKING_RULES } from './masking.js';
import {
  catalogueForApi,
  DATA_CATEGORIES,
  NFRA_LEVELS,
  PERSONAL_DATA_CATALOGUE,
  PERSONAL_DATA_FIELD_IDS,
  PURPOSES,
} from './personal-data-catalogue.js';

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/;

describe('personal-data catalogue', () => {
  it('declares every field completely, with labels in both languages', () => {
    expect(PERSONAL_DATA_FIELD_IDS.length).toBeGreaterThanOrEqual(15);
    for (const id of PERSONAL_DATA_FIELD_IDS) {
      const field = PERSONAL_DATA_CATALOGUE[id];
      expect(id).toMatch(/^[a-z_]+\.[a-z_]+$/);
      expect(Object.keys(DATA_CATEGORIES)).toContain(field.category);
      expect(Object.keys(NFRA_LEVELS)).toContain(field.level);
      expect(field.retention, id).toMatch(ISO_DURATION);
      expect(MASKING_RULES).toContain(field.masking);
      expect(field.purposes.length, id).toBeGreaterThan(0);
      for (const purpose of field.purposes) expect(Object.keys(PURPOSES)).toContain(purpose);
      expect(new Set(field.purposes).size, `${id} lists a purpose twice`).toBe(field.purposes.length);
      for (const language of LANGUAGES) expect(field.labels[language], `${id} ${language}`).toBeTruthy();
    }
    for (const labels of [...Object.values(PURPOSES), ...Object.values(DATA_CATEGORIES)]) {
      for (const language of LANGUAGES) expect(labels[language]).toBeTruthy();
    }
  });

  it('marks PIPL Art. 28 categories sensitive: health, biometric, financial account, location, ID', () => {
    for (const id of PERSONAL_DATA_FIELD_IDS) {
      const field = PERSONAL_DATA_CATALOGUE[id];
      if (['health', 'biometric', 'location'].includes(field.category))
        expect(field.sensitive, id).toBe(true);
    }
    expect(PERSONAL_DATA_CATALOGUE['bank_account.number'].sensitive).toBe(true);
    expect(PERSONAL_DATA_CATALOGUE['customer.id_number'].sensitive).toBe(true);
    expect(PERSONAL_DATA_CATALOGUE['customer.face_image'].category).toBe('biometric');
  });

  it('makes exactly the exact-match identifiers searchable', () => {
    const searchable = PERSONAL_DATA_FIELD_IDS.filter(
      (id) => PERSONAL_DATA_CATALOGUE[id].blindIndex !== null,
    );
    expect(searchable.sort()).toEqual(
      [
        'bank_account.number',
        'customer.email',
        'customer.id_number',
        'customer.passport_number',
        'customer.phone',
      ].sort(),
    );
  });

  it('serves the catalogue as plain JSON', () => {
    const api = catalogueForApi();
    expect(JSON.parse(JSON.stringify(api))).toEqual(api);
    expect(api.fields.map((field) => field.id)).toEqual(PERSONAL_DATA_FIELD_IDS);
    expect(api.purposes.find((purpose) => purpose.id === 'payout')?.labels).toEqual({
      'zh-CN': '赔款支付',
      'en-US': 'Claim payout',
    });
    expect(api.fields.find((field) => field.id === 'customer.id_number')).toMatchObject({
      category: 'identity',
      sensitive: true,
      masking: 'id-number',
      blindIndex: 'id-number',
      labels: { 'zh-CN': '身份证号码', 'en-US': 'Resident ID number' },
    });
  });
});
