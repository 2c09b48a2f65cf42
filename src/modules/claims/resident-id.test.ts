import { describe, expect, it } from 'vitest';
import { normaliseForIndex } from '../vault/blind-index.js';
import { COUNTY_DIVISIONS, isAdministrativeDivisionCode, provinceName } from './administrative-divisions.js';
import {
  makeResidentId,
  normaliseResidentId,
  type ResidentIdParts,
  residentIdCheckCharacter,
  validateResidentId,
} from './resident-id.js';

/** The standard's own example number (GB 11643-1999, appendix). */
const EXAMPLE = '11010519491231002X';
const TODAY = new Date('2026-06-15T04:00:00Z');

/** Replaces the check character so a number with altered body digits stays well-formed. */
function withCheck(first17: string): string {
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

describe('residentIdCheckCharacter (ISO 7064 MOD 11-2)', () => {
  it('computes the check characters of known numbers, including X for 10', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
    expect(residentIdCheckCharacter('11010119900307803')).toBe('X');
    expect(residentIdCheckCharacter('00000000000000000')).toBe('1');
  });

  it('refuses anything but 17 digits', () => {
    expect(() => residentIdCheckCharacter('1101051949123100')).toThrow(TypeError);
    expect(() => residentIdCheckCharacter('1101051949123100X')).toThrow(TypeError);
  });
});

