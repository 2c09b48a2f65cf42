import { describe, expect, it, vi } from 'vitest';
import { COUNTY_DIVISIONS } from '../claims/administrative-divisions.js';
import { validateResidentId } from '../claims/resident-id.js';
import { DEMO_BANKS, isValidLuhn, luhnCheckDigit, MOBILE_PREFIXES, makeDemoPeople } from './demo-people.js';

const HAN_NAME = /^\p{Script=Han}{2,4}$/u;

describe('isValidLuhn', () => {
  it('accepts known valid numbers', () => {
    for (const valid of [
      '79927398713', // the textbook example
      '4111111111111111', // Visa test card
      '5555555555554444', // Mastercard test card
      '6212345678901232', // UnionPay-style 16 digits
      '6217 0000 1000 0000 003', // 19 digits, typed with spaces
      '6212-2610-0000-0000-009',
      '00',
      '18',
    ]) {
      expect(isValidLuhn(valid), valid).toBe(true);
    }
  });

  it('refuses a wrong check digit, single-digit typos and adjacent swaps', () => {
    expect(isValidLuhn('79927398710')).toBe(false);
    expect(isValidLuhn('4111111111111112')).toBe(false);
    const valid = '6217000010000000003';
    for (let index = 0; index < valid.length; index++) {
      for (const digit of '0123456789') {
        if (digit === valid[index]) continue;
        const typo = `${valid.slice(0, index)}${digit}${valid.slice(index + 1)}`;
        expect(isValidLuhn(typo), typo).toBe(false);
      }
    }
    // Luhn misses 09 ↔ 90 swaps by design; every other adjacent swap of different digits is caught.
    const swapped = '4111111111111111'.replace('41', '14');
    expect(isValidLuhn(swapped)).toBe(false);
  });

  it('refuses what is not a number', () => {
    for (const bad of [
      '',
      '7',
      'abc',
      '4111 1111 1111 111a',
      '4111.1111.1111.1111',
      '４１１１１１１１１１１１１１１１',
    ]) {
      expect(isValidLuhn(bad), bad).toBe(false);
    }
  });

  it('computes check digits that isValidLuhn accepts', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(luhnCheckDigit('411111111111111')).toBe('1');
    for (const payload of ['0', '62', '621700001000000000', '999999999999999']) {
      expect(isValidLuhn(`${payload}${luhnCheckDigit(payload)}`), payload).toBe(true);
    }
    expect(() => luhnCheckDigit('12a')).toThrow(TypeError);
    expect(() => luhnCheckDigit('')).toThrow(TypeError);
  });
});

describe('makeDemoPeople', () => {
  const people = makeDemoPeople(300, 20260615);

  it('is deterministic for a seed, and a shorter list is the start of a longer one', () => {
    expect(makeDemoPeople(300, 20260615)).toEqual(people);
    expect(makeDemoPeople(10, 20260615)).toEqual(people.slice(0, 10));
    const other = makeDemoPeople(10, 7);
    expect(other).not.toEqual(people.slice(0, 10));
    expect(other.map((person) => person.residentId)).not.toEqual(
      people.slice(0, 10).map((person) => person.residentId),
    );
  });

  it('does not depend on the day it runs', () => {
    const now = makeDemoPeople(20, 1);
    vi.useFakeTimers({ now: new Date('2040-02-29T12:00:00Z'), toFake: ['Date'] });
    try {
      expect(makeDemoPeople(20, 1)).toEqual(now);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives every person a valid, unique resident ID matching their birth date, sex and district', () => {
    const ids = new Set<string>();
    for (const person of people) {
      const check = validateResidentId(person.residentId);
      expect(check, person.residentId).toEqual({
        valid: true,
        normalised: person.residentId,
        regionCode: person.address.regionCode,
        birthDate: person.birthDate,
        sex: person.sex,
      });
      ids.add(person.residentId);
    }
    expect(ids.size).toBe(people.length);
  });

  it('places every address in a real district whose province is the one in the ID number', () => {
    for (const person of people) {
      const county = COUNTY_DIVISIONS.find((division) => division.code === person.address.regionCode);
      expect(county, person.address.regionCode).toBeDefined();
      expect(person.address).toMatchObject({
        province: county?.province,
        city: county?.city,
        district: county?.district,
      });
      expect(person.residentId.slice(0, 2)).toBe(person.address.regionCode.slice(0, 2));
      expect(person.address.full.startsWith(person.address.province)).toBe(true);
      expect(person.address.full.endsWith(`${person.address.district}${person.address.street}`)).toBe(true);
      expect(person.address.street).toMatch(/^\p{Script=Han}+(路|街|大道)\d+号\d+栋\d单元\d+室$/u);
    }
    // A municipality is not named twice.
    const beijing = makeDemoPeople(2000, 3).find((person) => person.address.province === '北京市');
    expect(beijing?.address.full).toMatch(/^北京市(?!北京市)/);
    // Spread over the country.
    expect(new Set(people.map((person) => person.address.province)).size).toBeGreaterThan(20);
  });

  it('gives Chinese names, adult birth dates and both sexes', () => {
    for (const person of people) {
      expect(person.name, person.name).toMatch(HAN_NAME);
      expect(person.birthDate >= '1944-01-01' && person.birthDate <= '2007-01-01', person.birthDate).toBe(
        true,
      );
    }
    const sexes = people.map((person) => person.sex);
    expect(sexes.filter((sex) => sex === 'male').length).toBeGreaterThan(100);
    expect(sexes.filter((sex) => sex === 'female').length).toBeGreaterThan(100);
  });

  it('gives 11-digit mobile numbers in real carrier ranges', () => {
    for (const person of people) {
      expect(person.mobile).toMatch(/^1[3-9]\d{9}$/);
      expect(MOBILE_PREFIXES).toContain(person.mobile.slice(0, 3));
    }
  });

  it('gives email addresses on reserved example domains only', () => {
    for (const person of people) {
      expect(person.email).toMatch(/^[a-z0-9._%+-]+@example\.(com|net|org)$/);
    }
  });

  it('gives bank cards of real banks, 16 to 19 digits with a valid Luhn digit, held by the person', () => {
    const lengths = new Set<number>();
    for (const person of people) {
      const { bankName, cardNumber, holderName } = person.bankAccount;
      expect(DEMO_BANKS).toContain(bankName);
      expect(cardNumber).toMatch(/^62\d{14,17}$/);
      expect(isValidLuhn(cardNumber), cardNumber).toBe(true);
      expect(holderName).toBe(person.name);
      lengths.add(cardNumber.length);
    }
    expect([...lengths].sort()).toEqual([16, 17, 18, 19]);
  });

  it('prefers Chinese, with some English speakers', () => {
    const english = people.filter((person) => person.preferredLanguage === 'en-US').length;
    const chinese = people.filter((person) => person.preferredLanguage === 'zh-CN').length;
    expect(english + chinese).toBe(people.length);
    expect(english).toBeGreaterThan(15);
    expect(chinese).toBeGreaterThan(people.length * 0.7);
  });

  it('refuses a count or seed that is not a sensible integer', () => {
    expect(makeDemoPeople(0, 1)).toEqual([]);
    for (const [count, seed] of [
      [-1, 1],
      [1.5, 1],
      [100_001, 1],
      [Number.NaN, 1],
      [1, 0.5],
      [1, Number.POSITIVE_INFINITY],
    ]) {
      expect(() => makeDemoPeople(count ?? 0, seed ?? 0)).toThrow(RangeError);
    }
  });
});
