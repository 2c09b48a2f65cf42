import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database-schema.js';
import type { AuditEventInput, AuditRecorder } from '../modules/audit/audit-event.js';

/**
 * An {@link AuditRecorder} for tests of modules that record events, until the real audit log exists: it
 * writes to a small table in the caller's transaction, exactly as the contract says, so a test can prove
 * that a rolled-back read leaves no record and a committed one does. `failNext` makes writes fail.
 */
export type RecordedEvent = {
  action: string;
  actorId: string | null;
  dataSubjectId: string | null;
  fields: string[];
  purpose: string | null;
  outcome: string;
  resourceType: string;
  resourceId: string | null;
  details: Record<string, unknown>;
};

export class TestAuditRecorder implements AuditRecorder {
  failing = false;

  static async install(db: Kysely<Database>): Promise<TestAuditRecorder> {
    await sql`create table if not exists test_audit_events (
      id serial primary key,
      event jsonb not null
    )`.execute(db);
    return new TestAuditRecorder();
  }

  async record(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
    if (this.failing) throw new Error('audit log unavailable (test)');
    const row: RecordedEvent = {
      action: event.action,
      actorId: event.actor.id,
      dataSubjectId: event.dataSubjectId,
      fields: [...event.fields],
      purpose: event.purpose,
      outcome: event.outcome,
      resourceType: event.resource.type,
      resourceId: event.resource.id,
      details: { ...event.details },
    };
    await sql`insert into test_audit_events (event) values (${JSON.stringify(row)}::jsonb)`.execute(db);
  }

  async events(db: Kysely<Database>): Promise<RecordedEvent[]> {
    const { rows } = await sql<{
      event: RecordedEvent;
    }>`select event from test_audit_events order by id`.execute(db);
    return rows.map((row) => row.event);
  }

  async clear(db: Kysely<Database>): Promise<void> {
    await sql`delete from test_audit_events`.execute(db);
  }
}
