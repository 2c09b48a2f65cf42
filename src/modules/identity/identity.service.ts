import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import {
  type ApiTokenPrincipal,
  auditActorOf,
  hasFreshSecondFactor,
  type RequestContext,
  type StaffPrincipal,
} from '../access/principal.js';
import { ROLES, type StaffRole } from '../access/roles.js';
import {
  type AuditActor,
  type AuditEventInput,
  type AuditRecorder,
  SYSTEM_ACTOR,
} from '../audit/audit-event.js';
import { maskEmail } from '../vault/masking.js';
import {
  IdentityRepository,
  type SessionAlongside,
  type SessionRow,
  type StaffUserRow,
} from './identity.repository.js';
import { hashPassword, judgePassword, timingDummyHash, verifyPassword } from './password-policy.js';
import type { SecretBox } from './secret-box.js';
import { matchTotp, newTotpSecret, totpEnrolment } from './totp.js';

/**
 * Staff identities (S3.3): passwords, sessions, second factors, API tokens and user administration.
 * Every sign-in, factor change, session revocation and user change is audited in the same transaction.
 */
export type IdentityOptions = {
  audit: AuditRecorder;
  secretBox: SecretBox;
  sessionIdleMs: number;
  sessionMaxMs: number;
  now?: () => Date;
  /** Progressive delay after failed sign-ins; tests pass a recorder instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
};

export type LoginResult = {
  sessionToken: string;
  session: SessionView;
  /** What the person must do before the console opens. */
  next: 'verify-second-factor' | 'enrol-second-factor' | 'change-password' | 'done';
};

export type SessionView = {
  id: string;
  state: SessionRow['state'];
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
  csrfToken?: string;
};

export type UserView = {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  branch: string | null;
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  accessExpiresAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** The work email, MASKED, where the caller is shown it (administration); absent elsewhere. */
  email?: string | null;
};

export const SESSION_TOUCH_INTERVAL_MS = 60_000;
export const ACCOUNT_LOCK_THRESHOLD = 5;
export const IP_LOCK_THRESHOLD = 20;
export const LOCK_DURATION_MS = 15 * 60_000;
const THROTTLE_WINDOW_MS = 15 * 60_000;
const RECOVERY_CODE_COUNT = 10;
const TOTP_PURPOSE = 'totp-secret';
/** Associated data of a sealed staff email is this plus the user's id: a sealed address moved to another row does not open. */
const EMAIL_PURPOSE = 'staff-email';
/** The audit log's name for the field (staff data is not in the customers' vault catalogue). */
export const STAFF_EMAIL_FIELD = 'staff.email';

/** Why a staff email is read: shown masked to the user or an administrator, or used to send a notice. */
export type StaffEmailPurpose = 'account-administration' | 'notification';

/** Lower-cased, trimmed, NFKC: the form that is sealed and HMAC'd, so lookups ignore case and spaces. */
export function normaliseStaffEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Progressive delay: none for the first two failures, then 1 s, 2 s, 4 s … up to 8 s. */
export function loginDelayMs(failures: number): number {
  return failures < 3 ? 0 : Math.min(1000 * 2 ** (failures - 3), 8000);
}

function readableSecret(bytes: number): string {
  // Crockford-style alphabet without look-alikes; groups of four for reading aloud.
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const raw = randomBytes(bytes * 2);
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    const byte = raw[i] ?? 0;
    if (byte < 248) out += alphabet[byte % alphabet.length];
  }
  return (out.match(/.{1,4}/g) ?? []).join('-');
}

function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * Issues ten new recovery codes (replacing any left) and returns them, to be shown once: on the first
 * enrolment of a second factor, whether an authenticator app or a passkey, and on TOTP re-enrolment.
 */
export async function issueRecoveryCodes(repository: IdentityRepository, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => readableSecret(16));
  await repository.replaceRecoveryCodes(
    userId,
    codes.map((code) => ({ id: randomUUID(), code_hash: sha256(normaliseRecoveryCode(code)) })),
  );
  return codes;
}

