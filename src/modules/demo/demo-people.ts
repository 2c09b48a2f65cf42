import { base, en, Faker, zh_CN } from '@faker-js/faker';
import { COUNTY_DIVISIONS } from '../claims/administrative-divisions.js';
import { makeResidentId, type Sex } from '../claims/resident-id.js';

/**
 * Realistic, made-up people for `claimguard demo`: Chinese names, addresses in real counties, resident ID
 * numbers that pass `validateResidentId` and whose region is the county of the address, mobile numbers
 * in real carrier ranges, bank cards with valid Luhn check digits.
 *
 * The same (count, seed) always gives the same people, on any day: ages are counted from a fixed reference
 * date, not from today. A shorter list is the start of a longer one with the same seed.
 *
 * SECURITY: these people are invented, but their numbers are well-formed and may by chance belong to someone
 * real (a phone or card number is only 11 or 16–19 digits). Demo data must never be used to send messages
 * or payments. Email addresses are on the reserved example domains (RFC 2606), so mail to them goes nowhere.
 */
export interface DemoAddress {
  province: string;
  /** The prefecture-level city; for Beijing, Tianjin, Shanghai and Chongqing the municipality itself. */
  city: string;
  district: string;
  street: string;
  /** GB/T 2260 code of the district, the same as the first six digits of the person's resident ID. */
  regionCode: string;
  /** `浙江省杭州市西湖区文三路90号3栋2单元501室`; a municipality's name is not repeated. */
  full: string;
}

export interface DemoBankAccount {
  bankName: string;
  /** 16–19 digits, valid Luhn check digit, UnionPay `62` prefix. */
  cardNumber: string;
  holderName: string;
}

export interface DemoPerson {
  name: string;
  sex: Sex;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  residentId: string;
  mobile: string;
  email: string;
  address: DemoAddress;
  bankAccount: DemoBankAccount;
  preferredLanguage: 'zh-CN' | 'en-US';
}

/** Ages are counted from this date so that a seed gives the same people whatever the day. */
const REFERENCE_DATE = new Date('2025-01-01T00:00:00Z');
const MAX_PEOPLE = 100_000;

/** Mobile number ranges in use by China Mobile, China Unicom, China Telecom and China Broadnet. */
// biome-ignore format: grouped by second digit, which is how the ranges are allocated
export const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '145', '147', '149',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '166', '172', '173', '175', '176', '177', '178',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
  '190', '191', '192', '193', '195', '196', '197', '198', '199',
] as const;

export const DEMO_BANKS = [
  '中国工商银行',
  '中国农业银行',
  '中国银行',
  '中国建设银行',
  '交通银行',
  '中国邮政储蓄银行',
  '招商银行',
  '中信银行',
  '中国光大银行',
  '华夏银行',
  '中国民生银行',
  '广发银行',
  '平安银行',
  '兴业银行',
  '上海浦东发展银行',
  '浙商银行',
  '北京银行',
  '上海银行',
  '江苏银行',
  '宁波银行',
] as const;

// biome-ignore format: a table of words
const STREET_NAMES = [
  '人民', '解放', '中山', '建设', '和平', '新华', '文化', '胜利', '朝阳', '长江',
  '黄河', '青年', '光明', '友谊', '团结', '建国', '幸福', '东风', '迎宾', '文三',
] as const;

const STREET_KINDS = ['路', '街', '大道', '路', '路'] as const;
const MUNICIPALITIES = new Set(['北京市', '天津市', '上海市', '重庆市']);

