import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';

/**
 * What an audit event says (S6.1, S4.1). Shared by every module that records one; the audit module
 * stores it in the tamper-evident log. SECURITY: nothing here may carry personal data: people are named
 * by internal ids, fields by their catalogue ids, and `details` holds codes and counts, never values.
 */
export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const ACTOR_TYPES = ['staff', 'customer', 'api-token', 'system', 'external-party'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export type AuditActor = {
  type: ActorType;
  /** Internal id of the user, customer, token or party; null for the system itself. */
  id: string | null;
  /** The role the actor acted in (e.g. 'adjuster'), when it has one. */
  role: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
};

export type AuditEventInput = {
  actor: AuditActor;
  /** Dotted verb, e.g. 'personal-data.read', 'personal-data.unmask', 'auth.login', 'keys.rotate'. */
  action: string;
  resource: { type: string; id: string | null };
  /** The data subject whose personal data was touched, by internal id. */
  dataSubjectId: string | null;
  /** Catalogue field ids touched (e.g. 'customer.id_number'). */
  fields: readonly string[];
  /** Purpose from the catalogue, for reads of personal data. */
  purpose: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  details?: Readonly<Record<string, string | number | boolean | null>>;
};

/**
 * Records an event inside the caller's transaction: if the caller's work commits, so does its record,
 * and if the record cannot be written, the caller's work fails with it. No disclosure without a record.
 */
export interface AuditRecorder {
  record(db: Kysely<Database>, event: AuditEventInput): Promise<void>;
}

/**
 * A recorder that can also write an event inside another module's statement, as a data-modifying CTE:
 * the statement's rows and the event then commit together in one round trip, with no transaction around
 * them. The vault releases a data subject's key this way (one statement for the key and the read's audit
 * event, issue 4 §11): the key never leaves the database unless the event is written.
 */
export interface StatementAuditRecorder extends AuditRecorder {
  /** The event checked against the contract, as the JSON text {@link inboxInsertSql} reads. */
  serialise(event: AuditEventInput): string;
  /** SQL inserting the JSON event held in `parameter` (e.g. `$2`); a WHERE clause may follow it. */
  inboxInsertSql(parameter: string): string;
}

export function recordsInStatements(recorder: AuditRecorder): recorder is StatementAuditRecorder {
  return 'serialise' in recorder && 'inboxInsertSql' in recorder;
}

export const SYSTEM_ACTOR: AuditActor = {
  type: 'system',
  id: null,
  role: null,
  sessionId: null,
  ip: null,
  userAgent: null,
};
