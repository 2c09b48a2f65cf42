import type { ColumnType, Generated } from 'kysely';

/**
 * Tables of the incidents module (migration 2026-11-25T0400-incidents). Only `incidents.repository.ts`
 * reads or writes them. SECURITY: no personal data here: subjects by internal id, fields by catalogue id.
 */
export type IncidentsTables = {
  incidents: IncidentsTable;
  incident_timeline: IncidentTimelineTable;
  incident_playbooks: IncidentPlaybooksTable;
  incident_tasks: IncidentTasksTable;
  incident_scopes: IncidentScopesTable;
  incident_scope_subjects: IncidentScopeSubjectsTable;
  incident_containment_actions: IncidentContainmentActionsTable;
  incident_subject_controls: IncidentSubjectControlsTable;
  incident_reviews: IncidentReviewsTable;
};

/** jsonb: written as a JSON string, read back as the value. */
type Json<T> = ColumnType<T, string, string>;
type BigCount = ColumnType<number | bigint | string, number, number>;

export const INCIDENT_KINDS = [
  'insider-misuse',
  'stolen-credentials',
  'external-intrusion',
  'misdirected-documents',
  'processor-leak',
  'lost-device',
  'ransomware',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const INCIDENT_STATES = [
  'declared',
  'investigating',
  'contained',
  'notifying',
  'remediating',
  'closed',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const NOTIFICATION_DECISIONS = ['undecided', 'notify', 'not-required'] as const;
export type NotificationDecision = (typeof NOTIFICATION_DECISIONS)[number];

export type IncidentsTable = {
  id: string;
  reference: string;
  title: string;
  kind: IncidentKind;
  is_drill: boolean;
  state: IncidentState;
  source_alert_id: string | null;
  summary: Generated<string>;
  declared_by: string;
  declared_at: Date;
  detected_at: Date;
  started_at: Date | null;
  contained_at: Date | null;
  closed_at: Date | null;
  impact: Json<Record<string, number>>;
  estimated_subjects: ColumnType<number | bigint | string | null, number | null, number | null>;
  /** A grade the officer raised the computed one to (CnGrade), with the reason; never lower than computed. */
  raised_grade: string | null;
  raised_grade_reason: string | null;
  notification_decision: Generated<NotificationDecision>;
  notification_reasons: Generated<string>;
  notification_decided_by: string | null;
  notification_decided_at: Date | null;
  playbook_version: number;
  version: Generated<number>;
  updated_at: Generated<Date>;
};

export type IncidentTimelineTable = {
  id: Generated<number | bigint>;
  incident_id: string;
  at: Generated<Date>;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  entry: string;
  details: Json<Record<string, string | number | boolean | null>>;
};

export type IncidentPlaybooksTable = {
  kind: string;
  version: number;
  labels: Json<unknown>;
  steps: Json<unknown>;
  updated_by: string | null;
  updated_at: Generated<Date>;
};

export const TASK_SOURCES = ['playbook', 'remedial', 'regulator', 'follow-up'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];
export const TASK_STATES = ['open', 'done', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export type IncidentTasksTable = {
  id: string;
  incident_id: string;
  source: TaskSource;
  step_key: string | null;
  title: Json<{ 'zh-CN': string; 'en-US': string }>;
  owner_role: string;
  owner_id: string | null;
  due_at: Date | null;
  state: TaskState;
  evidence: Generated<string>;
  done_by: string | null;
  done_at: Date | null;
  position: number;
  created_by: string;
  created_at: Generated<Date>;
};

export type IncidentScopesTable = {
  incident_id: string;
  version: number;
  criteria: Json<unknown>;
  summary: Json<unknown>;
  subjects: BigCount;
  events: BigCount;
  computed_ms: number;
  created_by: string;
  created_at: Generated<Date>;
};

export type IncidentScopeSubjectsTable = {
  incident_id: string;
  version: number;
  subject_id: string;
  fields: string[];
  unmasked_fields: string[];
  events: number;
  first_at: Date;
  last_at: Date;
};

export const CONTAINMENT_KINDS = [
  'suspend-user',
  'revoke-sessions',
  'revoke-api-tokens',
  'freeze-records',
  'block-exports',
  'rotate-keys',
  'hold-changes',
] as const;
export type ContainmentKind = (typeof CONTAINMENT_KINDS)[number];
export const CONTAINMENT_STATES = ['active', 'done', 'reversal-requested', 'reversed'] as const;
export type ContainmentState = (typeof CONTAINMENT_STATES)[number];

export type IncidentContainmentActionsTable = {
  id: string;
  incident_id: string;
  kind: ContainmentKind;
  target: Json<Record<string, string | number | boolean | null>>;
  result: Json<Record<string, string | number | boolean | null>>;
  simulated: boolean;
  reversible: boolean;
  state: ContainmentState;
  taken_by: string;
  taken_at: Date;
  reversal_requested_by: string | null;
  reversal_requested_at: Date | null;
  reversal_reason: string | null;
  reversed_by: string | null;
  reversed_at: Date | null;
};

export type SubjectControlKind = 'freeze' | 'change-hold';

export type IncidentSubjectControlsTable = {
  action_id: string;
  subject_id: string;
  kind: SubjectControlKind;
  lifted_at: Date | null;
};

export type IncidentReviewsTable = {
  incident_id: string;
  cause: string;
  what_worked: string;
  lessons: string;
  follow_ups: Json<unknown>;
  recorded_by: string;
  recorded_at: Date;
};
