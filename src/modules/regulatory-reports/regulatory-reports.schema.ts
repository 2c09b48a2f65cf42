import { z } from 'zod';
import { REPORT_KINDS, regimeDefinitionSchema } from './regime-definition.js';
import { REPORT_STATUSES } from './regulatory-reports.tables.js';
import { EXPORT_FORMATS } from './report-export.js';

/** Request and response schemas of the regulatory-reports routes (S4.4); they also generate the OpenAPI. */

const localized = z.object({ 'zh-CN': z.string(), 'en-US': z.string() });

export const regimeIdParams = z.object({ regimeId: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/) });
export const incidentIdParams = z.object({
  incidentId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
});
export const reportIdParams = z.object({ id: z.uuid() });

export const regimeSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    enabled: z.boolean(),
    builtin: z.boolean(),
    definition: regimeDefinitionSchema,
    updatedAt: z.date(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'RegulatoryRegime' });

export const regimeUpdateSchema = z.object({
  definition: regimeDefinitionSchema,
  enabled: z.boolean(),
  expectedVersion: z.number().int().min(1),
});

export const reportSchema = z
  .object({
    id: z.string(),
    incidentId: z.string(),
    incidentReference: z.string(),
    regimeId: z.string(),
    regimeVersion: z.number().int(),
    regimeName: localized,
    regimeShortName: localized,
    kind: z.enum(REPORT_KINDS),
    parentId: z.string().nullable(),
    sequence: z.number().int(),
    language: z.enum(['zh-CN', 'en-US']),
    isDrill: z.boolean(),
    status: z.enum(REPORT_STATUSES),
    recipients: z.array(localized),
    updatesAllowed: z.boolean(),
    deadline: z.object({
      startsAt: z.date().nullable(),
      dueAt: z.date().nullable(),
      hours: z.number().nullable(),
      toBeConfirmed: z.boolean(),
      state: z.enum(['none', 'open', 'approaching', 'missed', 'met', 'late']),
      note: localized.nullable(),
    }),
    items: z.array(
      z.object({
        id: z.string(),
        label: localized,
        citation: z.string(),
        person: z.enum(['none', 'optional', 'required']),
        facts: z.array(z.string()),
        text: z.string().nullable(),
      }),
    ),
    missing: z.array(z.string()),
    waivedReason: z.string().nullable(),
    submission: z
      .object({
        at: z.date(),
        by: z.string().nullable(),
        channel: z.string(),
        reference: z.string().nullable(),
      })
      .nullable(),
    factsAt: z.date(),
    createdAt: z.date(),
    createdBy: z.string().nullable(),
    updatedAt: z.date(),
    version: z.number().int(),
  })
  .meta({ id: 'RegulatoryReport' });

export const reportListSchema = z
  .object({
    items: z.array(reportSchema),
    /** The server's clock, so a console can count down against it rather than its own. */
    serverTime: z.date(),
    warnFraction: z.number(),
  })
  .meta({ id: 'RegulatoryReportList' });

export const assessmentSchema = z
  .object({
    incidentId: z.string(),
    regimes: z.array(
      z.object({
        regimeId: z.string(),
        shortName: localized,
        enabled: z.boolean(),
        applies: z.boolean(),
        conditions: z.array(z.object({ group: z.enum(['all', 'any']), holds: z.boolean(), text: localized })),
      }),
    ),
    opened: z.array(z.string()),
  })
  .meta({ id: 'RegulatoryAssessment' });

export const reportUpdateSchema = z.object({
  expectedVersion: z.number().int().min(1),
  fields: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,47}$/), z.string().max(20_000)).optional(),
  status: z.enum(['draft', 'ready']).optional(),
  refreshFacts: z.boolean().optional(),
});

export const waiverSchema = z.object({
  expectedVersion: z.number().int().min(1),
  reason: z.string().trim().min(10).max(2000),
});

export const submissionSchema = z.object({
  expectedVersion: z.number().int().min(1),
  submittedAt: z.iso.datetime({ offset: true }),
  channel: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('How it was sent: the regulator’s portal, email, letter …'),
  reference: z.string().trim().max(200).nullable().default(null).describe('The regulator’s reference number'),
});

export const exportQuerySchema = z.object({ format: z.enum(EXPORT_FORMATS) });
