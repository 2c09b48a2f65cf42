/**
 * Finds what looks like personal data in staff-written text (S4.2): a breach notice goes to a million
 * customers and to a public page, so a text that names one customer's ID number, phone, bank card or email
 * must never leave. The check is deliberately broad ("looks like"): a false alarm costs a rewording, a miss
 * costs a second breach. Company hotlines (95xxx, 400/800 numbers) and landlines are allowed, since a notice
 * must give a contact.
 *
 * SECURITY: findings name the kind and the text's field, never the matched value.
 */
export const PERSONAL_DATA_KINDS = ['id-number', 'phone', 'bank-card', 'email'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** Email addresses: local part, @, a dotted domain. */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/u;

/**
 * Runs of digits (full-width digits folded first), allowing single spaces or dashes between groups as
 * people write numbers (`138 1234 5678`, `6222-0212-3456-7890`), with a trailing X for ID numbers.
 */
const DIGIT_RUN = /(?<![0-9A-Za-z])\+?[0-9](?:[ -]?[0-9])*(?:[ -]?[Xx])?(?![0-9A-Za-z])/gu;

/** Kinds of personal data `text` seems to carry, in the order of {@link PERSONAL_DATA_KINDS}. */
export function findPersonalData(text: string): PersonalDataKind[] {
  const folded = text.normalize('NFKC');
  const found = new Set<PersonalDataKind>();
  if (EMAIL.test(folded)) found.add('email');
  for (const match of folded.matchAll(DIGIT_RUN)) {
    const kind = classifyDigits(match[0]);
    if (kind) found.add(kind);
  }
  return PERSONAL_DATA_KINDS.filter((kind) => found.has(kind));
}

function classifyDigits(raw: string): PersonalDataKind | null {
  const international = raw.startsWith('+');
  const value = raw.replace(/[+ -]/g, '').toUpperCase();
  const digits = value.replace(/X$/, '');
  // Resident ID (GB 11643): 18 characters, the last a digit or X; the first generation had 15 digits.
  if (value.length === 18 && /^[0-9]{17}[0-9X]$/.test(value)) return 'id-number';
  if (value.endsWith('X')) return digits.length === 17 ? 'id-number' : null;
  // Mainland mobile numbers: 11 digits from 13x to 19x, optionally after the country code 86.
  const national = international && digits.startsWith('86') ? digits.slice(2) : digits;
  if (/^1[3-9][0-9]{9}$/.test(national)) return 'phone';
  if (digits.startsWith('86') && /^1[3-9][0-9]{9}$/.test(digits.slice(2))) return 'phone';
  if (digits.length === 15 && !/^(400|800|95)/.test(digits)) return 'id-number';
  // Bank cards (ISO/IEC 7812, UnionPay): 16 to 19 digits.
  if (digits.length >= 16 && digits.length <= 19) return 'bank-card';
  return null;
}

/** The findings of several named texts: `{ field, kinds }` for each text that seems to carry some. */
export function findPersonalDataIn(
  texts: Readonly<Record<string, string>>,
): { field: string; kinds: PersonalDataKind[] }[] {
  return Object.entries(texts).flatMap(([field, text]) => {
    const kinds = findPersonalData(text);
    return kinds.length > 0 ? [{ field, kinds }] : [];
  });
}
