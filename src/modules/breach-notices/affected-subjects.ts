import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';

/**
 * What the breach-notices module needs to know of an incident (S4.1 → S4.2), as interfaces it defines and
 * the incidents module implements: the blast radius (who was exposed, which categories of their data) and
 * a summary of the incident. Incident ids are opaque text here; this module never reads incident tables.
 */
type Db = Kysely<Database>;

/** One exposed data subject: a vault data subject id (a customer's id) and catalogue category ids. */
export type AffectedSubject = {
  /** A vault data subject id (UUID); for customers, the customer's id. */
  subjectId: string;
  /** `DATA_CATEGORIES` ids (vault catalogue) of the fields of THIS subject that were exposed. */
  categories: string[];
};

export interface AffectedSubjectsSource {
  /**
   * A page of the incident's affected subjects in ascending `subjectId` order, starting after `after`
   * (exclusive; null for the first page), at most `limit`. Keyset paging: the sender stores the last id of
   * each page as its cursor, so the order must be stable and total. Runs in the caller's `db`
   * (a transaction).
   */
  affectedSubjects(
    db: Db,
    incidentId: string,
    after: string | null,
    limit: number,
  ): Promise<AffectedSubject[]>;
  /**
   * How many subjects are affected, for the progress bar. Optional: without it the sender counts by paging
   * through {@link affectedSubjects} once.
   */
  countAffectedSubjects?(db: Db, incidentId: string): Promise<number>;
  /**
   * One subject of the incident's current scope, or null when they are not (or no longer) in it: the
   * categories of THEIR exposed data, for the compensation claim form (issue 5 section 8). Optional: without
   * it the campaign's categories stand in.
   */
  affectedSubject?(db: Db, incidentId: string, subjectId: string): Promise<AffectedSubject | null>;
}

export type IncidentSummary = {
  /** The incident's public reference (letters, digits, dashes), shown to customers. */
  reference: string;
  title: string;
  /** Exercise mode (S2.5): a drill's notices are marked as such and never shown on the public page. */
  isDrill: boolean;
  /** The incident's state in the incidents module's words (e.g. `open`, `contained`, `closed`). */
  status: string;
};

export interface IncidentSummarySource {
  /** The incident's summary, or null when there is no such incident. */
  incidentSummary(db: Db, incidentId: string): Promise<IncidentSummary | null>;
}

export type BreachNoticeSources = {
  affected: AffectedSubjectsSource;
  incidents: IncidentSummarySource;
};
