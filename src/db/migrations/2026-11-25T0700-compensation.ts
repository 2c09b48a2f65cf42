import { type Kysely, sql } from 'kysely';

/**
 * Compensation claims for a data leak (issue 5 section 8, S4.2): a claim filed from a breach notice carries
 * the incident's public reference. Owned by the claims module (src/modules/claims/claims.tables.ts); set
 * only when the breach-notices module confirmed that the claimant was affected. At most one OPEN
 * compensation claim per customer per incident: a unique index over the claims not yet finished.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('claims').addColumn('incident_reference', 'text').execute();
  await sql`create unique index claims_open_compensation_idx on claims (claimant_id, incident_reference)
    where incident_reference is not null and state not in ('closed', 'rejected', 'withdrawn')`.execute(db);
  await sql`create index claims_incident_reference_idx on claims (incident_reference)
    where incident_reference is not null`.execute(db);
}
