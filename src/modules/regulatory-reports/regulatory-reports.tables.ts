import type { ColumnType, Generated } from 'kysely';
import type { RegimeDefinition, ReportKind } from './regime-definition.js';

/**
 * Tables of the regulatory-reports module (migration 2026-11-25T0500-regulatory-reports). Only
 * `regulatory-reports.repository.ts` reads or writes them. Incidents are referred to by id as plain text:
 * the incidents module owns them, and this module reads their facts through its service only.
 *
 * SECURITY: no customer's personal data is stored here. Facts are counts, categories and times; the
 * person-written fields are meant for the insurer's own statements and contact points (the console says
 * so), and every change to a report is audited with the ids of the fields changed, never their text.
 */
export type RegulatoryReportsTables = {
  regulatory_regimes: RegulatoryRegimesTable;
  regulatory_reports: RegulatoryReportsTable;
};

type Json<T> = ColumnType<T, string, string>;

export const REPORT_STATUSES = ['draft', 'ready', 'submitted', 'waived'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export type RegulatoryRegimesTable = {
  /** A slug such as `cac-incident-2025`. */
  id: string;
  /** Starts at 1; every edit adds one (optimistic locking, and reports record the version they used). */
  version: number;
  enabled: boolean;
  /** Shipped with ClaimGuard (may be edited and disabled, not deleted). */
  builtin: boolean;
  /** Validated by `regimeDefinitionSchema` on every write. */
  definition: Json<RegimeDefinition>;
  updated_at: Generated<Date>;
  /** Staff user id of the last editor; null for the shipped definition. */
  updated_by: string | null;
};

/** Facts, dates as ISO strings (as they are stored in JSON). */
export type StoredFacts = Record<string, unknown>;

export type RegulatoryReportsTable = {
  id: string;
  /** The incident (incidents module), as plain text: no foreign key to a table this module does not own. */
  incident_id: string;
  incident_reference: string;
  regime_id: string;
  regime_version: number;
  /** The regime's definition when the report was opened. */
  regime: Json<RegimeDefinition>;
  kind: ReportKind;
  /** Updates and summaries link to the first report of their incident and regime. */
  parent_id: string | null;
  /** 0 for initial and summary reports; 1, 2, … for updates. */
  sequence: number;
  language: 'zh-CN' | 'en-US';
  is_drill: boolean;
  status: ReportStatus;
  /** When the deadline's clock started; null until its anchor happens. */
  starts_at: Date | null;
  due_at: Date | null;
  /** The hours that applied, in minutes (an override's where one held); null without a deadline. */
  deadline_minutes: number | null;
  deadline_to_be_confirmed: boolean;
  /** The incident's facts as last read (refreshed while the report is a draft). */
  facts: Json<StoredFacts>;
  facts_at: Date;
  /** What a person wrote, by content item id. */
  fields: Json<Record<string, string>>;
  waived_reason: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  submission_channel: string | null;
  submission_reference: string | null;
  /** Deadline alerts sent (each once). */
  approach_alerted_at: Date | null;
  missed_alerted_at: Date | null;
  created_at: Generated<Date>;
  /** Staff user id; null when opened by the system (on declaration). */
  created_by: string | null;
  updated_at: Generated<Date>;
  version: Generated<number>;
};
