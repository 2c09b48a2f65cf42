import { z } from 'zod';
import { SEVERITY_GRADES } from './incident-facts.js';

/**
 * A reporting regime as data (S4.4): when it applies (a trigger over the incident's facts), to whom the
 * report goes, by when (hours from an anchor in the incident's life), and what the report must contain
 * (content items, each filled from facts, completed by a person, or both). The shipped regimes are in
 * `shipped-regimes.ts`; the security officer edits them (`PUT /regulatory-reports/regimes/:id`), and each
 * edit is validated against this schema, versioned and audited. A report keeps the regime as it was when
 * the report was opened, so an edit never rewrites a report under way.
 */

export const LANGUAGE_CODES = ['zh-CN', 'en-US'] as const;

export const localizedSchema = z.strictObject({
  'zh-CN': z.string().trim().min(1).max(2000),
  'en-US': z.string().trim().min(1).max(2000),
});
export type Localized = z.infer<typeof localizedSchema>;

/** Report kinds: the first report, updates (续报, GDPR Art. 33(4), NAIC 6(B)), and the closing summary. */
export const REPORT_KINDS = ['initial', 'update', 'summary'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/**
 * What a deadline counts from:
 * - `detected`: the incident's first sign (发现或获知, the CAC's clock);
 * - `declared` / `aware`: the declaration, which is when ClaimGuard holds the insurer "aware" of a breach
 *   (GDPR Art. 33(1), NAIC 6(A) "determination"; EDPB Guidelines 9/2022: a reasonable degree of certainty);
 * - `closed`: the end of the response (summary reports);
 * - `requested`: when the report itself is opened (updates).
 */
export const DEADLINE_ANCHORS = ['detected', 'declared', 'aware', 'closed', 'requested'] as const;
export type DeadlineAnchor = (typeof DEADLINE_ANCHORS)[number];

const jurisdictionCode = z
  .string()
  .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'an ISO 3166 code such as CN, US or US-NY, or EU');

/** One test on the facts. */
export const conditionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('always') }),
  z.strictObject({ kind: z.literal('min-affected-subjects'), min: z.number().int().min(0) }),
  /** Some sensitive personal information (PIPL Art. 28) is involved. */
  z.strictObject({ kind: z.literal('sensitive-categories') }),
  z.strictObject({ kind: z.literal('critical-infrastructure') }),
  z.strictObject({ kind: z.literal('cross-border') }),
  z.strictObject({ kind: z.literal('min-severity'), grade: z.enum(SEVERITY_GRADES) }),
  /**
   * Some single jurisdiction matching `jurisdiction` has at least `min` affected subjects: `US` matches
   * `US` and its states (`US-NY`); `EU` matches `EU` and every state where the GDPR applies.
   */
  z.strictObject({
    kind: z.literal('subjects-in-jurisdiction'),
    jurisdiction: jurisdictionCode,
    min: z.number().int().min(1),
  }),
]);
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionKind = Condition['kind'];

/** Applies when every `all` condition holds and, if `any` is not empty, at least one of `any`. */
export const triggerSchema = z.strictObject({
  all: z.array(conditionSchema).max(20),
  any: z.array(conditionSchema).max(20),
});
export type Trigger = z.infer<typeof triggerSchema>;

/** Hours may be fractional (0.5 = 30 minutes); at most a year. */
const hours = z.number().positive().max(8_760);

export const deadlineRuleSchema = z.strictObject({
  /** Null: no fixed deadline ("without undue further delay"); the report has no countdown. */
  hours: hours.nullable(),
  from: z.enum(DEADLINE_ANCHORS),
  /** The first override whose condition holds replaces `hours` (e.g. 1 hour where CII is involved). */
  overrides: z.array(z.strictObject({ when: conditionSchema, hours })).max(10),
  /** The figure is a setting awaiting legal confirmation; shown as such on every report. */
  toBeConfirmed: z.boolean(),
  note: localizedSchema.nullable(),
});
export type DeadlineRule = z.infer<typeof deadlineRuleSchema>;

export const RECIPIENT_KINDS = ['authority', 'individuals', 'public'] as const;

export const recipientSchema = z.strictObject({
  kind: z.enum(RECIPIENT_KINDS),
  name: localizedSchema,
  /** Only where this holds (e.g. the CII protection department); always when null. */
  when: conditionSchema.nullable(),
});
export type Recipient = z.infer<typeof recipientSchema>;

/** Facts a content item can be filled from (see report-contents.ts for how each is written). */
export const FACT_KEYS = [
  'reference',
  'title',
  'kind',
  'drill',
  'detectedAt',
  'declaredAt',
  'containedAt',
  'closedAt',
  'compromisedPeriod',
  'severity',
  'severityReasons',
  'affectedSubjects',
  'byCategory',
  'sensitiveCategories',
  'criticalInfrastructure',
  'crossBorder',
  'subjectsByJurisdiction',
  'measures',
  'timeline',
] as const;
export type FactKey = (typeof FACT_KEYS)[number];

/** What a person writes for an item: nothing, optionally, or necessarily before the report is ready. */
export const PERSON_INPUT = ['none', 'optional', 'required'] as const;
export type PersonInput = (typeof PERSON_INPUT)[number];

export const contentItemSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'a lower-case id'),
    label: localizedSchema,
    /** The provision that asks for it, e.g. "GDPR Art. 33(3)(a)". */
    citation: z.string().trim().max(200),
    facts: z.array(z.enum(FACT_KEYS)).max(FACT_KEYS.length),
    person: z.enum(PERSON_INPUT),
    /** The report kinds that carry the item. */
    kinds: z.array(z.enum(REPORT_KINDS)).min(1).max(REPORT_KINDS.length),
  })
  .refine((item) => item.facts.length > 0 || item.person !== 'none', {
    message: 'an item is filled from facts, by a person, or both',
  });
export type ContentItem = z.infer<typeof contentItemSchema>;

export const regimeDefinitionSchema = z
  .strictObject({
    name: localizedSchema,
    /** A few characters for lists and notices (PIPL 57, CAC, GDPR 33 …). */
    shortName: localizedSchema,
    jurisdiction: jurisdictionCode,
    /** The language reports under this regime are written in. */
    language: z.enum(LANGUAGE_CODES),
    recipients: z.array(recipientSchema).min(1).max(10),
    trigger: triggerSchema,
    initial: deadlineRuleSchema,
    /** Null: the regime asks for no updates. */
    update: deadlineRuleSchema.nullable(),
    /** Null: the regime asks for no closing summary. */
    summary: deadlineRuleSchema.nullable(),
    contents: z.array(contentItemSchema).min(1).max(60),
    /** The legal sources, with article numbers. */
    sources: z
      .array(z.strictObject({ citation: z.string().trim().min(1).max(300), url: z.url().nullable() }))
      .min(1)
      .max(10),
    notes: localizedSchema.nullable(),
  })
  .refine(
    (definition) => new Set(definition.contents.map((item) => item.id)).size === definition.contents.length,
    {
      message: 'content item ids are unique',
      path: ['contents'],
    },
  );
export type RegimeDefinition = z.infer<typeof regimeDefinitionSchema>;

/** A regime as stored: its definition, whether it is used, and its edit history's head. */
export type Regime = {
  id: string;
  version: number;
  enabled: boolean;
  builtin: boolean;
  definition: RegimeDefinition;
  updatedAt: Date;
  updatedBy: string | null;
};

export const REGIME_ID = /^[a-z][a-z0-9-]{1,47}$/;
