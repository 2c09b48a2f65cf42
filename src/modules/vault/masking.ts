/**
 * Masking rules: how a personal value is shown to someone allowed to see that it exists but not what it
 * is. Each rule keeps a fixed, small part of the value (what staff use to tell records apart, e.g. the
 * last four digits of an account) and hides the rest.
 *
 * SECURITY: a masked value never reveals more than half of the value's characters, except the 11-digit
 * mainland mobile number, whose customary mask `138****5678` shows 7 of 11 digits by explicit product
 * decision. Values shorter than a rule's usual shape reveal less, never more.
 */
export const MASKING_RULES = [
  'name',
  'id-number',
  'passport',
  'phone',
  'email',
  'bank-account',
  'address',
  'birth-date',
  'full',
] as const;
export type MaskingRule = (typeof MASKING_RULES)[number];

/** What `full` shows: fixed length, so not even the length of the value leaks. */
export const FULLY_MASKED = '******';

const HAN = /\p{Script=Han}/u;

/** Code points, not UTF-16 units: a rare Han character outside the BMP is one character, not two. */
function chars(value: string): string[] {
  return Array.from(value);
}

/**
 * Keeps `prefix` leading and `suffix` trailing characters and stars the middle; shrinks what is kept
 * (prefix first: trailing digits are what people check against) until at most half is revealed.
 */
export function keepEnds(value: string, prefix: number, suffix: number, star = '*'): string {
  const all = chars(value);
  const budget = Math.floor(all.length / 2);
  let head = prefix;
  let tail = suffix;
  while (head + tail > budget) {
    if (head > 0) head--;
    else tail--;
  }
  const hidden = all.length - head - tail;
  return `${all.slice(0, head).join('')}${star.repeat(hidden)}${tail > 0 ? all.slice(-tail).join('') : ''}`;
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`, `Zhang Wei` → `Z***`; a one-character name shows nothing. */
export function maskName(value: string): string {
  const all = chars(value.trim());
  if (all.length <= 1) return all.length === 1 && HAN.test(all[0] ?? '') ? '*' : '***';
  const first = all[0] ?? '';
  if (HAN.test(first)) return `${first}${'*'.repeat(all.length - 1)}`;
  // Latin names: the length of a Latin name says more than a Chinese one's, so it is not shown.
  return `${first}***`;
}

/** 18 digits → `1101**********1234`; 15 digits → `110********1234` (half at most). */
export function maskIdNumber(value: string): string {
  return keepEnds(compact(value), 4, 4);
}

/** `E12345678` → `E*****678`. */
export function maskPassport(value: string): string {
  return keepEnds(compact(value), 1, 3);
}

/** `13812345678` → `138****5678`; a country prefix is dropped first, short numbers show half at most. */
export function maskPhone(value: string): string {
  const digits = compact(value).replace(/^(\+86|0086)/, '');
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  return keepEnds(digits, 3, 4);
}

/** `zhangsan@example.com` → `z***@example.com`; the domain is kept, the local part's length is not shown. */
export function maskEmail(value: string): string {
  const trimmed = value.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return FULLY_MASKED;
  const local = chars(trimmed.slice(0, at));
  const domain = trimmed.slice(at + 1);
  return `${local.length >= 2 ? local[0] : ''}***@${domain}`;
}

/** Always `**** **** **** 1234`: the last four digits, or fewer for a short number. */
export function maskBankAccount(value: string): string {
  const digits = compact(value);
  const tail = Math.min(4, Math.floor(digits.length / 2));
  return `**** **** **** ${tail > 0 ? digits.slice(-tail) : '****'}`;
}

const PROVINCE = /^(.{2,12}?(?:省|自治区|特别行政区))/u;
const MUNICIPALITY = /^(北京市|上海市|天津市|重庆市)/u;
const CITY = /^(.{1,12}?(?:市|自治州|地区|盟))/u;

/**
 * `浙江省杭州市西湖区文三路 90 号` → `浙江省杭州市****`, `北京市朝阳区…` → `北京市****`. Addresses in another
 * shape keep their last comma-separated part (the city or country) when that is short enough.
 */
export function maskAddress(value: string): string {
  const trimmed = value.trim();
  const budget = Math.floor(chars(trimmed).length / 2);
  let kept = '';
  const municipality = MUNICIPALITY.exec(trimmed);
  if (municipality?.[1]) {
    kept = municipality[1];
  } else {
    const province = PROVINCE.exec(trimmed)?.[1] ?? '';
    const city = CITY.exec(trimmed.slice(province.length))?.[1] ?? '';
    kept = province + city;
    if (chars(kept).length > budget) kept = province;
  }
  if (kept && chars(kept).length <= budget) return `${kept}****`;
  if (!HAN.test(trimmed) && trimmed.includes(',')) {
    const last = trimmed.slice(trimmed.lastIndexOf(',') + 1).trim();
    if (last && chars(last).length <= budget) return `****, ${last}`;
  }
  return '****';
}

/** `1990-05-17` → `1990-**-**`: the year is enough to tell an adult from a minor. */
export function maskBirthDate(value: string): string {
  const match = /^(\d{4})[-/.年]/.exec(value.trim());
  return match ? `${match[1]}-**-**` : FULLY_MASKED;
}

/** Drops spaces and hyphens (after NFKC, so full-width ones go too), as people type them freely. */
function compact(value: string): string {
  return value.normalize('NFKC').replace(/[\s-]/g, '');
}

const MASKERS: Record<MaskingRule, (value: string) => string> = {
  name: maskName,
  'id-number': maskIdNumber,
  passport: maskPassport,
  phone: maskPhone,
  email: maskEmail,
  'bank-account': maskBankAccount,
  address: maskAddress,
  'birth-date': maskBirthDate,
  full: () => FULLY_MASKED,
};

export function mask(rule: MaskingRule, value: string): string {
  // SECURITY: an empty value masks to the fixed placeholder, so "no value" and "value" look alike.
  if (value.trim() === '') return FULLY_MASKED;
  return MASKERS[rule](value);
}