/** The Luhn (mod 10) check digit to append to `payload` (digits only). */
export function luhnCheckDigit(payload: string): string {
  if (!/^\d+$/.test(payload)) throw new TypeError('A Luhn payload must be digits only.');
  let sum = 0;
  // From the right, the digit next to the check digit is doubled, then every second one.
  for (let index = 0; index < payload.length; index++) {
    let digit = Number(payload[payload.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True when `number` (digits; spaces and hyphens ignored) ends in its correct Luhn check digit. */
export function isValidLuhn(number: string): boolean {
  const digits = number.replace(/[\s-]/g, '');
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

export function makeDemoPeople(count: number, seed: number): DemoPerson[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_PEOPLE)
    throw new RangeError(`The number of demo people must be an integer from 0 to ${MAX_PEOPLE}.`);
  if (!Number.isSafeInteger(seed)) throw new RangeError('The seed must be an integer.');
  const zh = new Faker({ locale: [zh_CN, en, base] });
  const latin = new Faker({ locale: [en, base] });
  zh.seed(seed);
  latin.seed(seed);
  const usedIds = new Set<string>();
  return Array.from({ length: count }, () => makePerson(zh, latin, usedIds));
}

function makePerson(zh: Faker, latin: Faker, usedIds: Set<string>): DemoPerson {
  const sex: Sex = zh.helpers.arrayElement(['male', 'female'] as const);
  const name = `${zh.person.lastName()}${zh.person.firstName(sex)}`;
  const birthDate = zh.date
    .birthdate({ mode: 'age', min: 18, max: 80, refDate: REFERENCE_DATE })
    .toISOString()
    .slice(0, 10);
  const county = zh.helpers.arrayElement(COUNTY_DIVISIONS);
  const address = makeAddress(zh, county);

  let sequence = zh.number.int({ min: 0, max: 499 });
  let residentId = makeResidentId(
    { regionCode: county.code, birthDate, sequence, sex },
    { today: REFERENCE_DATE },
  );
  // Two people born the same day in the same county with the same number: take the next number.
  while (usedIds.has(residentId)) {
    sequence = (sequence + 1) % 500;
    residentId = makeResidentId(
      { regionCode: county.code, birthDate, sequence, sex },
      { today: REFERENCE_DATE },
    );
  }
  usedIds.add(residentId);

  const mobile = `${zh.helpers.arrayElement(MOBILE_PREFIXES)}${zh.string.numeric(8)}`;
  const email = latin.internet
    .exampleEmail({ firstName: latin.person.firstName(sex), lastName: latin.person.lastName() })
    .toLowerCase();

  const cardLength = zh.helpers.weightedArrayElement([
    { weight: 6, value: 19 },
    { weight: 3, value: 16 },
    { weight: 1, value: 17 },
    { weight: 1, value: 18 },
  ]);
  const cardPayload = `62${zh.string.numeric({ length: cardLength - 3, allowLeadingZeros: true })}`;
  const bankAccount: DemoBankAccount = {
    bankName: zh.helpers.arrayElement(DEMO_BANKS),
    cardNumber: `${cardPayload}${luhnCheckDigit(cardPayload)}`,
    holderName: name,
  };

  const preferredLanguage = zh.helpers.weightedArrayElement([
    { weight: 85, value: 'zh-CN' as const },
    { weight: 15, value: 'en-US' as const },
  ]);

  return { name, sex, birthDate, residentId, mobile, email, address, bankAccount, preferredLanguage };
}

function makeAddress(zh: Faker, county: (typeof COUNTY_DIVISIONS)[number]): DemoAddress {
  const road = `${zh.helpers.arrayElement(STREET_NAMES)}${zh.helpers.arrayElement(STREET_KINDS)}`;
  const number = zh.number.int({ min: 1, max: 999 });
  const building = zh.number.int({ min: 1, max: 30 });
  const unit = zh.number.int({ min: 1, max: 6 });
  const room = `${zh.number.int({ min: 1, max: 32 })}0${zh.number.int({ min: 1, max: 4 })}`;
  const street = `${road}${number}号${building}栋${unit}单元${room}室`;
  const city = MUNICIPALITIES.has(county.province) ? '' : county.city;
  return {
    province: county.province,
    city: county.city,
    district: county.district,
    street,
    regionCode: county.code,
    full: `${county.province}${city}${county.district}${street}`,
  };
}
