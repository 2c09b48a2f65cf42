import { z } from 'zod';
import { STAFF_ROLES } from '../access/roles.js';
import { CN_GRADES, IMPACT_DIMENSIONS, SEVERITY_LEVELS } from './incident-severity.js';
import {
  CONTAINMENT_KINDS,
  CONTAINMENT_STATES,
  INCIDENT_KINDS,
  INCIDENT_STATES,
  NOTIFICATION_DECISIONS,
  TASK_SOURCES,
  TASK_STATES,
} from './incidents.tables.js';

/**
 * Zod schemas of the incidents API: they validate input and are the allow-list of what is sent back.
 * SECURITY: no personal data values anywhere here; subjects are ids, fields catalogue ids, names masked.
 */
const label = z.object({ 'zh-CN': z.string(), 'en-US': z.string() });
const rating = z.literal([0, 1, 2, 3, 4]);
const freeText = (max: number) => z.string().trim().max(max);
const detailValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const details = z.record(z.string(), detailValue);

export const impactSchema = z
  .object(
    Object.fromEntries(IMPACT_DIMENSIONS.map((dimension) => [dimension, rating])) as Record<
      (typeof IMPACT_DIMENSIONS)[number],
      typeof rating
    >,
  )
  .meta({ id: 'IncidentImpact', description: 'The five S1 impact dimensions, 0 (none) to 4 (severe)' });

export const declareSchema = z.object({
  title: z.string().trim().min(1).max(200).describe('What happened, without personal data'),
  kind: z.enum(INCIDENT_KINDS),
  isDrill: z.boolean().default(false).describe('An exercise on demo data: containment is only simulated'),
  summary: freeText(5_000).optional(),
  detectedAt: z.iso.datetime({ offset: true }).optional(),
  startedAt: z.iso.datetime({ offset: true }).optional(),
  impact: impactSchema.optional(),
  estimatedSubjects: z.number().int().min(0).max(10_000_000_000).nullable().optional(),
  sourceAlertId: z.string().min(1).max(100).optional().describe('The detection alert escalated'),
});

export const updateSchema = z.object({
  title: z.string().trim().min(1).max(200).optional(),
  summary: freeText(5_000).optional(),
  impact: impactSchema.optional(),
  estimatedSubjects: z.number().int().min(0).max(10_000_000_000).nullable().optional(),
  raisedGrade: z
    .object({ grade: z.enum(CN_GRADES), reason: z.string().trim().min(5).max(500) })
    .nullable()
    .optional()
    .describe(
      'Raise the Chinese grade above the one computed from people affected (never lower), with the reason; null withdraws it',
    ),
  startedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  version: z.number().int().positive(),
});

export const transitionSchema = z.object({
  to: z.enum(INCIDENT_STATES),
  reason: freeText(1_000).nullable().optional(),
  version: z.number().int().positive(),
});

export const notificationDecisionSchema = z.object({
  decision: z.enum(['notify', 'not-required']),
  reasons: z.string().trim().min(1).max(5_000).describe('Why, for the breach register (GDPR Art. 33(5))'),
});

