import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { RequestContext } from '../access/principal.js';
import type { AuditActor, AuditEventInput, AuditRecorder } from '../audit/audit-event.js';
import { type CustomerService, normaliseContactChange } from '../claims/customers.service.js';
import {
  ACCOUNT_LOCK_THRESHOLD,
  IP_LOCK_THRESHOLD,
  LOCK_DURATION_MS,
  loginDelayMs,
} from '../identity/identity.service.js';
import { hashPassword, judgePassword, timingDummyHash, verifyPassword } from '../identity/password-policy.js';
import type { NotificationService } from '../notifications/notifications.service.js';
import * as repository from './portal.repository.js';
import {
  CODE_VALID_MINUTES,
  codeHash,
  codeMatches,
  MAX_CODE_ATTEMPTS,
  newCode,
  newToken,
  type PortalKeys,
  sha256,
  throttleKeyOf,
} from './portal-codes.js';
import type { OpenedSession, PortalSessions } from './portal-sessions.js';

/**
 * Portal accounts for EXISTING customers (policyholders, insured persons and beneficiaries are created by
 * the insurer; nobody creates a customer here).
 *
 * Registration: the person gives a resident ID number and a phone or email; both must lead, through their
 * blind indexes, to one and the same customer. A one-time code then goes to that phone or email AS ON FILE
 * (through the notification outbox, sealed, wiped once sent); with the code they set a password under the
 * staff password policy. The answer to the first step is the same whether anything matched or not, so the
 * step tells nobody who is a customer. A customer who has an account already can go through it again to
 * set a new password: the proofs are the same, and their open sessions end.
 *
 * Sign-in: phone or email and password, then a one-time code to the phone or email on file: both factors,
 * every time. Throttled per login typed and per address like staff sign-in (unknown logins alike); a wrong
 * password and an unknown login get the same problem.
 */
type Db = Kysely<Database>;

