import type { Generated } from 'kysely';

/**
 * Tables of the detection module (migration 2026-11-25T0300-detection), spread into `Database`. Only
 * `detection.repository.ts` reads or writes them.
 */
export type DetectionTables = {
  detection_rules: DetectionRulesTable;
  detection_cursor: DetectionCursorTable;
  detection_alerts: DetectionAlertsTable;
  detection_honeytokens: DetectionHoneytokensTable;
};

export type DetectionRulesTable = {
  id: string;
  enabled: boolean;
  severity: 'low' | 'medium' | 'high' | 'critical';
  window_minutes: number;
  /** Staff roles the rule watches (jsonb array); empty: every role. */
  roles: string[];
  /** The rule's own thresholds (jsonb), checked against its schema in detection-rules.ts. */
  thresholds: Record<string, unknown>;
  updated_at: Generated<Date>;
  updated_by: string | null;
};

/** The last audit seq the engine evaluated; moves with the alerts of the events up to it. */
export type DetectionCursorTable = {
  name: string;
  last_seq: number | bigint;
  updated_at: Generated<Date>;
};

export type DetectionAlertsTable = {
  id: string;
  rule_id: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  status: Generated<'open' | 'acknowledged' | 'dismissed' | 'escalated'>;
  actor_type: string | null;
  actor_id: string | null;
  actor_role: string | null;
  dedup_key: string;
  window_start: Date;
  first_seq: number | bigint;
  last_seq: number | bigint;
  first_event_at: Date;
  last_event_at: Date;
  /** Seqs of the audit events that make the case (jsonb array, at most 200). */
  evidence_seqs: number[];
  hit_count: number;
  /** Codes and counts only. */
  details: Record<string, string | number | boolean | null>;
  honeytoken_id: string | null;
  assignee_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  dismissed_at: Date | null;
  dismissed_by: string | null;
  dismiss_reason: string | null;
  escalated_at: Date | null;
  escalated_by: string | null;
  incident_id: string | null;
};

export type DetectionHoneytokensTable = {
  id: string;
  kind: 'customer' | 'claim';
  subject_id: string;
  claim_id: string | null;
  claim_number: string | null;
  recipient_kind: 'none' | 'staff' | 'external';
  recipient_user_id: string | null;
  recipient_label: string | null;
  recipient_party_kind: string | null;
  plant_request_id: string;
  planted_by: string;
  planted_at: Generated<Date>;
  note: string | null;
};
