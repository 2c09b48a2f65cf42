import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import type { ExposureCriteria } from '../audit/audit-exposures.js';
import {
  type DataCategory,
  isPersonalDataFieldId,
  PERSONAL_DATA_CATALOGUE,
  PERSONAL_DATA_FIELD_IDS,
} from '../vault/personal-data-catalogue.js';
import type { ScopeCounts } from './incidents.repository.js';

/**
 * The blast radius of an incident (S4.1): from suspect actors and/or resources and a time window, which
 * data subjects were exposed and which of their fields, from the audit log, exactly (see
 * `audit-exposures.ts` for what counts as an exposure). This file holds the parts that are not SQL: the
 * criteria as an investigator gives them, the summary by catalogue category and sensitivity, and the
 * encrypted export of the affected list.
 */

/** What an investigator names. Within a group any entry matches; actor and resource groups must both match. */
export type ScopeCriteria = {
  userIds: string[];
  apiTokenIds: string[];
  sessionIds: string[];
  ipAddresses: string[];
  resources: { type: string; id: string }[];
  from: Date;
  to: Date;
};

export function toExposureCriteria(criteria: ScopeCriteria): ExposureCriteria {
  return {
    actorIds: [...new Set([...criteria.userIds, ...criteria.apiTokenIds])],
    sessionIds: [...new Set(criteria.sessionIds)],
    ipAddresses: [...new Set(criteria.ipAddresses)],
    resources: criteria.resources,
    from: criteria.from,
    to: criteria.to,
  };
}

export function criteriaToJson(criteria: ScopeCriteria) {
  return { ...criteria, from: criteria.from.toISOString(), to: criteria.to.toISOString() };
}

export function criteriaFromJson(value: unknown): ScopeCriteria {
  const raw = value as Omit<ScopeCriteria, 'from' | 'to'> & { from: string; to: string };
  return { ...raw, from: new Date(raw.from), to: new Date(raw.to) };
}

export const UNCATALOGUED = 'uncatalogued';

/** Field → catalogue category, for the SQL that counts subjects per category. */
export function fieldCategories(): { field: string; category: DataCategory }[] {
  return PERSONAL_DATA_FIELD_IDS.map((field) => ({
    field,
    category: PERSONAL_DATA_CATALOGUE[field].category,
  }));
}

/** Catalogue fields that are sensitive personal information (PIPL Art. 28). */
export function sensitiveFields(): string[] {
  return PERSONAL_DATA_FIELD_IDS.filter((field) => PERSONAL_DATA_CATALOGUE[field].sensitive);
}

export function categoryOf(field: string): DataCategory | typeof UNCATALOGUED {
  return isPersonalDataFieldId(field) ? PERSONAL_DATA_CATALOGUE[field].category : UNCATALOGUED;
}

export function isSensitiveField(field: string): boolean {
  return isPersonalDataFieldId(field) && PERSONAL_DATA_CATALOGUE[field].sensitive;
}

/** Fields that identify a person by a document number (PIPL Art. 28 "specific identity"). */
const ID_DOCUMENT_FIELDS = new Set(['customer.id_number', 'customer.passport_number']);

/** What a saved scope version says, kept with it so reading a version never recomputes it. */
export type ScopeSummary = {
  subjects: number;
  events: number;
  unmaskedSubjects: number;
  sensitiveSubjects: number;
  bySensitivity: { sensitive: number; other: number };
  byCategory: { category: string; subjects: number }[];
  byField: {
    field: string;
    category: string;
    sensitive: boolean;
    subjects: number;
    unmaskedSubjects: number;
  }[];
  /** Categories in which a sensitive field was exposed. */
  sensitiveCategories: DataCategory[];
  idNumbersExposed: boolean;
  firstExposureAt: string | null;
  lastExposureAt: string | null;
  /** Honeytoken customers touched, left out of the counts above (absent in scopes saved before). */
  decoySubjects?: number;
};

