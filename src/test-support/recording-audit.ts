import type { Kysely } from 'kysely';
import type { Database } from '../db/database-schema.js';
import type { AuditEventInput, AuditRecorder } from '../modules/audit/audit-event.js';

/**
 * A test double for the audit log: keeps every event passed to it, noting whether it was recorded
 * inside a transaction. It does not know whether that transaction later committed; the audit module's
 * own tests cover that.
 */
export class RecordingAudit implements AuditRecorder {
  readonly events: (AuditEventInput & { inTransaction: boolean })[] = [];

  async record(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
    this.events.push({ ...event, inTransaction: db.isTransaction });
  }

  actions(): string[] {
    return this.events.map((event) => `${event.action}:${event.outcome}`);
  }
}
