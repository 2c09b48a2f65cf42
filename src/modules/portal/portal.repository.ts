import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { PortalSessionsTable } from './portal.tables.js';

/** The portal's SQL. Columns are listed explicitly; password hashes leave only via `accountsForLogin`. */
type Db = Kysely<Database>;

export type PortalSessionRow = {
  id: string;
  customer_id: string;
  state: PortalSessionsTable['state'];
  csrf_token: string;
  channel: 'sms' | 'email';
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  code_attempts: number;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
};

const SESSION_COLUMNS = [
  'id',
  'customer_id',
  'state',
  'csrf_token',
  'channel',
  'code_hash',
  'code_expires_at',
  'code_attempts',
  'created_at',
  'last_seen_at',
  'expires_at',
  'revoked_at',
] as const;

export type RegistrationRow = {
  id: string;
  customer_id: string | null;
  channel: 'sms' | 'email';
  code_hash: Uint8Array | null;
  code_expires_at: Date;
  attempts: number;
  completed_at: Date | null;
};

export type ThrottleRow = {
  key: string;
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
};

export async function accountsForLogin(
  db: Db,
  customerIds: readonly string[],
): Promise<{ customer_id: string; password_hash: string }[]> {
  if (customerIds.length === 0) return [];
  return db
    .selectFrom('portal_accounts')
    .select(['customer_id', 'password_hash'])
    .where('customer_id', 'in', customerIds)
    .where('status', '=', 'active')
    .orderBy('customer_id')
    .execute();
}

export async function accountStatus(db: Db, customerId: string): Promise<'active' | 'disabled' | undefined> {
  const row = await db
    .selectFrom('portal_accounts')
    .select('status')
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.status;
}

/** Creates the account, or sets a new password on an existing one; returns whether it existed. */
export async function saveAccount(
  db: Db,
  customerId: string,
  passwordHash: string,
  now: Date,
): Promise<boolean> {
  const existed = (await accountStatus(db, customerId)) !== undefined;
  await db
    .insertInto('portal_accounts')
    .values({
      customer_id: customerId,
      password_hash: passwordHash,
      password_changed_at: now,
      last_login_at: null,
    })
    .onConflict((oc) =>
      oc.column('customer_id').doUpdateSet({ password_hash: passwordHash, password_changed_at: now }),
    )
    .execute();
  return existed;
}

export async function touchLogin(db: Db, customerId: string, now: Date): Promise<void> {
  await db
    .updateTable('portal_accounts')
    .set({ last_login_at: now })
    .where('customer_id', '=', customerId)
    .execute();
}

export async function insertRegistration(
  db: Db,
  row: {
    id: string;
    ticket_hash: string;
    customer_id: string | null;
    channel: 'sms' | 'email';
    code_hash: Uint8Array | null;
    code_expires_at: Date;
  },
): Promise<void> {
  await db.insertInto('portal_registrations').values(row).execute();
}

/** The registration, locked for the caller's transaction (two answers to one code never both count). */
export function registrationByTicket(db: Db, ticketHash: string): Promise<RegistrationRow | undefined> {
  return db
    .selectFrom('portal_registrations')
    .select(['id', 'customer_id', 'channel', 'code_hash', 'code_expires_at', 'attempts', 'completed_at'])
    .where('ticket_hash', '=', ticketHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateRegistration(
  db: Db,
  id: string,
  changes: Partial<{ attempts: number; code_hash: Uint8Array | null; completed_at: Date }>,
): Promise<void> {
  await db.updateTable('portal_registrations').set(changes).where('id', '=', id).execute();
}

export async function insertSession(
  db: Db,
  row: {
    id: string;
    token_hash: string;
    customer_id: string;
    state: PortalSessionsTable['state'];
    csrf_token: string;
    channel: 'sms' | 'email';
    code_hash: Uint8Array | null;
    code_expires_at: Date | null;
    last_seen_at: Date;
    expires_at: Date;
    ip: string | null;
    user_agent: string | null;
  },
): Promise<void> {
  await db.insertInto('portal_sessions').values(row).execute();
}

export function sessionByTokenHash(db: Db, tokenHash: string): Promise<PortalSessionRow | undefined> {
  return db
    .selectFrom('portal_sessions')
    .select(SESSION_COLUMNS)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export function sessionById(db: Db, id: string, lock = false): Promise<PortalSessionRow | undefined> {
  const query = db.selectFrom('portal_sessions').select(SESSION_COLUMNS).where('id', '=', id);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function updateSession(
  db: Db,
  id: string,
  changes: Partial<{
    token_hash: string;
    state: PortalSessionsTable['state'];
    code_hash: Uint8Array | null;
    code_expires_at: Date | null;
    code_attempts: number;
    last_seen_at: Date;
    revoked_at: Date;
    revoked_reason: string;
  }>,
): Promise<void> {
  await db.updateTable('portal_sessions').set(changes).where('id', '=', id).execute();
}

export async function revokeSessionsOf(
  db: Db,
  customerId: string,
  reason: string,
  now: Date,
  keep: string | null = null,
): Promise<number> {
  let query = db
    .updateTable('portal_sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('customer_id', '=', customerId)
    .where('revoked_at', 'is', null);
  if (keep) query = query.where('id', '<>', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function findThrottle(db: Db, keys: readonly string[]): Promise<ThrottleRow[]> {
  return db
    .selectFrom('portal_throttle')
    .select(['key', 'failures', 'window_started_at', 'locked_until'])
    .where('key', 'in', keys)
    .execute();
}

export async function saveThrottle(db: Db, row: ThrottleRow): Promise<void> {
  await db
    .insertInto('portal_throttle')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: row.failures,
        window_started_at: row.window_started_at,
        locked_until: row.locked_until,
      }),
    )
    .execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('portal_throttle').where('key', '=', key).execute();
}

export type ContactChangeRow = {
  id: string;
  customer_id: string;
  field: 'phone' | 'email';
  channel: 'sms' | 'email';
  code_hash: Uint8Array | null;
  code_expires_at: Date;
  attempts: number;
  completed_at: Date | null;
};

export async function insertContactChange(
  db: Db,
  row: Omit<ContactChangeRow, 'attempts' | 'completed_at'> & { session_id: string },
): Promise<void> {
  await db.insertInto('portal_contact_changes').values(row).execute();
}

/** The customer's own contact-change request, locked (two answers to one code never both count). */
export function contactChangeOf(
  db: Db,
  id: string,
  customerId: string,
): Promise<ContactChangeRow | undefined> {
  return db
    .selectFrom('portal_contact_changes')
    .select([
      'id',
      'customer_id',
      'field',
      'channel',
      'code_hash',
      'code_expires_at',
      'attempts',
      'completed_at',
    ])
    .where('id', '=', id)
    .where('customer_id', '=', customerId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateContactChange(
  db: Db,
  id: string,
  changes: Partial<{ attempts: number; code_hash: Uint8Array | null; completed_at: Date }>,
): Promise<void> {
  await db.updateTable('portal_contact_changes').set(changes).where('id', '=', id).execute();
}

/** How many contact-change codes the customer asked for since `since`. */
export async function contactChangesSince(db: Db, customerId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('portal_contact_changes')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('customer_id', '=', customerId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
