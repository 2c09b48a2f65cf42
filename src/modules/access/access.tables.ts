import type { Generated } from 'kysely';

/** Tables of the access module (migration 2026-11-24T1300-access). */
export type AccessTables = {
  break_glass_grants: BreakGlassGrantsTable;
  security_alerts: SecurityAlertsTable;
};

export type BreakGlassGrantsTable = {
  id: string;
  user_id: string;
  /** Why the normal duty limits were not enough. Staff-written text: kept here, never copied to logs. */
  justification: string;
  granted_at: Generated<Date>;
  expires_at: Date;
  ended_at: Date | null;
};

export type SecurityAlertsTable = {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  /** The staff user the alert is about, by id. */
  subject_user_id: string | null;
  /** Codes and ids only. */
  details: Record<string, string | number | boolean | null>;
  created_at: Generated<Date>;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
};
