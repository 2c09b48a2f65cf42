import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { type PreparedQuery, prepareQuery, sqlBuilder } from '../../db/prepared-query.js';
import type { StaffSessionsTable } from './identity.tables.js';

/** The identity module's SQL. Columns are listed explicitly; password hashes leave only via `findLogin`. */
export type StaffUserRow = {
  id: string;
  username: string;
  display_name: string;
  role: string;
  branch: string | null;
  must_change_password: boolean;
  status: 'active' | 'disabled';
  access_expires_at: Date | null;
  created_at: Date;
  last_login_at: Date | null;
};

export type SessionRow = {
  id: string;
  user_id: string;
  state: StaffSessionsTable['state'];
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  second_factor_at: Date | null;
  ip: string | null;
  user_agent: string | null;
  revoked_at: Date | null;
};

export type PasskeyRow = {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string[];
  device_name: string;
  created_at: Date;
  last_used_at: Date | null;
};

const PASSKEY_COLUMNS = [
  'id',
  'user_id',
  'credential_id',
  'public_key',
  'counter',
  'transports',
  'device_name',
  'created_at',
  'last_used_at',
] as const;

function toPasskeyRow(row: PasskeyRow): PasskeyRow {
  // bigint columns come back as numbers while exact; a counter never gets near 2^53.
  return { ...row, counter: Number(row.counter), public_key: new Uint8Array(row.public_key) };
}

const USER_COLUMNS = [
  'id',
  'username',
  'display_name',
  'role',
  'branch',
  'must_change_password',
  'status',
  'access_expires_at',
  'created_at',
  'last_login_at',
] as const;

const SESSION_COLUMNS = [
  'id',
  'user_id',
  'state',
  'csrf_token',
  'created_at',
  'last_seen_at',
  'expires_at',
  'second_factor_at',
  'ip',
  'user_agent',
  'revoked_at',
] as const;

/** An expression read with the session, on its user id column at time `now` (the access module's grant). */
export type SessionAlongside<T> = (userIdColumn: string, now: Date) => RawBuilder<T>;

const sessionWithUser = (tokenHash: string) =>
  sqlBuilder
    .selectFrom('staff_sessions')
    .innerJoin('staff_users', 'staff_users.id', 'staff_sessions.user_id')
    .select(SESSION_COLUMNS.map((column) => `staff_sessions.${column}` as const))
    .select([
      'staff_users.username as user_username',
      'staff_users.display_name as user_display_name',
      'staff_users.role as user_role',
      'staff_users.branch as user_branch',
      'staff_users.must_change_password as user_must_change_password',
      'staff_users.status as user_status',
      'staff_users.access_expires_at as user_access_expires_at',
      'staff_users.created_at as user_created_at',
      'staff_users.last_login_at as user_last_login_at',
    ])
    .where('staff_sessions.token_hash', '=', tokenHash);

type SessionWithUserRow = Awaited<ReturnType<ReturnType<typeof sessionWithUser>['executeTakeFirstOrThrow']>>;

const SESSION_WITH_USER = prepareQuery(1, sessionWithUser);

type SessionQueryWith = PreparedQuery<[string, Date], SessionWithUserRow & { alongside: unknown }>;
const SESSION_WITH = new WeakMap<SessionAlongside<unknown>, SessionQueryWith>();

/** The session query with `alongside`, compiled on first use; the expression must be one stable function. */
function sessionQueryWith<T>(alongside: SessionAlongside<T>): SessionQueryWith {
  const key = alongside as SessionAlongside<unknown>;
  let query = SESSION_WITH.get(key);
  if (!query) {
    query = prepareQuery(2, (tokenHash: string, now: Date) =>
      sessionWithUser(tokenHash).select(alongside('staff_sessions.user_id', now).as('alongside')),
    ) as SessionQueryWith;
    SESSION_WITH.set(key, query);
  }
  return query;
}

