import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';

/**
 * What the regulatory reports (S4.4) need to know of an incident, and nothing more. The incidents module
 * (S2.5, S4.1) owns incidents; this module reads their facts only through an {@link IncidentFactsSource}
 * handed to its service, so it never touches the incidents' tables and stores incident ids as plain text.
 *
 * SECURITY: facts are counts, categories, grades, times and descriptions of what was done; never a data
 * subject's identity or personal data. The schema below is strict so that a field nobody declared here
 * (say, a list of affected customers) cannot slip into a report by accident.
 */

/**
 * The Chinese incident grades (《国家网络安全事件报告管理办法》附件《网络安全事件分级指南》; for personal
 * information 1,000,000 / 10,000,000 / 100,000,000 people for 较大 / 重大 / 特别重大), as codes.
 */
export const SEVERITY_GRADES = ['general', 'major', 'serious', 'especially-serious'] as const;
export type SeverityGrade = (typeof SEVERITY_GRADES)[number];

export const SEVERITY_GRADE_LABELS: Record<SeverityGrade, { 'zh-CN': string; 'en-US': string }> = {
  general: { 'zh-CN': '一般', 'en-US': 'General' },
  major: { 'zh-CN': '较大', 'en-US': 'Relatively major' },
  serious: { 'zh-CN': '重大', 'en-US': 'Major' },
  'especially-serious': { 'zh-CN': '特别重大', 'en-US': 'Especially major' },
};

/** The grade's rank, for "at least" comparisons. */
export function gradeRank(grade: SeverityGrade): number {
  return SEVERITY_GRADES.indexOf(grade);
}

const text = (max: number) => z.string().max(max);

export const incidentFactsSchema = z.strictObject({
  incidentId: text(100).min(1),
  /** The incident's human reference (e.g. INC-2026-0007). */
  reference: text(100),
  title: text(300),
  /** The playbook kind: insider-misuse, stolen-credentials, external-intrusion, misdirected-documents … */
  kind: text(100),
  /** A drill on demo data (S2.5): every report of it is marked as a drill. */
  isDrill: z.boolean(),
  /** When the first sign was seen (the first alert), which starts the CAC's clock. */
  detectedAt: z.date(),
  /** When the insurer declared the incident; ClaimGuard takes this as "becoming aware" (GDPR Art. 33(1)). */
  declaredAt: z.date(),
  containedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  severity: z.strictObject({
    grade: z.enum(SEVERITY_GRADES),
    /** Why the grade is what it is, in words a regulator can read. */
    reasons: z.array(text(500)).max(50),
    /** The five S1 impact dimensions and anything else the assessment scored, by name. */
    dimensions: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])),
  }),
  /** Distinct data subjects exposed (S4.1: exact, from the audit log). */
  affectedSubjects: z.number().int().min(0),
  /** Subjects exposed per catalogue category (`identity`, `financial`, `health` …) and its sensitivity. */
  byCategory: z
    .array(
      z.strictObject({
        category: text(100),
        sensitivity: text(100),
        subjects: z.number().int().min(0),
      }),
    )
    .max(100),
  /** Categories that are sensitive personal information (PIPL Art. 28). */
  sensitiveCategories: z.array(text(100)).max(100),
  /** Critical information infrastructure is involved (关键信息基础设施; CAC 1-hour report). */
  involvesCriticalInfrastructure: z.boolean(),
  /** Data left, or was held, outside the country. */
  crossBorder: z.boolean(),
  /**
   * Where the affected data subjects live, when known: ISO 3166 codes (`CN`, `DE`, `US-NY`), or `EU` for
   * the Union as a whole. GDPR and NAIC #668 apply only through this; absent means "all in China".
   */
  subjectsByJurisdiction: z
    .array(z.strictObject({ jurisdiction: text(20), subjects: z.number().int().min(0) }))
    .max(300)
    .optional(),
  /** Containment and remedial measures taken (S4.3, S4.5). `by` names the acting role or team. */
  measures: z.array(z.strictObject({ at: z.date(), action: text(1000), by: text(200) })).max(500),
  /** The incident's timeline (S2.5), oldest first. */
  timeline: z.array(z.strictObject({ at: z.date(), what: text(1000), by: text(200) })).max(2000),
});

/** An incident's facts as the reports see them. */
export type IncidentFacts = z.infer<typeof incidentFactsSchema>;

/**
 * Where the reports get an incident's facts. The incidents module implements it (the lead wires it in
 * `server.ts`); it throws `DomainError('not-found')` for an unknown incident. `db` is the caller's handle
 * or transaction, so facts and the report written from them are read in one transaction.
 */
export interface IncidentFactsSource {
  incidentFacts(db: Kysely<Database>, incidentId: string): Promise<IncidentFacts>;
}

/** The source used until the incidents module is wired in: every incident is unknown. */
export const NO_INCIDENTS: IncidentFactsSource = {
  async incidentFacts() {
    throw new DomainError('not-found', 'No such incident.');
  },
};

/**
 * Where the GDPR applies: the EU member states and the other EEA states (Iceland, Liechtenstein, Norway),
 * matched by an `EU` condition on subjects' jurisdictions.
 */
export const GDPR_STATES = [
  'IS',
  'LI',
  'NO',
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
] as const;