export const newTaskSchema = z.object({
  title: z.string().trim().min(1).max(300),
  source: z.enum(['remedial', 'regulator']).default('remedial'),
  ownerRole: z.enum(STAFF_ROLES),
  ownerId: z.uuid().nullable().optional(),
  dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

export const taskChangeSchema = z.object({
  state: z.enum(TASK_STATES).optional(),
  evidence: freeText(5_000).optional().describe('What was done and where the proof is kept'),
  ownerId: z.uuid().nullable().optional(),
  dueAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

export const reviewSchema = z.object({
  cause: z.string().trim().min(1).max(5_000),
  whatWorked: z.string().trim().min(1).max(5_000),
  lessons: z.string().trim().min(1).max(5_000),
  followUps: z
    .array(
      z.object({
        title: z.string().trim().min(1).max(300),
        ownerRole: z.enum(STAFF_ROLES),
        dueAt: z.iso.datetime({ offset: true }).nullable().default(null),
      }),
    )
    .max(50)
    .default([]),
});

const ids = (max: number, item: z.ZodString) => z.array(item).max(max).default([]);
export const scopeCriteriaSchema = z.object({
  userIds: ids(100, z.string().min(1).max(100)).describe(
    'Staff user ids (or customer ids) as the audit log names actors',
  ),
  apiTokenIds: ids(100, z.string().min(1).max(100)),
  sessionIds: ids(200, z.string().min(1).max(100)),
  ipAddresses: ids(200, z.string().min(2).max(64)),
  resources: z
    .array(z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(200) }))
    .max(200)
    .default([]),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});

export const exportRequestSchema = z.object({
  password: z
    .string()
    .min(16)
    .max(200)
    .describe(
      'Chosen for this file and never stored: whoever opens the file needs it (see docs/incidents.md)',
    ),
});

export const containmentSchema = z.object({
  kind: z.enum(CONTAINMENT_KINDS),
  userId: z.uuid().nullable().optional(),
  scopeVersion: z.number().int().positive().nullable().optional(),
  subjectIds: z.array(z.uuid()).max(10_000).nullable().optional(),
});

export const reversalRequestSchema = z.object({ reason: z.string().trim().min(1).max(1_000) });

// ---- responses ------------------------------------------------------------------------------------

const reasonSchema = z.object({
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  text: label,
});

export const assessmentSchema = z
  .object({
    impact: impactSchema,
    subjects: z.object({
      count: z.number(),
      source: z.enum(['scope', 'estimate', 'none']),
      scopeVersion: z.number().nullable(),
    }),
    sensitiveCategories: z.array(z.string()),
    sensitiveSubjects: z.number(),
    level: z.enum(SEVERITY_LEVELS),
    grade: z.enum(CN_GRADES),
    gradeLabel: label,
    levelReasons: z.array(reasonSchema),
    gradeReasons: z.array(reasonSchema),
  })
  .meta({ id: 'IncidentSeverity' });

const notificationSchema = z.object({
  decision: z.enum(NOTIFICATION_DECISIONS),
  reasons: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
});

export const incidentSummarySchema = z
  .object({
    id: z.string(),
    reference: z.string(),
    title: z.string(),
    kind: z.enum(INCIDENT_KINDS),
    isDrill: z.boolean(),
    state: z.enum(INCIDENT_STATES),
    declaredAt: z.date(),
    detectedAt: z.date(),
    containedAt: z.date().nullable(),
    closedAt: z.date().nullable(),
    notification: notificationSchema,
    severity: z.object({ level: z.enum(SEVERITY_LEVELS), grade: z.enum(CN_GRADES), subjects: z.number() }),
  })
  .meta({ id: 'IncidentSummary' });

export const taskSchema = z
  .object({
    id: z.string(),
    source: z.enum(TASK_SOURCES),
    stepKey: z.string().nullable(),
    title: label,
    ownerRole: z.string(),
    ownerId: z.string().nullable(),
    dueAt: z.date().nullable(),
    state: z.enum(TASK_STATES),
    evidence: z.string(),
    doneBy: z.string().nullable(),
    doneAt: z.date().nullable(),
    overdue: z.boolean(),
  })
  .meta({ id: 'IncidentTask' });

export const containmentActionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(CONTAINMENT_KINDS),
    target: details,
    result: details,
    simulated: z.boolean(),
    reversible: z.boolean(),
    state: z.enum(CONTAINMENT_STATES),
    takenBy: z.string(),
    takenAt: z.date(),
    reversalRequestedBy: z.string().nullable(),
    reversalRequestedAt: z.date().nullable(),
    reversalReason: z.string().nullable(),
    reversedBy: z.string().nullable(),
    reversedAt: z.date().nullable(),
  })
  .meta({ id: 'ContainmentAction' });

export const reviewResponseSchema = z.object({
  cause: z.string(),
  whatWorked: z.string(),
  lessons: z.string(),
  followUps: z.array(z.object({ title: z.string(), ownerRole: z.string(), dueAt: z.string().nullable() })),
  recordedBy: z.string(),
  recordedAt: z.date(),
});