describe('validateResidentId', () => {
  it('accepts a valid number and reads region, birth date and sex from it', () => {
    expect(validateResidentId(EXAMPLE, { today: TODAY })).toEqual({
      valid: true,
      normalised: EXAMPLE,
      regionCode: '110105',
      birthDate: '1949-12-31',
      sex: 'female',
    });
    expect(validateResidentId('11010119900307803X', { today: TODAY })).toEqual({
      valid: true,
      normalised: '11010119900307803X',
      regionCode: '110101',
      birthDate: '1990-03-07',
      sex: 'male',
    });
  });

  it('normalises full-width digits, spaces, hyphens and a lower-case x first', () => {
    for (const typed of [
      '11010519491231002x',
      '110105 19491231 002X',
      ' 110105-1949-1231-002x ',
      '１１０１０５１９４９１２３１００２Ｘ',
      '１１０１０５　１９４９１２３１　００２ｘ',
      '\t110105\n19491231002X',
    ]) {
      expect(validateResidentId(typed, { today: TODAY }), typed).toMatchObject({
        valid: true,
        normalised: EXAMPLE,
      });
    }
  });

  it('normalises exactly as the vault blind index does, so validated and searched numbers match', () => {
    for (const typed of ['１１０１０５　１９４９１２３１　００２ｘ', '110105-19491231-002x', EXAMPLE]) {
      expect(normaliseResidentId(typed)).toBe(normaliseForIndex('id-number', typed));
    }
  });

  it('refuses malformed input as format', () => {
    for (const bad of [
      '',
      '   ',
      '11010519491231002', // 17 characters
      '11010519491231002X1', // 19
      '110105491231002', // the old 15-digit form
      '1101051949123100X2', // X not last
      '11010519491231002Y',
      'A1010519491231002X',
      `${EXAMPLE}${' '.repeat(60)}`, // over the length cap
    ]) {
      expect(validateResidentId(bad, { today: TODAY }), JSON.stringify(bad)).toEqual({
        valid: false,
        reason: 'format',
      });
    }
    expect(validateResidentId(12345 as unknown as string)).toEqual({ valid: false, reason: 'format' });
  });

  it('refuses a region code that is not a GB/T 2260 division, even with a correct check digit', () => {
    for (const region of ['000000', '999999', '110199', '990105']) {
      expect(validateResidentId(withCheck(`${region}19491231002`), { today: TODAY }), region).toEqual({
        valid: false,
        reason: 'region',
      });
    }
  });

  it('accepts province-, prefecture- and county-level codes, and Hong Kong and Macao permits', () => {
    for (const region of ['440300', '441900', '429004', '500243', '810000', '820000', '650102']) {
      expect(validateResidentId(withCheck(`${region}19900101123`), { today: TODAY }), region).toMatchObject({
        valid: true,
        regionCode: region,
      });
    }
  });

  it('refuses birth dates that do not exist, are before 1900 or lie in the future', () => {
    for (const date of [
      '19490229', // not a leap year
      '19000229', // 1900 was not a leap year
      '19900431',
      '19901301',
      '19900001',
      '19900100',
      '18991231',
      '00000000',
      '20260616', // tomorrow in China
      '21000101',
    ]) {
      expect(validateResidentId(withCheck(`110105${date}002`), { today: TODAY }), date).toEqual({
        valid: false,
        reason: 'birth-date',
      });
    }
    for (const date of ['19000101', '20000229', '19961231', '20260615']) {
      expect(validateResidentId(withCheck(`110105${date}002`), { today: TODAY }), date).toMatchObject({
        valid: true,
      });
    }
  });

  it("takes today's date in China Standard Time", () => {
    const bornOnChinaNewYear = withCheck('11010520270101002');
    // 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Beijing.
    expect(validateResidentId(bornOnChinaNewYear, { today: new Date('2026-12-31T16:30:00Z') })).toMatchObject(
      {
        valid: true,
        birthDate: '2027-01-01',
      },
    );
    expect(validateResidentId(bornOnChinaNewYear, { today: new Date('2026-12-31T15:30:00Z') })).toEqual({
      valid: false,
      reason: 'birth-date',
    });
  });

  it('defaults today to now', () => {
    const tomorrow = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    expect(validateResidentId(withCheck(`110105${tomorrow.replaceAll('-', '')}002`))).toEqual({
      valid: false,
      reason: 'birth-date',
    });
    expect(validateResidentId(EXAMPLE)).toMatchObject({ valid: true });
  });

  it('refuses a wrong check character', () => {
    expect(validateResidentId('110105194912310021', { today: TODAY })).toEqual({
      valid: false,
      reason: 'check-digit',
    });
    expect(validateResidentId('110101199003078030', { today: TODAY })).toEqual({
      valid: false,
      reason: 'check-digit',
    });
  });

  it('catches every single-digit typo and every swap of adjacent digits that keeps the other fields valid', () => {
    const valid = '11010119900307803X';
    const variants = new Set<string>();
    for (let index = 0; index < 18; index++) {
      for (const digit of '0123456789X') {
        if (digit === valid[index] || (digit === 'X' && index !== 17)) continue;
        variants.add(`${valid.slice(0, index)}${digit}${valid.slice(index + 1)}`);
      }
      if (index < 17 && valid[index] !== valid[index + 1]) {
        variants.add(`${valid.slice(0, index)}${valid[index + 1]}${valid[index]}${valid.slice(index + 2)}`);
      }
    }
    expect(variants.size).toBeGreaterThan(150);
    for (const variant of variants) {
      expect(validateResidentId(variant, { today: TODAY }).valid, variant).toBe(false);
    }
  });

  it('reads the sex from the parity of the 17th digit', () => {
    for (let digit = 0; digit <= 9; digit++) {
      const check = validateResidentId(withCheck(`1101051990010100${digit}`), { today: TODAY });
      expect(check).toMatchObject({ valid: true, sex: digit % 2 === 1 ? 'male' : 'female' });
    }
  });

  it('never puts the number into anything it returns on refusal', () => {
    for (const bad of ['110105194912310021', '999999194912310021', '110105194902290021', 'x1101051949']) {
      const check = validateResidentId(bad, { today: TODAY });
      expect(check.valid).toBe(false);
      const serialised = JSON.stringify(check);
      expect(serialised).not.toContain('1949');
      expect(Object.keys(check).sort()).toEqual(['reason', 'valid']);
    }
  });
});