export function summariseScope(counts: ScopeCounts): ScopeSummary {
  const byField = counts.byField.map((entry) => ({
    field: entry.field,
    category: categoryOf(entry.field),
    sensitive: isSensitiveField(entry.field),
    subjects: entry.subjects,
    unmaskedSubjects: entry.unmaskedSubjects,
  }));
  const sensitiveCategories = [
    ...new Set(byField.filter((entry) => entry.sensitive).map((entry) => entry.category as DataCategory)),
  ].sort();
  return {
    subjects: counts.subjects,
    events: counts.events,
    unmaskedSubjects: counts.unmaskedSubjects,
    sensitiveSubjects: counts.sensitiveSubjects,
    bySensitivity: { sensitive: counts.sensitiveSubjects, other: counts.subjects - counts.sensitiveSubjects },
    byCategory: counts.byCategory,
    byField,
    sensitiveCategories,
    idNumbersExposed: byField.some((entry) => ID_DOCUMENT_FIELDS.has(entry.field)),
    firstExposureAt: counts.firstAt?.toISOString() ?? null,
    lastExposureAt: counts.lastAt?.toISOString() ?? null,
  };
}

// ---- the encrypted export -------------------------------------------------------------------------

/**
 * The affected list leaves ClaimGuard only encrypted (S4.1). File format `claimguard-export-v1`:
 *
 *     CLAIMGUARD-EXPORT-1\n
 *     <header: one line of JSON: kdf scrypt {N, r, p, salt}, cipher aes-256-gcm, iv, incident, version, ...>\n
 *     <ciphertext of the JSON Lines: one line per affected subject>
 *     <16-byte GCM tag>
 *
 * The key is scrypt(password, salt, 32); the header line is the GCM additional data, so changing it
 * (to lower the KDF cost, say) makes opening fail. Opening: {@link openIncidentExport}, or see
 * docs/incidents.md for a stand-alone Node.js script. The password is chosen by the officer per export
 * and never stored.
 */
export const EXPORT_MAGIC = 'CLAIMGUARD-EXPORT-1\n';
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const TAG_BYTES = 16;

export type ExportHeader = {
  format: 'claimguard-export-v1';
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  content: 'application/jsonl';
  incident: string;
  scopeVersion: number;
  subjects: number;
  createdAt: string;
  createdBy: string;
};

function deriveKey(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      32,
      { ...params, maxmem: 256 * params.N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/**
 * Encrypts a stream of JSON Lines records into the export format, as an async iterable of chunks (the
 * HTTP response streams it; nothing holds the whole list).
 */
export async function* sealExport(
  password: string,
  meta: Omit<ExportHeader, 'format' | 'kdf' | 'cipher' | 'iv' | 'content'>,
  records: AsyncIterable<unknown>,
): AsyncGenerator<Buffer> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(password, salt, SCRYPT);
  const header: ExportHeader = {
    format: 'claimguard-export-v1',
    kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    content: 'application/jsonl',
    ...meta,
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(headerLine);
  yield Buffer.concat([Buffer.from(EXPORT_MAGIC, 'utf8'), headerLine]);
  for await (const record of records) {
    const chunk = cipher.update(`${JSON.stringify(record)}\n`, 'utf8');
    if (chunk.length > 0) yield chunk;
  }
  const last = cipher.final();
  yield Buffer.concat([last, cipher.getAuthTag()]);
}

/** Opens an export: checks the password and the tag, returns the header and the JSON Lines text. */
export async function openIncidentExport(
  file: Buffer,
  password: string,
): Promise<{ header: ExportHeader; jsonl: string }> {
  const magic = Buffer.from(EXPORT_MAGIC, 'utf8');
  if (!file.subarray(0, magic.length).equals(magic)) throw new Error('not a ClaimGuard export');
  const headerEnd = file.indexOf(0x0a, magic.length);
  if (headerEnd < 0) throw new Error('truncated export');
  const headerLine = file.subarray(magic.length, headerEnd + 1);
  const header = JSON.parse(headerLine.toString('utf8')) as ExportHeader;
  const key = await deriveKey(password, Buffer.from(header.kdf.salt, 'base64'), header.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
  decipher.setAAD(headerLine);
  decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
  const plain = Buffer.concat([
    decipher.update(file.subarray(headerEnd + 1, file.length - TAG_BYTES)),
    decipher.final(),
  ]);
  return { header, jsonl: plain.toString('utf8') };
}
