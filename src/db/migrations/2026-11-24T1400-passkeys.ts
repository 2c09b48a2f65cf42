import { type Kysely, sql } from 'kysely';

// Forward-only (see 2026-11-24T0900-installation.ts). Passkeys (WebAuthn) as a second factor for staff
// (S3.3): the registered credentials, and the one-time challenges of ceremonies under way.

// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('staff_users.id'))
    // The authenticator's credential id, base64url: how a response names the key it signed with.
    .addColumn('credential_id', 'text', (col) => col.notNull().unique())
    // COSE-encoded public key, as the authenticator gave it.
    .addColumn('public_key', 'bytea', (col) => col.notNull())
    .addColumn('counter', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('transports', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('device_name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_user_idx')
    .on('webauthn_credentials')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('staff_users.id'))
    // The session the ceremony runs in: a challenge is answered in the session that asked for it.
    .addColumn('session_id', 'uuid', (col) => col.notNull().references('staff_sessions.id'))
    .addColumn('purpose', 'text', (col) =>
      col.notNull().check(sql`purpose in ('registration', 'authentication')`),
    )
    .addColumn('challenge', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('webauthn_challenges_session_purpose', ['session_id', 'purpose'])
    .execute();
}