describe('makeResidentId', () => {
  it('builds the standard example from its parts', () => {
    expect(
      makeResidentId({ regionCode: '110105', birthDate: '1949-12-31', sequence: 1, sex: 'female' }),
    ).toBe(EXAMPLE);
    expect(
      makeResidentId({ regionCode: '110101', birthDate: '1990-03-07', sequence: 401, sex: 'male' }),
    ).toBe('11010119900307803X');
  });

  it('builds numbers that validate back to their parts, for every sequence and sex', () => {
    const seen = new Set<string>();
    for (const sex of ['male', 'female'] as const) {
      for (let sequence = 0; sequence <= 499; sequence++) {
        const id = makeResidentId({ regionCode: '330106', birthDate: '1985-07-09', sequence, sex });
        seen.add(id);
        expect(validateResidentId(id, { today: TODAY })).toEqual({
          valid: true,
          normalised: id,
          regionCode: '330106',
          birthDate: '1985-07-09',
          sex,
        });
      }
    }
    expect(seen.size).toBe(1000);
  });

  it('builds valid numbers for a spread of real counties and dates', () => {
    for (let index = 0; index < COUNTY_DIVISIONS.length; index += 37) {
      const county = COUNTY_DIVISIONS[index];
      if (!county) continue;
      const year = 1900 + (index % 126);
      const birthDate = `${year}-${String((index % 12) + 1).padStart(2, '0')}-28`;
      const id = makeResidentId({ regionCode: county.code, birthDate, sequence: index % 500, sex: 'male' });
      expect(validateResidentId(id, { today: TODAY }), county.code).toMatchObject({ valid: true, birthDate });
    }
  });

  it('refuses parts that no valid number could have, without echoing them', () => {
    const good: ResidentIdParts = { regionCode: '110105', birthDate: '1990-01-01', sequence: 0, sex: 'male' };
    const bad: [Record<string, unknown>, string][] = [
      [{ regionCode: '999999' }, '999999'],
      [{ regionCode: '11010' }, '11010'],
      [{ birthDate: '1990-02-30' }, '1990'],
      [{ birthDate: '19900101' }, '1990'],
      [{ birthDate: '1899-12-31' }, '1899'],
      [{ birthDate: '2026-06-16' }, '2026'],
      [{ sequence: 500 }, '500'],
      [{ sequence: -1 }, '-1'],
      [{ sequence: 1.5 }, '1.5'],
      [{ sex: 'other' }, 'other'],
    ];
    for (const [change, value] of bad) {
      const parts = { ...good, ...change } as ResidentIdParts;
      expect(() => makeResidentId(parts, { today: TODAY }), value).toThrow(RangeError);
      expect(() => makeResidentId(parts, { today: TODAY }), value).not.toThrow(value);
    }
    expect(() => makeResidentId(good, { today: TODAY })).not.toThrow();
  });
});

describe('administrative divisions', () => {
  it('knows current codes at every level and nothing else', () => {
    expect(isAdministrativeDivisionCode('110000')).toBe(true);
    expect(isAdministrativeDivisionCode('330100')).toBe(true);
    expect(isAdministrativeDivisionCode('330106')).toBe(true);
    expect(isAdministrativeDivisionCode('330199')).toBe(false);
    // Statistics-only units (development zones) are not GB/T 2260 divisions.
    expect(isAdministrativeDivisionCode('130171')).toBe(false);
    // `市辖区` codes were GB/T 2260 divisions and appear in older numbers.
    expect(isAdministrativeDivisionCode('130201')).toBe(true);
    expect(isAdministrativeDivisionCode('11010')).toBe(false);
    expect(provinceName('330106')).toBe('浙江省');
    expect(provinceName('990000')).toBeUndefined();
  });

  it('accepts the codes of divisions abolished since 2002, which genuine numbers still carry', () => {
    // 崇文区 and 宣武区 merged into 东城区 and 西城区 in 2010; 莱芜市 merged into 济南市 in 2019.
    for (const region of ['110103', '110104', '371201', '371202']) {
      expect(isAdministrativeDivisionCode(region), region).toBe(true);
      expect(validateResidentId(withCheck(`${region}19800101002`), { today: TODAY }), region).toMatchObject({
        valid: true,
        regionCode: region,
      });
    }
  });

  it('documents its limit: codes abolished before December 2002 are unknown', () => {
    // 北京市崇文县/宣武县 style codes of the 1980s are in no bundled revision; 110199 never existed.
    expect(isAdministrativeDivisionCode('110199')).toBe(false);
    expect(validateResidentId(withCheck('11019919800101002'), { today: TODAY })).toEqual({
      valid: false,
      reason: 'region',
    });
  });

  it('lists mainland counties with province, city and district names that match their codes', () => {
    expect(COUNTY_DIVISIONS.length).toBeGreaterThan(2800);
    expect(new Set(COUNTY_DIVISIONS.map((county) => county.province)).size).toBe(31);
    expect(COUNTY_DIVISIONS).toContainEqual({
      code: '330106',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
    });
    expect(COUNTY_DIVISIONS).toContainEqual({
      code: '110105',
      province: '北京市',
      city: '北京市',
      district: '朝阳区',
    });
    for (const county of COUNTY_DIVISIONS) {
      expect(provinceName(county.code)).toBe(county.province);
      expect(county.city).not.toContain('直辖');
      expect(county.district).not.toBe('市辖区');
      expect(county.district).not.toContain('开发区');
      expect(isAdministrativeDivisionCode(county.code)).toBe(true);
    }
  });
});
