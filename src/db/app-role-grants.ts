import { type Kysely, sql } from 'kysely';
import type { Database } from './database-schema.js';

/**
 * Grants for running ClaimGuard on PostgreSQL as a role that does not own its tables: the owner runs the
 * migrations, the application connects as this role. It may read and write everything it needs, but
 * cannot UPDATE, DELETE or TRUNCATE the audit log (S6.1): the triggers stop mistakes, these grants stop
 * even someone who could disable triggers as the table owner but only holds the application's login.
 * Run again after migrations that add tables (`claimguard db grant-app-role`).
 */
export const APPEND_ONLY_TABLES = ['audit_events', 'audit_tree_nodes', 'audit_checkpoints'] as const;

export function appRoleGrantStatements(role: string, schema: string): string[] {
  const r = quoteIdentifier(role);
  const s = quoteIdentifier(schema);
  return [
    `grant usage on schema ${s} to ${r}`,
    `grant select, insert, update, delete on all tables in schema ${s} to ${r}`,
    `grant usage, select on all sequences in schema ${s} to ${r}`,
    `revoke update, delete, truncate on ${APPEND_ONLY_TABLES.map((table) => `${s}.${table}`).join(', ')} from ${r}`,
    // The inbox is a queue the sequencer empties.
    `grant select, insert, delete on ${s}.audit_inbox to ${r}`,
  ];
}

export async function grantAppRole(
  db: Kysely<Database>,
  role: string,
): Promise<{ schema: string; statements: string[] }> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  const statements = appRoleGrantStatements(role, schema);
  await db.transaction().execute(async (trx) => {
    for (const statement of statements) await sql.raw(statement).execute(trx);
  });
  return { schema, statements };
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`"${name}" is not a plain identifier (lower-case letters, digits, _)`);
  }
  return `"${name}"`;
}
