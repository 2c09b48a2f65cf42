import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('break_glass_grants')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('staff_users.id'))
    .addColumn('justification', 'text', (col) => col.notNull())
    .addColumn('granted_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('break_glass_grants_user_idx')
    .on('break_glass_grants')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('security_alerts')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('severity', 'text', (col) =>
      col.notNull().check(sql`severity in ('info', 'warning', 'critical')`),
    )
    .addColumn('subject_user_id', 'uuid')
    .addColumn('details', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('acknowledged_by', 'uuid')
    .addColumn('acknowledged_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('security_alerts_created_idx')
    .on('security_alerts')
    .column('created_at')
    .execute();
}