function toUserView(row: StaffUserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as StaffRole,
    branch: row.branch,
    status: row.status,
    mustChangePassword: row.must_change_password,
    accessExpiresAt: row.access_expires_at,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function toSessionView(row: SessionRow, currentId: string | null): SessionView {
  return {
    id: row.id,
    state: row.state,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
    current: row.id === currentId,
  };
}

export class IdentityService {
  readonly #repository: IdentityRepository;
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: IdentityOptions,
  ) {
    this.#repository = new IdentityRepository(db);
    this.#now = options.now ?? (() => new Date());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private async audited<T>(
    event: Omit<AuditEventInput, 'dataSubjectId' | 'fields' | 'purpose'> & {
      dataSubjectId?: string | null;
      fields?: readonly string[];
      purpose?: string | null;
    },
    work: (repository: IdentityRepository, trx: Kysely<Database>) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const result = await work(this.#repository.with(trx), trx);
      await this.options.audit.record(trx, { dataSubjectId: null, fields: [], purpose: null, ...event });
      return result;
    });
  }

  private event(
    context: RequestContext,
    action: string,
    resource: { type: string; id: string | null },
    outcome: AuditEventInput['outcome'] = 'success',
    details?: AuditEventInput['details'],
    actor: AuditActor = auditActorOf(context),
  ) {
    return {
      actor,
      action,
      resource,
      outcome,
      requestId: context.requestId,
      ...(details ? { details } : {}),
    };
  }

  // ---- sign-in -------------------------------------------------------------------------------------

  async login(input: { username: string; password: string }, context: RequestContext): Promise<LoginResult> {
    const now = this.#now();
    const accountKey = `account:${sha256(input.username.trim().toLowerCase())}`;
    const ipKey = context.ip ? `ip:${context.ip}` : null;
    const keys = ipKey ? [accountKey, ipKey] : [accountKey];
    const throttles = await this.#repository.findThrottle(keys);
    const lockedUntil = throttles
      .map((row) => row.locked_until)
      .filter((until): until is Date => until !== null && until > now)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    if (lockedUntil) {
      // SECURITY: the same answer for known and unknown accounts: the lock is keyed by the name typed.
      throw new DomainError('too-many-attempts', undefined, {
        retryAfterSeconds: Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000),
      });
    }

    const user = await this.#repository.findLogin(input.username.trim());
    const passwordOk = user
      ? await verifyPassword(user.password_hash, input.password)
      : await verifyPassword(await timingDummyHash(), input.password).then(() => false);
    const expired = user?.access_expires_at ? user.access_expires_at <= now : false;

    if (!user || !passwordOk || user.status !== 'active') {
      const failures = await this.recordFailure(throttles, accountKey, ipKey, now);
      await this.audited(
        this.event(context, 'auth.login', { type: 'staff-user', id: user?.id ?? null }, 'failure', {
          reason: !user ? 'unknown-account' : user.status !== 'active' ? 'disabled' : 'bad-password',
        }),
        async () => {},
      );
      await this.#sleep(loginDelayMs(failures));
      throw new DomainError('invalid-credentials');
    }
    if (expired) {
      await this.audited(
        this.event(context, 'auth.login', { type: 'staff-user', id: user.id }, 'denied', {
          reason: 'access-expired',
        }),
        async () => {},
      );
      throw new DomainError('access-expired');
    }

    await this.#repository.clearThrottle(accountKey);
    const state: SessionRow['state'] = (await this.#repository.hasSecondFactor(user.id))
      ? 'mfa-pending'
      : 'enrolment-required';
    const token = randomBytes(32).toString('base64url');
    const session = {
      id: randomUUID(),
      token_hash: sha256(token),
      user_id: user.id,
      state,
      csrf_token: randomBytes(24).toString('base64url'),
      last_seen_at: now,
      expires_at: new Date(now.getTime() + this.options.sessionMaxMs),
      second_factor_at: null,
      ip: context.ip,
      user_agent: context.userAgent?.slice(0, 300) ?? null,
    };
    const actor: AuditActor = {
      ...auditActorOf(context),
      type: 'staff',
      id: user.id,
      role: user.role,
      sessionId: session.id,
    };
    await this.audited(
      this.event(
        context,
        'auth.login',
        { type: 'staff-session', id: session.id },
        'success',
        { state },
        actor,
      ),
      async (repository) => {
        await repository.insertSession(session);
        await repository.updateUser(user.id, { last_login_at: now });
      },
    );
    const row = await this.#repository.findSession(session.id);
    if (!row) throw new DomainError('internal');
    return {
      sessionToken: token,
      session: { ...toSessionView(row, session.id), csrfToken: session.csrf_token },
      next: state === 'mfa-pending' ? 'verify-second-factor' : 'enrol-second-factor',
    };
  }

  private async recordFailure(
    existing: { key: string; failures: number; window_started_at: Date; locked_until: Date | null }[],
    accountKey: string,
    ipKey: string | null,
    now: Date,
  ): Promise<number> {
    let worst = 0;
    for (const [key, threshold] of [
      [accountKey, ACCOUNT_LOCK_THRESHOLD],
      ...(ipKey ? [[ipKey, IP_LOCK_THRESHOLD] as const] : []),
    ] as const) {
      const row = existing.find((candidate) => candidate.key === key);
      const fresh = !row || now.getTime() - row.window_started_at.getTime() > THROTTLE_WINDOW_MS;
      const failures = fresh ? 1 : row.failures + 1;
      await this.#repository.saveThrottle({
        key,
        failures,
        window_started_at: fresh ? now : row.window_started_at,
        locked_until: failures >= threshold ? new Date(now.getTime() + LOCK_DURATION_MS) : null,
      });
      if (key === accountKey) worst = Math.max(worst, failures);
      else worst = Math.max(worst, failures - (IP_LOCK_THRESHOLD - ACCOUNT_LOCK_THRESHOLD));
    }
    return worst;
  }

  /** Resolves a session cookie; null when absent, revoked, expired or idle too long. */
  async authenticateSession(token: string): Promise<StaffPrincipal | null> {
    return (await this.authenticateSessionWith(token))?.principal ?? null;
  }

  /**
   * {@link authenticateSession}, reading `alongside` (an expression on the session's user id, such as the
   * access module's open break-glass grant) in the same statement: one round trip for every staff request.
   */
  async authenticateSessionWith<T = never>(
    token: string,
    /** One stable function (its query is compiled once per function), called with this service's clock. */
    alongside?: SessionAlongside<T>,
  ): Promise<{ principal: StaffPrincipal; alongside: T | null } | null> {
    if (!token || token.length > 200) return null;
    const now = this.#now();
    const found = await this.#repository.findSessionWithUserByTokenHash(sha256(token), alongside, now);
    if (!found) return null;
    const { session, user } = found;
    if (session.revoked_at || session.expires_at <= now) return null;
    if (now.getTime() - session.last_seen_at.getTime() > this.options.sessionIdleMs) return null;
    if (user.status !== 'active') return null;
    if (user.access_expires_at && user.access_expires_at <= now) return null;
    if (now.getTime() - session.last_seen_at.getTime() > SESSION_TOUCH_INTERVAL_MS) {
      await this.#repository.updateSession(session.id, { last_seen_at: now });
    }
    return {
      principal: {
        kind: 'staff',
        userId: user.id,
        role: user.role as StaffRole,
        branch: user.branch,
        sessionId: session.id,
        sessionState: session.state,
        mustChangePassword: user.must_change_password,
        secondFactorAt: session.second_factor_at,
        csrfToken: session.csrf_token,
      },
      alongside: found.alongside as T | null,
    };
  }

  async authenticateApiToken(token: string): Promise<ApiTokenPrincipal | null> {
    if (!token.startsWith('cgt_') || token.length > 200) return null;
    const now = this.#now();
    const row = await this.#repository.findApiToken(sha256(token));
    if (!row || row.revoked_at || row.expires_at <= now) return null;
    const user = await this.#repository.findUser(row.user_id);
    if (user?.status !== 'active') return null;
    if (user.access_expires_at && user.access_expires_at <= now) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > SESSION_TOUCH_INTERVAL_MS) {
      await this.#repository.touchApiToken(row.id, now);
    }
    return {
      kind: 'api-token',
      tokenId: row.id,
      userId: user.id,
      role: user.role as StaffRole,
      branch: user.branch,
      scopes: row.scopes,
    };
  }

  // ---- second factor -------------------------------------------------------------------------------

  private staff(context: RequestContext): StaffPrincipal {
    if (context.principal?.kind !== 'staff') throw new DomainError('unauthenticated');
    return context.principal;
  }

  async startTotpEnrolment(
    context: RequestContext,
  ): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
    const principal = this.staff(context);
    const existing = await this.#repository.findTotp(principal.userId);
    // Replacing a confirmed factor is itself a key operation.
    if (existing?.confirmed_at && !hasFreshSecondFactor(principal, this.#now())) {
      throw new DomainError('step-up-required');
    }
    const user = await this.#repository.findUser(principal.userId);
    if (!user) throw new DomainError('unauthenticated');
    const secret = newTotpSecret();
    await this.audited(
      this.event(context, 'auth.totp.enrolment-started', { type: 'staff-user', id: user.id }),
      (repository) =>
        repository.upsertUnconfirmedTotp(user.id, this.options.secretBox.seal(secret, TOTP_PURPOSE)),
    );
    return { secret, ...(await totpEnrolment(secret, user.username)) };
  }

  async confirmTotpEnrolment(context: RequestContext, code: string): Promise<{ recoveryCodes: string[] }> {
    const principal = this.staff(context);
    const factor = await this.#repository.findTotp(principal.userId);
    if (!factor || factor.confirmed_at)
      throw new DomainError('conflict', 'No enrolment is waiting for confirmation.');
    const step = matchTotp(
      this.options.secretBox.open(factor.secret_sealed, TOTP_PURPOSE),
      code,
      this.#now().getTime(),
    );
    const now = this.#now();
    if (step === null || !(await this.#repository.claimTotpStep(principal.userId, step, true, now))) {
      await this.audited(
        this.event(context, 'auth.totp.enrolled', { type: 'staff-user', id: principal.userId }, 'failure'),
        async () => {},
      );
      throw new DomainError('invalid-code');
    }
    let codes: string[] = [];
    await this.audited(
      this.event(context, 'auth.totp.enrolled', { type: 'staff-user', id: principal.userId }),
      async (repository) => {
        codes = await issueRecoveryCodes(repository, principal.userId);
        await repository.updateSession(principal.sessionId, { state: 'active', second_factor_at: now });
      },
    );
    return { recoveryCodes: codes };
  }

  /** Completes a sign-in, or steps up an active session, with a TOTP code that has not been used. */
  async verifySecondFactor(context: RequestContext, code: string): Promise<{ secondFactorAt: Date }> {
    const principal = this.staff(context);
    const factor = await this.#repository.findTotp(principal.userId);
    const now = this.#now();
    if (!factor?.confirmed_at) throw new DomainError('enrolment-required');
    const step = matchTotp(
      this.options.secretBox.open(factor.secret_sealed, TOTP_PURPOSE),
      code,
      now.getTime(),
    );
    // SECURITY: claiming the step in one conditional update refuses a replayed code even under a race.
    if (step === null || !(await this.#repository.claimTotpStep(principal.userId, step, false, now))) {
      await this.audited(
        this.event(
          context,
          'auth.second-factor',
          { type: 'staff-session', id: principal.sessionId },
          'failure',
          {
            method: 'totp',
          },
        ),
        async () => {},
      );
      throw new DomainError('invalid-code');
    }
    await this.audited(
      this.event(
        context,
        'auth.second-factor',
        { type: 'staff-session', id: principal.sessionId },
        'success',
        {
          method: 'totp',
        },
      ),
      (repository) =>
        repository.updateSession(principal.sessionId, { state: 'active', second_factor_at: now }),
    );
    return { secondFactorAt: now };
  }

  async redeemRecoveryCode(context: RequestContext, code: string): Promise<{ remaining: number }> {
    const principal = this.staff(context);
    const now = this.#now();
    const used = await this.db.transaction().execute(async (trx) => {
      const repository = this.#repository.with(trx);
      const ok = await repository.redeemRecoveryCode(
        principal.userId,
        sha256(normaliseRecoveryCode(code)),
        now,
      );
      if (ok) await repository.updateSession(principal.sessionId, { state: 'active', second_factor_at: now });
      await this.options.audit.record(trx, {
        ...this.event(
          context,
          'auth.second-factor',
          { type: 'staff-session', id: principal.sessionId },
          ok ? 'success' : 'failure',
          {
            method: 'recovery-code',
          },
        ),
        dataSubjectId: null,
        fields: [],
        purpose: null,
      });
      return ok;
    });
    if (!used) throw new DomainError('invalid-code');
    return { remaining: await this.#repository.countUnusedRecoveryCodes(principal.userId) };
  }

  // ---- password and sessions -----------------------------------------------------------------------

  async changePassword(context: RequestContext, current: string, next: string): Promise<void> {
    const principal = this.staff(context);
    const user = await this.#repository.findUser(principal.userId);
    const stored = await this.#repository.passwordHash(principal.userId);
    if (!user || !stored || !(await verifyPassword(stored.password_hash, current))) {
      throw new DomainError('invalid-credentials');
    }
    const verdict = judgePassword(next, user.username);
    if (!verdict.ok)
      throw new DomainError('password-rejected', `Rejected: ${verdict.reason}.`, { reason: verdict.reason });
    const hash = await hashPassword(next);
    const now = this.#now();
    await this.audited(
      this.event(context, 'auth.password.changed', { type: 'staff-user', id: user.id }),
      async (repository) => {
        await repository.updateUser(user.id, { password_hash: hash, must_change_password: false });
        // Other sessions may have been opened with the old password: end them.
        const others = await repository.listOpenSessions(user.id, now);
        for (const session of others) {
          if (session.id !== principal.sessionId)
            await repository.revokeSessions({ id: session.id }, 'password-changed', now);
        }
      },
    );
  }

  async logout(context: RequestContext): Promise<void> {
    const principal = this.staff(context);
    await this.audited(
      this.event(context, 'auth.logout', { type: 'staff-session', id: principal.sessionId }),
      (repository) => repository.revokeSessions({ id: principal.sessionId }, 'logout', this.#now()),
    );
  }

  async listMySessions(context: RequestContext): Promise<SessionView[]> {
    const principal = this.staff(context);
    const rows = await this.#repository.listOpenSessions(principal.userId, this.#now());
    const idleCutoff = this.#now().getTime() - this.options.sessionIdleMs;
    return rows
      .filter((row) => row.last_seen_at.getTime() > idleCutoff)
      .map((row) => toSessionView(row, principal.sessionId));
  }

  async revokeMySession(context: RequestContext, sessionId: string): Promise<void> {
    const principal = this.staff(context);
    const session = await this.#repository.findSession(sessionId);
    // Someone else's session answers like a missing one: its existence is none of this caller's business.
    if (!session || session.user_id !== principal.userId)
      throw new DomainError('not-found', 'No such session.');
    await this.audited(
      this.event(context, 'auth.session.revoked', { type: 'staff-session', id: sessionId }),
      (repository) => repository.revokeSessions({ id: sessionId }, 'revoked-by-owner', this.#now()),
    );
  }

  me(context: RequestContext): Promise<UserView> {
    const principal = context.principal;
    if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
    return this.#repository.findUser(principal.userId).then((row) => {
      if (!row) throw new DomainError('unauthenticated');
      return toUserView(row);
    });
  }

  async secondFactorStatus(
    userId: string,
  ): Promise<{ totp: boolean; passkeys: number; recoveryCodesLeft: number }> {
    const factor = await this.#repository.findTotp(userId);
    return {
      totp: Boolean(factor?.confirmed_at),
      passkeys: await this.#repository.countPasskeys(userId),
      recoveryCodesLeft: await this.#repository.countUnusedRecoveryCodes(userId),
    };
  }

  // ---- administration ------------------------------------------------------------------------------

  async createUser(
    context: RequestContext,
    input: {
      username: string;
      displayName: string;
      role: StaffRole;
      branch: string | null;
      accessExpiresAt: Date | null;
      /** Work email (issue 5 section 1): sealed, never logged or put in audit details. */
      email?: string | null;
    },
  ): Promise<{ user: UserView; oneTimePassword: string }> {
    if (!ROLES.includes(input.role) || input.role === ('customer' as StaffRole)) {
      throw new DomainError('validation-failed', 'Unknown staff role.');
    }
    if (input.role === 'external_auditor' && !input.accessExpiresAt) {
      throw new DomainError('validation-failed', 'An external auditor needs an access expiry date.');
    }
    if (await this.#repository.findLogin(input.username))
      throw new DomainError('conflict', 'That login name is taken.');
    const oneTimePassword = readableSecret(20);
    const id = randomUUID();
    const email = input.email ? this.#sealEmail(id, input.email) : null;
    if (email) await this.#refuseTakenEmail(this.#repository, email.hmac, id);
    const passwordHash = await hashPassword(oneTimePassword);
    await this.audited(
      {
        ...this.event(context, 'user.created', { type: 'staff-user', id }, 'success', {
          role: input.role,
          email: email !== null,
        }),
        fields: email ? [STAFF_EMAIL_FIELD] : [],
      },
      async (repository) => {
        await repository.insertUser({
          id,
          username: input.username,
          display_name: input.displayName,
          role: input.role,
          branch: input.branch,
          password_hash: passwordHash,
          must_change_password: true,
          access_expires_at: input.accessExpiresAt,
        });
        if (email) await repository.setEmail(id, email);
      },
    );
    const row = await this.#repository.findUser(id);
    if (!row) throw new DomainError('internal');
    return {
      user: { ...toUserView(row), email: input.email ? maskEmail(normaliseStaffEmail(input.email)) : null },
      oneTimePassword,
    };
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.#repository.listUsers()).map(toUserView);
  }

  async updateUser(
    context: RequestContext,
    id: string,
    changes: {
      role?: StaffRole;
      branch?: string | null;
      status?: 'active' | 'disabled';
      accessExpiresAt?: Date | null;
      /** A new work email, or null to remove it; absent: unchanged. */
      email?: string | null;
    },
  ): Promise<UserView> {
    const principal = this.staff(context);
    const user = await this.#repository.findUser(id);
    if (!user) throw new DomainError('not-found', 'No such user.');
    const email = changes.email ? this.#sealEmail(id, changes.email) : null;
    if (email) await this.#refuseTakenEmail(this.#repository, email.hmac, id);
    if (id === principal.userId && (changes.role || changes.status === 'disabled')) {
      throw new DomainError('forbidden', 'Nobody changes their own role or disables themselves.');
    }
    const now = this.#now();
    await this.audited(
      {
        ...this.event(context, 'user.updated', { type: 'staff-user', id }, 'success', {
          ...(changes.role ? { fromRole: user.role, toRole: changes.role } : {}),
          ...(changes.status ? { status: changes.status } : {}),
          ...(changes.email !== undefined ? { email: changes.email ? 'changed' : 'removed' } : {}),
        }),
        fields: changes.email !== undefined ? [STAFF_EMAIL_FIELD] : [],
      },
      async (repository) => {
        if (changes.email !== undefined) await repository.setEmail(id, email);
        const columns = {
          ...(changes.role ? { role: changes.role } : {}),
          ...(changes.branch !== undefined ? { branch: changes.branch } : {}),
          ...(changes.status ? { status: changes.status } : {}),
          ...(changes.accessExpiresAt !== undefined ? { access_expires_at: changes.accessExpiresAt } : {}),
        };
        if (Object.keys(columns).length > 0) await repository.updateUser(id, columns);
        // A changed role or a disabled account takes effect now, not when the old sessions expire.
        if (changes.role || changes.status === 'disabled')
          await repository.revokeSessions({ userId: id }, 'user-changed', now);
      },
    );
    const row = await this.#repository.findUser(id);
    if (!row) throw new DomainError('internal');
    const [withEmail] = await this.#withMaskedEmails(context, [toUserView(row)]);
    return withEmail ?? toUserView(row);
  }

  // ---- work email (issue 5 section 1, S2.3) ---------------------------------------------------------

  #sealEmail(userId: string, email: string): { sealed: string; hmac: string } {
    const normalised = normaliseStaffEmail(email);
    return {
      sealed: this.options.secretBox.seal(normalised, `${EMAIL_PURPOSE}:${userId}`),
      hmac: this.options.secretBox.keyedHash(normalised, EMAIL_PURPOSE),
    };
  }

  async #refuseTakenEmail(repository: IdentityRepository, hmac: string, userId: string): Promise<void> {
    const holder = await repository.findByEmailHmac(hmac);
    // SECURITY: the answer names neither the address nor who holds it.
    if (holder && holder.id !== userId)
      throw new DomainError('conflict', 'That email address belongs to another account.');
  }

  /**
   * Opens the sealed emails of `ids` and records one `staff.email.read` event (fields `staff.email`, the
   * purpose, how many, masked or not) in the same transaction as the read. Users without an address are
   * absent from the map.
   */
  async #readEmails(
    db: Kysely<Database>,
    ids: readonly string[] | null,
    access: { actor: AuditActor; requestId: string | null; purpose: StaffEmailPurpose; masked: boolean },
  ): Promise<Map<string, string>> {
    const work = async (trx: Kysely<Database>) => {
      const rows = await this.#repository.with(trx).sealedEmails(ids);
      const found = new Map<string, string>();
      for (const row of rows) {
        if (!row.email_sealed) continue;
        const plain = this.options.secretBox.open(row.email_sealed, `${EMAIL_PURPOSE}:${row.id}`);
        found.set(row.id, access.masked ? maskEmail(plain) : plain);
      }
      await this.options.audit.record(trx, {
        actor: access.actor,
        action: 'staff.email.read',
        resource: { type: 'staff-user', id: ids?.length === 1 ? (ids[0] ?? null) : null },
        dataSubjectId: null,
        fields: [STAFF_EMAIL_FIELD],
        purpose: access.purpose,
        outcome: 'success',
        requestId: access.requestId,
        details: { users: found.size, masked: access.masked },
      });
      return found;
    };
    return db.isTransaction ? work(db) : db.transaction().execute(work);
  }

  async #withMaskedEmails(context: RequestContext, users: UserView[]): Promise<UserView[]> {
    const emails = await this.#readEmails(this.db, users.length === 1 ? users.map((user) => user.id) : null, {
      actor: auditActorOf(context),
      requestId: context.requestId,
      purpose: 'account-administration',
      masked: true,
    });
    return users.map((user) => ({ ...user, email: emails.get(user.id) ?? null }));
  }

  /** The administrators' list (S3.3): every account with its work email masked; the read is audited. */
  async listUsersForAdministration(context: RequestContext): Promise<UserView[]> {
    return this.#withMaskedEmails(context, await this.listUsers());
  }

  /** The signed-in person's own work email, masked (their profile page); audited. */
  async myEmail(context: RequestContext): Promise<{ email: string | null }> {
    const principal = this.staff(context);
    const emails = await this.#readEmails(this.db, [principal.userId], {
      actor: auditActorOf(context),
      requestId: context.requestId,
      purpose: 'account-administration',
      masked: true,
    });
    return { email: emails.get(principal.userId) ?? null };
  }

  /** The signed-in person sets (or, with null, removes) their own work email; audited. */
  async setMyEmail(context: RequestContext, email: string | null): Promise<{ email: string | null }> {
    const principal = this.staff(context);
    const sealed = email ? this.#sealEmail(principal.userId, email) : null;
    if (sealed) await this.#refuseTakenEmail(this.#repository, sealed.hmac, principal.userId);
    await this.audited(
      {
        ...this.event(
          context,
          'user.email.changed',
          { type: 'staff-user', id: principal.userId },
          'success',
          {
            email: sealed ? 'changed' : 'removed',
          },
        ),
        fields: [STAFF_EMAIL_FIELD],
      },
      (repository) => repository.setEmail(principal.userId, sealed),
    );
    return { email: email ? maskEmail(normaliseStaffEmail(email)) : null };
  }

  /**
   * Where to email a staff member (the notification dispatcher's directory): the address in clear, read as
   * the system with purpose `notification` and audited in `db`'s transaction; null without an address or
   * for an account that is not active.
   */
  async emailForNotification(db: Kysely<Database>, userId: string): Promise<string | null> {
    const user = await this.#repository.with(db).findUser(userId);
    if (user?.status !== 'active') return null;
    const emails = await this.#readEmails(db, [userId], {
      actor: SYSTEM_ACTOR,
      requestId: null,
      purpose: 'notification',
      masked: false,
    });
    return emails.get(userId) ?? null;
  }

  async revokeUserSessions(context: RequestContext, userId: string): Promise<{ revoked: number }> {
    if (!(await this.#repository.findUser(userId))) throw new DomainError('not-found', 'No such user.');
    const revoked = await this.audited(
      this.event(context, 'auth.session.revoked', { type: 'staff-user', id: userId }, 'success', {
        scope: 'all',
      }),
      (repository) => repository.revokeSessions({ userId }, 'revoked-by-admin', this.#now()),
    );
    return { revoked };
  }

  /**
   * Revokes every API token of another user: containment of a security incident (S4.3), where the owner
   * may be the suspect. Irreversible, like any revocation; the owner creates new tokens once cleared.
   */
  async revokeUserApiTokens(context: RequestContext, userId: string): Promise<{ revoked: number }> {
    this.staff(context);
    if (!(await this.#repository.findUser(userId))) throw new DomainError('not-found', 'No such user.');
    const revoked = await this.audited(
      this.event(context, 'api-token.revoked', { type: 'staff-user', id: userId }, 'success', {
        scope: 'all',
      }),
      (repository) => repository.revokeApiTokensOfUser(userId, this.#now()),
    );
    return { revoked };
  }

  // ---- API tokens ----------------------------------------------------------------------------------

  async createApiToken(
    context: RequestContext,
    input: { name: string; scopes: string[]; expiresInDays: number },
  ): Promise<{ id: string; token: string; expiresAt: Date }> {
    const principal = this.staff(context);
    const id = randomUUID();
    const token = `cgt_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(this.#now().getTime() + input.expiresInDays * 86_400_000);
    await this.audited(
      this.event(context, 'api-token.created', { type: 'api-token', id }, 'success', {
        scopes: input.scopes.join(' '),
      }),
      (repository) =>
        repository.insertApiToken({
          id,
          user_id: principal.userId,
          name: input.name,
          token_hash: sha256(token),
          scopes: input.scopes,
          expires_at: expiresAt,
        }),
    );
    return { id, token, expiresAt };
  }

  listApiTokens(context: RequestContext) {
    return this.#repository.listApiTokens(this.staff(context).userId);
  }

  async revokeApiToken(context: RequestContext, id: string): Promise<void> {
    const principal = this.staff(context);
    const ok = await this.audited(
      this.event(context, 'api-token.revoked', { type: 'api-token', id }),
      (repository) => repository.revokeApiToken(id, principal.userId, this.#now()),
    );
    if (!ok) throw new DomainError('not-found', 'No such token.');
  }

  // ---- first start ---------------------------------------------------------------------------------

  /** Creates the first administrator, once; refuses when any user exists. */
  async createFirstAdministrator(
    username = 'admin',
    email: string | null = null,
  ): Promise<{ username: string; oneTimePassword: string } | null> {
    if ((await this.#repository.countUsers()) > 0) return null;
    const { oneTimePassword } = await this.createUser(
      { principal: null, requestId: null, ip: null, userAgent: null },
      { username, displayName: 'Administrator', role: 'admin', branch: null, accessExpiresAt: null, email },
    );
    return { username, oneTimePassword };
  }

  /** Compares a CSRF token from a header with the session's, in constant time. */
  static csrfMatches(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