export const incidentDetailSchema = incidentSummarySchema
  .extend({
    summary: z.string(),
    sourceAlertId: z.string().nullable(),
    declaredBy: z.string(),
    startedAt: z.date().nullable(),
    impact: impactSchema,
    estimatedSubjects: z.number().nullable(),
    raisedGrade: z.object({ grade: z.enum(CN_GRADES), reason: z.string() }).nullable(),
    playbookVersion: z.number().int(),
    version: z.number().int(),
    assessment: assessmentSchema,
    tasks: z.array(taskSchema),
    containment: z.array(containmentActionSchema),
    scopes: z.array(
      z.object({
        version: z.number().int(),
        subjects: z.number(),
        events: z.number(),
        createdAt: z.date(),
        createdBy: z.string(),
      }),
    ),
    review: reviewResponseSchema.nullable(),
    allowedTransitions: z.array(z.object({ to: z.enum(INCIDENT_STATES), blockers: z.array(z.string()) })),
  })
  .meta({ id: 'Incident' });

export const timelineEntrySchema = z
  .object({
    id: z.number(),
    at: z.date(),
    actor: z.object({ type: z.string(), id: z.string().nullable(), role: z.string().nullable() }),
    entry: z.string(),
    details,
  })
  .meta({ id: 'IncidentTimelineEntry' });

export const scopeSummarySchema = z.object({
  subjects: z.number(),
  events: z.number(),
  unmaskedSubjects: z.number(),
  sensitiveSubjects: z.number(),
  bySensitivity: z.object({ sensitive: z.number(), other: z.number() }),
  byCategory: z.array(z.object({ category: z.string(), subjects: z.number() })),
  byField: z.array(
    z.object({
      field: z.string(),
      category: z.string(),
      sensitive: z.boolean(),
      subjects: z.number(),
      unmaskedSubjects: z.number(),
    }),
  ),
  sensitiveCategories: z.array(z.string()),
  idNumbersExposed: z.boolean(),
  firstExposureAt: z.string().nullable(),
  lastExposureAt: z.string().nullable(),
  decoySubjects: z
    .number()
    .int()
    .optional()
    .describe('Honeytoken customers touched: evidence, left out of the people affected'),
});

export const scopeSchema = z
  .object({
    version: z.number().int(),
    criteria: z.object({
      userIds: z.array(z.string()),
      apiTokenIds: z.array(z.string()),
      sessionIds: z.array(z.string()),
      ipAddresses: z.array(z.string()),
      resources: z.array(z.object({ type: z.string(), id: z.string() })),
      from: z.string(),
      to: z.string(),
    }),
    summary: scopeSummarySchema,
    subjects: z.number(),
    events: z.number(),
    computedMs: z.number(),
    createdBy: z.string(),
    createdAt: z.date(),
  })
  .meta({ id: 'IncidentScope' });

export const affectedSubjectSchema = z
  .object({
    subjectId: z.string(),
    maskedName: z.string().nullable().describe('Masked by the catalogue rule; read through the vault'),
    fields: z.array(z.string()),
    unmaskedFields: z.array(z.string()),
    categories: z.array(z.string()),
    sensitive: z.boolean(),
    events: z.number(),
    firstAt: z.date(),
    lastAt: z.date(),
  })
  .meta({ id: 'AffectedSubject' });

export const forensicEventSchema = z
  .object({
    seq: z.number(),
    ts: z.string(),
    actor: z.object({
      type: z.string(),
      id: z.string().nullable(),
      role: z.string().nullable(),
      sessionId: z.string().nullable(),
      ip: z.string().nullable(),
    }),
    action: z.string(),
    resource: z.object({ type: z.string(), id: z.string().nullable() }),
    dataSubjectId: z.string().nullable(),
    fields: z.array(z.string()),
    purpose: z.string().nullable(),
    outcome: z.string(),
  })
  .meta({ id: 'ForensicEvent' });

export const playbookSchema = z
  .object({
    kind: z.enum(INCIDENT_KINDS),
    version: z.number().int(),
    labels: label,
    steps: z.array(z.object({ key: z.string(), title: label, ownerRole: z.string(), dueHours: z.number() })),
    updatedBy: z.string().nullable(),
    updatedAt: z.date().nullable(),
  })
  .meta({ id: 'IncidentPlaybook' });
