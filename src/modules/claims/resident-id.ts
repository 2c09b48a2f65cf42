import { normaliseForIndex } from '../vault/blind-index.js';
import { isAdministrativeDivisionCode } from './administrative-divisions.js';

/**
 * Resident identity numbers of the People's Republic of China (GB 11643-1999), 18 characters:
 *
 * ```
 * 110105 19491231 002 X
 * region birth    seq check
 * ```
 *
 * - region: a GB/T 2260 administrative division code (see `administrative-divisions.ts` for what the
 *   bundled list knows and its limit: codes abolished before 2021 are refused);
 * - birth: `YYYYMMDD`, a real calendar date between 1900-01-01 and today (China Standard Time);
 * - seq: order code; odd for men, even for women;
 * - check: ISO 7064 MOD 11-2 over the first 17 digits, `X` standing for 10.
 *
 * Checks run in the order of the fields, so the reason points at the first part that cannot be right; the
 * check digit comes last and catches the typos the other checks let through (any single wrong digit and
 * any swap of two adjacent different digits). The old 15-digit numbers (no century, no check digit) are
 * refused as `format`: they stopped being valid in 2013.
 *
 * SECURITY: the result never carries the input back in an error; a refusal is only a reason.
 */
export type ResidentIdCheck =
  | {
      valid: true;
      /** Upper-case, 18 ASCII characters: the form to store and to blind-index. */
      normalised: string;
      regionCode: string;
      /** `YYYY-MM-DD`. */
      birthDate: string;
      sex: Sex;
    }
  | { valid: false; reason: ResidentIdRefusal };

export type ResidentIdRefusal = 'format' | 'region' | 'birth-date' | 'check-digit';
export type Sex = 'male' | 'female';

export interface ResidentIdOptions {
  /** The day to compare birth dates with; defaults to now. Its calendar date is taken in China Standard Time. */
  today?: Date;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const EARLIEST_BIRTH_DATE = '1900-01-01';
/** Longer input is refused before normalising: no real number with spaces comes close. */
const MAX_INPUT_LENGTH = 64;

/** ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID number. */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new TypeError('The check character needs exactly 17 digits.');
  let sum = 0;
  for (let index = 0; index < 17; index++) sum += Number(first17[index]) * (WEIGHTS[index] ?? 0);
  return CHECK_CHARACTERS[sum % 11] ?? '';
}

/**
 * `１１０１０５ 1949 1231 002x` → `11010519491231002X`: full-width characters become ASCII (NFKC), spaces and
 * hyphens go, `x` becomes `X`. The same normalisation as the vault's blind index for ID numbers, so a
 * validated number and a searched one index alike.
 */
export function normaliseResidentId(input: string): string {
  return normaliseForIndex('id-number', input);
}

export function validateResidentId(input: string, options: ResidentIdOptions = {}): ResidentIdCheck {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return refuse('format');
  const normalised = normaliseResidentId(input);
  if (!/^\d{17}[\dX]$/.test(normalised)) return refuse('format');

  const regionCode = normalised.slice(0, 6);
  if (!isAdministrativeDivisionCode(regionCode)) return refuse('region');

  const birthDate = isoDate(normalised.slice(6, 14));
  if (!birthDate || !isPlausibleBirthDate(birthDate, options.today ?? new Date()))
    return refuse('birth-date');

  if (residentIdCheckCharacter(normalised.slice(0, 17)) !== normalised[17]) return refuse('check-digit');

  return {
    valid: true,
    normalised,
    regionCode,
    birthDate,
    sex: Number(normalised[16]) % 2 === 1 ? 'male' : 'female',
  };
}

export interface ResidentIdParts {
  /** A six-digit GB/T 2260 code; must be in the bundled list. */
  regionCode: string;
  /** `YYYY-MM-DD`, a real date from 1900-01-01 to today. */
  birthDate: string;
  /**
   * Which number of that sex, region and day this is, 0–499: the order code is `2 × sequence`, plus 1 for
   * a man, so every (sequence, sex) pair gives a different number.
   */
  sequence: number;
  sex: Sex;
}

/**
 * Builds a valid resident ID number (for demo data and tests). Throws a `RangeError` that names the bad
 * part, never its value, when a part could not appear in a valid number.
 */
export function makeResidentId(parts: ResidentIdParts, options: ResidentIdOptions = {}): string {
  const { regionCode, birthDate, sequence, sex } = parts;
  if (!/^\d{6}$/.test(regionCode) || !isAdministrativeDivisionCode(regionCode))
    throw new RangeError('The region code is not a known GB/T 2260 code.');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate) || isoDate(birthDate.replaceAll('-', '')) !== birthDate)
    throw new RangeError('The birth date is not a real YYYY-MM-DD date.');
  if (!isPlausibleBirthDate(birthDate, options.today ?? new Date()))
    throw new RangeError('The birth date is before 1900 or in the future.');
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 499)
    throw new RangeError('The sequence must be an integer from 0 to 499.');
  if (sex !== 'male' && sex !== 'female') throw new RangeError('The sex must be male or female.');
  const orderCode = String(sequence * 2 + (sex === 'male' ? 1 : 0)).padStart(3, '0');
  const first17 = `${regionCode}${birthDate.replaceAll('-', '')}${orderCode}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

function refuse(reason: ResidentIdRefusal): ResidentIdCheck {
  return { valid: false, reason };
}

/** `19491231` → `1949-12-31`; undefined for a date that does not exist (`20230229`, `19900431`, `19901300`). */
function isoDate(yyyymmdd: string): string | undefined {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** ISO dates compare correctly as strings. */
function isPlausibleBirthDate(isoBirthDate: string, today: Date): boolean {
  return isoBirthDate >= EARLIEST_BIRTH_DATE && isoBirthDate <= chinaDate(today);
}

/** The calendar date in China Standard Time (UTC+8 all year, no daylight saving), as `YYYY-MM-DD`. */
function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