export type PortalAccountsOptions = {
  audit: AuditRecorder;
  keys: PortalKeys;
  defaultLanguage?: 'zh-CN' | 'en-US';
  /** Progressive delay after failed sign-ins; tests pass a recorder instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
};

export type RegistrationStarted = { ticket: string; channel: 'sms' | 'email'; codeExpiresAt: Date };

const THROTTLE_WINDOW_MS = 15 * 60_000;
/** Registrations started per ID number typed, and per address, in the throttle window. */
const REGISTER_PER_ID = 5;
const REGISTER_PER_IP = 20;
/** Contact-change codes a customer may ask for per hour. */
const CONTACT_CHANGES_PER_HOUR = 5;

export type ContactChangeStarted = { id: string; channel: 'sms' | 'email'; codeExpiresAt: Date };

export class PortalAccountsService {
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly sessions: PortalSessions,
    private readonly customers: CustomerService,
    private readonly notifications: NotificationService,
    private readonly options: PortalAccountsOptions,
  ) {
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  // ---- registration ------------------------------------------------------------------------------

  async startRegistration(
    input: { idNumber: string; phone?: string | undefined; email?: string | undefined },
    context: RequestContext,
  ): Promise<RegistrationStarted> {
    const now = this.sessions.now();
    const channel: 'sms' | 'email' = input.phone ? 'sms' : 'email';
    const contact = input.phone ? { phone: input.phone } : { email: input.email ?? '' };
    // Every start counts, matched or not, so that the throttle says nothing about a match either.
    const idKey = throttleKeyOf(this.options.keys.throttleKey, 'register', input.idNumber);
    const ipKey = context.ip ? `register-ip:${context.ip}` : null;
    await this.checkThrottle([idKey, ...(ipKey ? [ipKey] : [])], now);
    await this.count(idKey, REGISTER_PER_ID, ipKey, REGISTER_PER_IP, now);

    const ticket = newToken();
    const id = randomUUID();
    const codeExpiresAt = new Date(now.getTime() + CODE_VALID_MINUTES * 60_000);
    await this.db.transaction().execute(async (trx) => {
      const [byId, byContact] = await Promise.all([
        this.customers.findIds(trx, { idNumber: input.idNumber }),
        this.customers.findIds(trx, contact),
      ]);
      const both = byId.filter((candidate) => byContact.includes(candidate));
      const customerId = both.length === 1 ? (both[0] as string) : null;
      let hash: Buffer | null = null;
      if (customerId) {
        const code = newCode();
        hash = codeHash(this.options.keys.codeKey, 'registration', id, code);
        const profile = await this.customers.profile(trx, customerId);
        // To the phone or email on file (the one that matched), never to an address given here.
        await this.notifications.enqueue(trx, {
          recipient: { kind: 'customer', id: customerId },
          channel,
          language: profile?.language === 'en-US' ? 'en-US' : 'zh-CN',
          template: 'portal.registration-code',
          params: { code, validMinutes: CODE_VALID_MINUTES },
          expiresAt: codeExpiresAt,
        });
      }
      await repository.insertRegistration(trx, {
        id,
        ticket_hash: sha256(ticket),
        customer_id: customerId,
        channel,
        code_hash: hash,
        code_expires_at: codeExpiresAt,
      });
      await this.record(trx, context, customerId, {
        action: 'portal.registration.started',
        resource: { type: 'portal-registration', id },
        outcome: customerId ? 'success' : 'failure',
        details: { channel, ...(customerId ? {} : { reason: both.length > 1 ? 'ambiguous' : 'no-match' }) },
      });
    });
    return { ticket, channel, codeExpiresAt };
  }

  /** Takes the code and the new password. Returns nothing the person did not know already. */
  async completeRegistration(
    input: { ticket: string; code: string; password: string },
    context: RequestContext,
  ): Promise<void> {
    // The password is judged first: its verdict must not tell whether the code was right.
    const verdict = judgePassword(input.password);
    if (!verdict.ok)
      throw new DomainError('password-rejected', `Rejected: ${verdict.reason}.`, { reason: verdict.reason });
    const passwordHash = await hashPassword(input.password);
    const now = this.sessions.now();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const row = await repository.registrationByTicket(trx, sha256(input.ticket));
      if (!row || row.completed_at || row.attempts >= MAX_CODE_ATTEMPTS)
        return { ok: false as const, attemptsLeft: 0 };
      const expired = row.code_expires_at <= now;
      const right =
        !expired &&
        row.customer_id !== null &&
        codeMatches(row.code_hash, codeHash(this.options.keys.codeKey, 'registration', row.id, input.code));
      if (!right || !row.customer_id) {
        const attempts = row.attempts + 1;
        await repository.updateRegistration(trx, row.id, {
          attempts,
          ...(attempts >= MAX_CODE_ATTEMPTS ? { code_hash: null } : {}),
        });
        await this.record(trx, context, row.customer_id, {
          action: 'portal.registration.code',
          resource: { type: 'portal-registration', id: row.id },
          outcome: 'failure',
          details: { attempts, expired },
        });
        return { ok: false as const, attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - attempts) };
      }
      const existed = await repository.saveAccount(trx, row.customer_id, passwordHash, now);
      await repository.updateRegistration(trx, row.id, { code_hash: null, completed_at: now });
      // A new password ends whatever sessions the old one opened.
      if (existed) await this.sessions.revokeAll(trx, row.customer_id, 'password-changed');
      await this.record(trx, context, row.customer_id, {
        action: existed ? 'portal.password.reset' : 'portal.account.registered',
        resource: { type: 'portal-account', id: row.customer_id },
        outcome: 'success',
      });
      return { ok: true as const };
    });
    if (!outcome.ok) throw new DomainError('invalid-code', undefined, { attemptsLeft: outcome.attemptsLeft });
  }

  // ---- sign-in -----------------------------------------------------------------------------------

  async login(
    input: { login: string; password: string },
    context: RequestContext,
  ): Promise<OpenedSession & { channel: 'sms' | 'email' }> {
    const now = this.sessions.now();
    const login = input.login.trim();
    const channel: 'sms' | 'email' = login.includes('@') ? 'email' : 'sms';
    const accountKey = throttleKeyOf(this.options.keys.throttleKey, 'login', login);
    const ipKey = context.ip ? `login-ip:${context.ip}` : null;
    await this.checkThrottle([accountKey, ...(ipKey ? [ipKey] : [])], now);

    const ids = await this.customers.findIds(
      this.db,
      channel === 'email' ? { email: login } : { phone: login },
    );
    const accounts = await repository.accountsForLogin(this.db, ids);
    // Several customers may share a phone (a family); the password tells whose account it is.
    let customerId: string | null = null;
    for (const account of accounts) {
      if (await verifyPassword(account.password_hash, input.password)) {
        customerId = account.customer_id;
        break;
      }
    }
    if (accounts.length === 0) await verifyPassword(await timingDummyHash(), input.password);

    if (!customerId) {
      const failures = await this.count(accountKey, ACCOUNT_LOCK_THRESHOLD, ipKey, IP_LOCK_THRESHOLD, now);
      await this.record(this.db, context, accounts.length === 1 ? (accounts[0]?.customer_id ?? null) : null, {
        action: 'portal.login',
        resource: { type: 'portal-account', id: null },
        outcome: 'failure',
        details: { reason: accounts.length === 0 ? 'unknown-account' : 'bad-password' },
      });
      await this.#sleep(loginDelayMs(failures));
      // SECURITY: the same problem for an unknown login and a wrong password.
      throw new DomainError('invalid-credentials');
    }

    await repository.clearThrottle(this.db, accountKey);
    const code = newCode();
    const id = customerId;
    return this.db.transaction().execute(async (trx) => {
      const opened = await this.sessions.open(trx, id, channel, context, code);
      const profile = await this.customers.profile(trx, id);
      await this.notifications.enqueue(trx, {
        recipient: { kind: 'customer', id },
        channel,
        language: profile?.language === 'en-US' ? 'en-US' : 'zh-CN',
        template: 'portal.sign-in-code',
        params: { code, validMinutes: CODE_VALID_MINUTES },
        expiresAt: opened.codeExpiresAt,
      });
      await this.record(trx, context, id, {
        action: 'portal.login',
        resource: { type: 'portal-session', id: opened.sessionId },
        outcome: 'success',
        details: { state: 'code-pending', channel },
        sessionId: opened.sessionId,
      });
      return { ...opened, channel };
    });
  }

  // ---- changing one's own phone or email (S3.1, S4.3) -------------------------------------------

  /**
   * A signed-in customer asks to change their phone or email: a one-time code goes to the CURRENT contact
   * of that kind (the phone for a new phone, the email for a new email; the other one when that kind is
   * not on file), never to the new one, so that a stolen password alone cannot move the account. Refused
   * while a security incident holds the customer's changes. At most 5 per hour.
   */
  async startContactChange(context: RequestContext, field: 'phone' | 'email'): Promise<ContactChangeStarted> {
    const principal = context.principal;
    if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
    const customerId = principal.customerId;
    const now = this.sessions.now();
    return this.db.transaction().execute(async (trx) => {
      await this.customers.assertChangesAllowed(trx, customerId);
      if (
        (await repository.contactChangesSince(trx, customerId, new Date(now.getTime() - 3_600_000))) >=
        CONTACT_CHANGES_PER_HOUR
      )
        throw new DomainError('rate-limited', 'Too many contact-change codes in the last hour.');
      const on = await this.customers.contactChannels(trx, customerId);
      if (!on) throw new DomainError('not-found');
      const preferred: 'sms' | 'email' = field === 'phone' ? 'sms' : 'email';
      const other: 'sms' | 'email' = preferred === 'sms' ? 'email' : 'sms';
      const channel = on[preferred] ? preferred : on[other] ? other : null;
      if (!channel) throw new DomainError('conflict', 'No phone or email on file to send a code to.');
      const id = randomUUID();
      const code = newCode();
      const codeExpiresAt = new Date(now.getTime() + CODE_VALID_MINUTES * 60_000);
      await repository.insertContactChange(trx, {
        id,
        customer_id: customerId,
        session_id: principal.sessionId,
        field,
        channel,
        code_hash: codeHash(this.options.keys.codeKey, 'contact-change', `${id}:${field}`, code),
        code_expires_at: codeExpiresAt,
      });
      const profile = await this.customers.profile(trx, customerId);
      // To the contact on file (looked up when sending), before anything changes.
      await this.notifications.enqueue(trx, {
        recipient: { kind: 'customer', id: customerId },
        channel,
        language: profile?.language === 'en-US' ? 'en-US' : 'zh-CN',
        template: 'portal.contact-change-code',
        params: { code, validMinutes: CODE_VALID_MINUTES },
        expiresAt: codeExpiresAt,
      });
      await this.record(trx, context, customerId, {
        action: 'portal.contact-change.started',
        resource: { type: 'portal-contact-change', id },
        outcome: 'success',
        details: { field, channel },
        sessionId: principal.sessionId,
      });
      return { id, channel, codeExpiresAt };
    });
  }

  /**
   * Takes the code and the new phone or email. A wrong code counts (the fifth ends the request); the right
   * one changes the contact through {@link CustomerService.changeContactDetails} in the same transaction
   * (audited, the old contact told), after which the new phone or email is the one to sign in with.
   */
  async confirmContactChange(
    context: RequestContext,
    id: string,
    input: { code: string; phone?: string | undefined; email?: string | undefined },
  ): Promise<{ changed: string[]; contactChangedAt: Date }> {
    const principal = context.principal;
    if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
    const customerId = principal.customerId;
    const now = this.sessions.now();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const row = await repository.contactChangeOf(trx, id, customerId);
      if (!row) throw new DomainError('not-found', 'No such contact change.');
      const value = row.field === 'phone' ? input.phone : input.email;
      if (value === undefined || (row.field === 'phone' ? input.email : input.phone) !== undefined)
        throw new DomainError(
          'bad-request',
          `This change is of the ${row.field}; give the new ${row.field} only.`,
        );
      // The new value is checked before the code, so a typo does not cost an attempt.
      normaliseContactChange({ [row.field]: value });
      if (row.completed_at || row.code_hash === null || row.attempts >= MAX_CODE_ATTEMPTS)
        return { ok: false as const, attemptsLeft: 0 };
      const expired = row.code_expires_at <= now;
      const right =
        !expired &&
        codeMatches(
          row.code_hash,
          codeHash(this.options.keys.codeKey, 'contact-change', `${row.id}:${row.field}`, input.code),
        );
      if (!right) {
        const attempts = row.attempts + 1;
        await repository.updateContactChange(trx, row.id, {
          attempts,
          ...(attempts >= MAX_CODE_ATTEMPTS ? { code_hash: null } : {}),
        });
        await this.record(trx, context, customerId, {
          action: 'portal.contact-change.code',
          resource: { type: 'portal-contact-change', id: row.id },
          outcome: 'failure',
          details: { attempts, expired },
          sessionId: principal.sessionId,
        });
        return { ok: false as const, attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - attempts) };
      }
      await repository.updateContactChange(trx, row.id, { code_hash: null, completed_at: now });
      const changed = await this.customers.changeContactDetails(
        trx,
        customerId,
        { [row.field]: value },
        {
          actor: actorOf(context, customerId, principal.sessionId),
          requestId: context.requestId,
          channel: 'portal',
          purpose: 'data-subject-request',
        },
      );
      return { ok: true as const, ...changed };
    });
    // Committed (the attempt counts), then refused.
    if (!outcome.ok) throw new DomainError('invalid-code', undefined, { attemptsLeft: outcome.attemptsLeft });
    return { changed: outcome.changed, contactChangedAt: outcome.contactChangedAt };
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private async checkThrottle(keys: string[], now: Date): Promise<void> {
    const rows = await repository.findThrottle(this.db, keys);
    const lockedUntil = rows
      .map((row) => row.locked_until)
      .filter((until): until is Date => until !== null && until > now)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    if (lockedUntil)
      throw new DomainError('too-many-attempts', undefined, {
        retryAfterSeconds: Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000),
      });
  }

  /** Counts one attempt against the keys; returns the failures that decide the sign-in delay. */
  private async count(
    key: string,
    threshold: number,
    ipKey: string | null,
    ipThreshold: number,
    now: Date,
  ): Promise<number> {
    const pairs: [string, number][] = [
      [key, threshold],
      ...(ipKey ? [[ipKey, ipThreshold] as [string, number]] : []),
    ];
    const existing = await repository.findThrottle(
      this.db,
      pairs.map(([name]) => name),
    );
    let worst = 0;
    for (const [name, limit] of pairs) {
      const row = existing.find((candidate) => candidate.key === name);
      const fresh = !row || now.getTime() - row.window_started_at.getTime() > THROTTLE_WINDOW_MS;
      const failures = fresh ? 1 : row.failures + 1;
      await repository.saveThrottle(this.db, {
        key: name,
        failures,
        window_started_at: fresh ? now : row.window_started_at,
        locked_until: failures >= limit ? new Date(now.getTime() + LOCK_DURATION_MS) : null,
      });
      worst = Math.max(worst, name === key ? failures : failures - (ipThreshold - threshold));
    }
    return worst;
  }

  private record(
    db: Db,
    context: RequestContext,
    customerId: string | null,
    event: Pick<AuditEventInput, 'action' | 'resource' | 'outcome' | 'details'> & { sessionId?: string },
  ): Promise<void> {
    const actor = actorOf(context, customerId, event.sessionId ?? null);
    return this.options.audit.record(db, {
      actor,
      action: event.action,
      resource: event.resource,
      dataSubjectId: customerId,
      fields: [],
      purpose: null,
      outcome: event.outcome,
      requestId: context.requestId,
      ...(event.details ? { details: event.details } : {}),
    });
  }
}

/** Before sign-in the caller is nobody we know: a customer once matched, else an outside party. */
function actorOf(context: RequestContext, customerId: string | null, sessionId: string | null): AuditActor {
  return {
    type: customerId ? 'customer' : 'external-party',
    id: customerId,
    role: customerId ? 'customer' : null,
    sessionId,
    ip: context.ip,
    userAgent: context.userAgent,
  };
}
