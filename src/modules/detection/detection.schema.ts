import { z } from 'zod';
import { STAFF_ROLES } from '../access/roles.js';
import { ALERT_STATUSES } from './detection.service.js';
import { RULE_IDS, SEVERITIES } from './detection-rules.js';
import { HONEYTOKEN_PARTY_KINDS } from './honeytokens.service.js';

/**
 * Zod schemas of the detection API (S2.3, S13.4, S13.5); they validate input and are the allow-list of what
 * is sent back. SECURITY: alerts and evidence carry ids, codes and counts; a honeytoken's decoy values
 * appear only in the answer to its planting.
 */
const detailValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(200)
    .transform((value) => value.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const ruleSchema = z
  .object({
    id: z.enum(RULE_IDS),
    enabled: z.boolean(),
    severity: z.enum(SEVERITIES),
    windowMinutes: z.number().int(),
    roles: z.array(z.enum(STAFF_ROLES)),
    thresholds: z.record(z.string(), z.unknown()),
    updatedAt: z.date().nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'DetectionRule' });

export const ruleChangeSchema = z.strictObject({
  enabled: z.boolean().optional(),
  severity: z.enum(SEVERITIES).optional(),
  windowMinutes: z.number().int().min(1).max(43_200).optional(),
  roles: z.array(z.enum(STAFF_ROLES)).max(STAFF_ROLES.length).optional(),
  thresholds: z.record(z.string(), z.unknown()).optional(),
});

export const alertSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(ALERT_STATUSES as unknown as ['open', 'acknowledged', 'dismissed', 'escalated']),
    actor: z.object({ type: z.string().nullable(), id: z.string().nullable(), role: z.string().nullable() }),
    windowStart: z.date(),
    firstSeq: z.number().int(),
    lastSeq: z.number().int(),
    firstEventAt: z.date(),
    lastEventAt: z.date(),
    evidenceSeqs: z.array(z.number().int()),
    hitCount: z.number().int(),
    details: z.record(z.string(), detailValue),
    honeytokenId: z.string().nullable(),
    assigneeId: z.string().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
    acknowledgedAt: z.date().nullable(),
    acknowledgedBy: z.string().nullable(),
    dismissedAt: z.date().nullable(),
    dismissedBy: z.string().nullable(),
    dismissReason: z.string().nullable(),
    escalatedAt: z.date().nullable(),
    escalatedBy: z.string().nullable(),
    incidentId: z.string().nullable(),
  })
  .meta({ id: 'DetectionAlert' });

export const evidenceSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.object({
    type: z.string(),
    id: z.string().nullable(),
    role: z.string().nullable(),
    ip: z.string().nullable(),
  }),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string().nullable() }),
  dataSubjectId: z.string().nullable(),
  fields: z.array(z.string()),
  purpose: z.string().nullable(),
  outcome: z.string(),
  details: z.record(z.string(), detailValue),
});

export const alertDetailSchema = alertSchema.extend({ evidence: z.array(evidenceSchema) });

export const alertListQuerySchema = z.object({
  status: csv(ALERT_STATUSES as unknown as ['open', 'acknowledged', 'dismissed', 'escalated']).optional(),
  severity: csv(SEVERITIES).optional(),
  ruleId: z.enum(RULE_IDS).optional(),
  actorId: z.string().min(1).max(200).optional(),
  assigneeId: z.uuid().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const dismissSchema = z.object({ reason: z.string().trim().min(5).max(1000) });
export const assignSchema = z.object({ assigneeId: z.uuid().nullable() });

const recipientSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('staff'), userId: z.uuid() }),
  z.object({
    kind: z.literal('external'),
    label: z.string().trim().min(1).max(200),
    partyKind: z.enum(HONEYTOKEN_PARTY_KINDS),
  }),
]);

export const plantSchema = z.object({
  kind: z.enum(['customer', 'claim']),
  recipient: recipientSchema,
  productLine: z.enum(['motor', 'health', 'property', 'life', 'accident', 'cyber']).optional(),
  branch: z.string().trim().min(1).max(50).nullable().optional(),
  note: z.string().trim().max(500).nullable().optional(),
});

export const honeytokenSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['customer', 'claim']),
    subjectId: z.string(),
    claimId: z.string().nullable(),
    claimNumber: z.string().nullable(),
    recipient: z.union([
      z.object({ kind: z.literal('none') }),
      z.object({ kind: z.literal('staff'), userId: z.string() }),
      z.object({ kind: z.literal('external'), label: z.string(), partyKind: z.string().nullable() }),
    ]),
    plantedBy: z.string(),
    plantedAt: z.date(),
    note: z.string().nullable(),
    alerts: z.number().int(),
    lastTouchAt: z.date().nullable(),
  })
  .meta({ id: 'Honeytoken' });

/** The decoy's fictitious values, in the planting's answer only. */
export const plantedSchema = honeytokenSchema.extend({
  decoy: z.object({
    name: z.string(),
    idNumber: z.string(),
    phone: z.string(),
    email: z.string(),
    address: z.string(),
  }),
});

export const lookupSchema = z.object({ value: z.string().trim().min(4).max(200) });

export const lookupResultSchema = z.object({
  items: z.array(
    z.object({
      honeytoken: honeytokenSchema,
      matchedOn: z.enum(['claim-number', 'phone', 'id-number', 'email']),
    }),
  ),
});

export const riskQuerySchema = z.object({ hours: z.coerce.number().int().min(1).max(336).default(24) });

export const riskSummarySchema = z
  .object({
    generatedAt: z.date(),
    hours: z.number().int(),
    volume: z.array(z.object({ hour: z.date(), accesses: z.number().int(), denials: z.number().int() })),
    alertsByRule: z.array(z.object({ ruleId: z.string(), severity: z.string(), count: z.number().int() })),
    alertsBySeverity: z.array(z.object({ severity: z.string(), count: z.number().int() })),
    openAlerts: z.number().int(),
    riskiestUsers: z.array(
      z.object({
        actorId: z.string(),
        role: z.string().nullable(),
        score: z.number(),
        alerts: z.number().int(),
        critical: z.number().int(),
        lastAlertAt: z.date(),
      }),
    ),
    earlyWarnings: z.array(
      z.object({
        actorId: z.string(),
        role: z.string().nullable(),
        gauge: z.enum(['bulk-access', 'unmask-spike', 'repeated-denials']),
        value: z.number().int(),
        limit: z.number().int(),
        ratio: z.number(),
      }),
    ),
    engine: z.object({ evaluatedUpTo: z.number().int(), logHead: z.number().int(), lag: z.number().int() }),
  })
  .meta({ id: 'RiskSummary' });