export class IdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  with(db: Kysely<Database>): IdentityRepository {
    return new IdentityRepository(db);
  }

  findLogin(username: string) {
    return this.db
      .selectFrom('staff_users')
      .select([...USER_COLUMNS, 'password_hash'])
      .where('username', '=', username)
      .executeTakeFirst();
  }

  findUser(id: string): Promise<StaffUserRow | undefined> {
    return this.db.selectFrom('staff_users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  passwordHash(id: string): Promise<{ password_hash: string } | undefined> {
    return this.db.selectFrom('staff_users').select('password_hash').where('id', '=', id).executeTakeFirst();
  }

  listUsers(): Promise<StaffUserRow[]> {
    return this.db
      .selectFrom('staff_users')
      .select(USER_COLUMNS)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  countUsers(): Promise<number> {
    return this.db
      .selectFrom('staff_users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  }

  /** Sealed work emails of the given users (all users when `ids` is null); callers audit the read. */
  sealedEmails(ids: readonly string[] | null): Promise<{ id: string; email_sealed: string | null }[]> {
    let query = this.db.selectFrom('staff_users').select(['id', 'email_sealed']);
    if (ids) {
      if (ids.length === 0) return Promise.resolve([]);
      query = query.where('id', 'in', ids);
    }
    return query.execute();
  }

  /** The user holding the work email with this keyed HMAC, if any. */
  findByEmailHmac(emailHmac: string): Promise<{ id: string } | undefined> {
    return this.db
      .selectFrom('staff_users')
      .select('id')
      .where('email_hmac', '=', emailHmac)
      .executeTakeFirst();
  }

  async setEmail(id: string, email: { sealed: string; hmac: string } | null): Promise<void> {
    await this.db
      .updateTable('staff_users')
      .set({ email_sealed: email?.sealed ?? null, email_hmac: email?.hmac ?? null })
      .where('id', '=', id)
      .execute();
  }

  async insertUser(row: {
    id: string;
    username: string;
    display_name: string;
    role: string;
    branch: string | null;
    password_hash: string;
    must_change_password: boolean;
    access_expires_at: Date | null;
  }): Promise<void> {
    await this.db.insertInto('staff_users').values(row).execute();
  }

  async updateUser(
    id: string,
    changes: Partial<{
      role: string;
      branch: string | null;
      status: 'active' | 'disabled';
      access_expires_at: Date | null;
      password_hash: string;
      must_change_password: boolean;
      last_login_at: Date;
    }>,
  ): Promise<void> {
    await this.db.updateTable('staff_users').set(changes).where('id', '=', id).execute();
  }

  async insertSession(row: {
    id: string;
    token_hash: string;
    user_id: string;
    state: SessionRow['state'];
    csrf_token: string;
    last_seen_at: Date;
    expires_at: Date;
    second_factor_at: Date | null;
    ip: string | null;
    user_agent: string | null;
  }): Promise<void> {
    await this.db.insertInto('staff_sessions').values(row).execute();
  }

  /**
   * A session and its user in one round trip: every signed-in request resolves both, so this is on the
   * hot path of every staff request.
   */
  async findSessionWithUserByTokenHash<T = never>(
    tokenHash: string,
    /** An expression on `staff_sessions.user_id` at time `now`, read in the same statement (break-glass). */
    alongside?: SessionAlongside<T>,
    now: Date = new Date(),
  ): Promise<{ session: SessionRow; user: StaffUserRow; alongside: T | null } | undefined> {
    // Compiled once per expression (prepared-query.ts): the hot path of every staff request.
    const found: (SessionWithUserRow & { alongside?: unknown }) | undefined = alongside
      ? await sessionQueryWith(alongside).executeTakeFirst(this.db, tokenHash, now)
      : await SESSION_WITH_USER.executeTakeFirst(this.db, tokenHash);
    if (!found) return undefined;
    const { alongside: extra, ...row } = found as typeof found & { alongside?: T | null };
    const {
      user_username,
      user_display_name,
      user_role,
      user_branch,
      user_must_change_password,
      user_status,
      user_access_expires_at,
      user_created_at,
      user_last_login_at,
      ...session
    } = row;
    return {
      session,
      user: {
        id: session.user_id,
        username: user_username,
        display_name: user_display_name,
        role: user_role,
        branch: user_branch,
        must_change_password: user_must_change_password,
        status: user_status,
        access_expires_at: user_access_expires_at,
        created_at: user_created_at,
        last_login_at: user_last_login_at,
      },
      alongside: extra ?? null,
    };
  }

  findSession(id: string): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('staff_sessions')
      .select(SESSION_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listOpenSessions(userId: string, now: Date): Promise<SessionRow[]> {
    return this.db
      .selectFrom('staff_sessions')
      .select(SESSION_COLUMNS)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute();
  }

  async updateSession(
    id: string,
    changes: Partial<{ state: SessionRow['state']; last_seen_at: Date; second_factor_at: Date }>,
  ): Promise<void> {
    await this.db.updateTable('staff_sessions').set(changes).where('id', '=', id).execute();
  }

  async revokeSessions(filter: { id?: string; userId?: string }, reason: string, now: Date): Promise<number> {
    let query = this.db
      .updateTable('staff_sessions')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('revoked_at', 'is', null);
    if (filter.id) query = query.where('id', '=', filter.id);
    if (filter.userId) query = query.where('user_id', '=', filter.userId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  findTotp(userId: string) {
    return this.db
      .selectFrom('totp_factors')
      .select(['user_id', 'secret_sealed', 'confirmed_at', 'last_used_step'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async upsertUnconfirmedTotp(userId: string, secretSealed: string): Promise<void> {
    await this.db
      .insertInto('totp_factors')
      .values({ user_id: userId, secret_sealed: secretSealed, confirmed_at: null, last_used_step: null })
      .onConflict((conflict) =>
        conflict
          .column('user_id')
          .doUpdateSet({ secret_sealed: secretSealed, confirmed_at: null, last_used_step: null }),
      )
      .execute();
  }

  /** Accepts a step only if it is later than every step accepted before: one statement, no race. */
  async claimTotpStep(userId: string, step: number, confirm: boolean, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('totp_factors')
      .set(confirm ? { last_used_step: step, confirmed_at: now } : { last_used_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async replaceRecoveryCodes(userId: string, rows: { id: string; code_hash: string }[]): Promise<void> {
    await this.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await this.db
      .insertInto('recovery_codes')
      .values(rows.map((row) => ({ ...row, user_id: userId })))
      .execute();
  }

  async redeemRecoveryCode(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  countUnusedRecoveryCodes(userId: string): Promise<number> {
    return this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  }

  async insertApiToken(row: {
    id: string;
    user_id: string;
    name: string;
    token_hash: string;
    scopes: string[];
    expires_at: Date;
  }): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute();
  }

  findApiToken(tokenHash: string) {
    return this.db
      .selectFrom('api_tokens')
      .select(['id', 'user_id', 'name', 'scopes', 'expires_at', 'revoked_at', 'last_used_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  listApiTokens(userId: string) {
    return this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'scopes', 'expires_at', 'created_at', 'last_used_at', 'revoked_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  async touchApiToken(id: string, now: Date): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  async revokeApiToken(id: string, userId: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes every live API token of a user (incident containment, S4.3); returns how many. */
  async revokeApiTokensOfUser(userId: string, now: Date): Promise<number> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Whether the user has a confirmed authenticator app or at least one passkey. */
  async hasSecondFactor(userId: string): Promise<boolean> {
    const totp = await this.findTotp(userId);
    return Boolean(totp?.confirmed_at) || (await this.countPasskeys(userId)) > 0;
  }

  // ---- passkeys -------------------------------------------------------------------------------------

  listPasskeys(userId: string): Promise<PasskeyRow[]> {
    return this.db
      .selectFrom('webauthn_credentials')
      .select(PASSKEY_COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
      .then((rows) => rows.map(toPasskeyRow));
  }

  countPasskeys(userId: string): Promise<number> {
    return this.db
      .selectFrom('webauthn_credentials')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  }

  /** A passkey of this user by its credential id; another user's answers like a missing one. */
  findPasskeyByCredentialId(userId: string, credentialId: string): Promise<PasskeyRow | undefined> {
    return this.db
      .selectFrom('webauthn_credentials')
      .select(PASSKEY_COLUMNS)
      .where('user_id', '=', userId)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst()
      .then((row) => (row ? toPasskeyRow(row) : undefined));
  }

  credentialIdTaken(credentialId: string): Promise<boolean> {
    return this.db
      .selectFrom('webauthn_credentials')
      .select('id')
      .where('credential_id', '=', credentialId)
      .executeTakeFirst()
      .then((row) => row !== undefined);
  }

  async insertPasskey(row: {
    id: string;
    user_id: string;
    credential_id: string;
    public_key: Uint8Array;
    counter: number;
    transports: string[];
    device_name: string;
  }): Promise<void> {
    await this.db.insertInto('webauthn_credentials').values(row).execute();
  }

  /** Moves the counter on only from the value the verification saw: one statement, no race. */
  async claimPasskeyCounter(id: string, seen: number, next: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('webauthn_credentials')
      .set({ counter: next, last_used_at: now })
      .where('id', '=', id)
      .where('counter', '=', seen)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deletePasskey(id: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webauthn_credentials')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Replaces the session's challenge for this purpose: only the latest one can be answered. */
  async saveChallenge(row: {
    id: string;
    user_id: string;
    session_id: string;
    purpose: 'registration' | 'authentication';
    challenge: string;
    expires_at: Date;
  }): Promise<void> {
    await this.db
      .insertInto('webauthn_challenges')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['session_id', 'purpose']).doUpdateSet({
          id: row.id,
          user_id: row.user_id,
          challenge: row.challenge,
          expires_at: row.expires_at,
        }),
      )
      .execute();
  }

  /** Takes the session's challenge for this purpose away, so it can be answered once; null when none is live. */
  async consumeChallenge(
    sessionId: string,
    userId: string,
    purpose: 'registration' | 'authentication',
    now: Date,
  ): Promise<string | null> {
    const row = await this.db
      .deleteFrom('webauthn_challenges')
      .where('session_id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .returning(['challenge', 'expires_at'])
      .executeTakeFirst();
    return row && row.expires_at > now ? row.challenge : null;
  }

  findThrottle(keys: string[]) {
    return this.db
      .selectFrom('login_throttle')
      .select(['key', 'failures', 'window_started_at', 'locked_until'])
      .where('key', 'in', keys)
      .execute();
  }

  async saveThrottle(row: {
    key: string;
    failures: number;
    window_started_at: Date;
    locked_until: Date | null;
  }) {
    await this.db
      .insertInto('login_throttle')
      .values(row)
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          failures: row.failures,
          window_started_at: row.window_started_at,
          locked_until: row.locked_until,
        }),
      )
      .execute();
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
