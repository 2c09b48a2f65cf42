import { type Kysely, sql } from 'kysely';

/**
 * Staff work email addresses (issue 5 section 1, S2.3): where security officers are told of alerts. Owned
 * by the identity module (src/modules/identity/identity.tables.ts). A staff email is personal data: the
 * address is stored only sealed with the identity key (`email_sealed`, AES-256-GCM, bound to the user's
 * id), beside a keyed HMAC of the normalised address (`email_hmac`) that finds a staff user by address and
 * keeps two accounts from sharing one. Both null: no address.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('staff_users')
    .addColumn('email_sealed', 'text')
    .addColumn('email_hmac', 'text')
    .execute();
  await db.schema
    .createIndex('staff_users_email_hmac_idx')
    .unique()
    .on('staff_users')
    .column('email_hmac')
    .execute();
  await sql`alter table staff_users add constraint staff_users_email_pair
    check ((email_sealed is null) = (email_hmac is null))`.execute(db);
}
