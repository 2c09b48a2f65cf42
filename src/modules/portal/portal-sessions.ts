import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf, type CustomerPrincipal, type RequestContext } from '../access/principal.js';
import type { CustomerSessions } from '../access/route-access.js';
import type { AuditEventInput, AuditRecorder } from '../audit/audit-event.js';
import { SESSION_TOUCH_INTERVAL_MS } from '../identity/identity.service.js';
import * as repository from './portal.repository.js';
import {
  CODE_VALID_MINUTES,
  codeHash,
  codeMatches,
  MAX_CODE_ATTEMPTS,
  newToken,
  sha256,
} from './portal-codes.js';

/**
 * Portal sessions: server-side, the cookie holds a random token of which only the SHA-256 is stored. A
 * session opens `code-pending` after the password and becomes `active` only with the one-time code sent to
 * the phone or email on file (both factors, always). It ends when idle too long, at its absolute limit, on
 * sign-out, on a new password, or after too many wrong codes. The token is replaced when the code is
 * accepted, so a token seen before the second factor is worth nothing after it.
 */
type Db = Kysely<Database>;

export type PortalSessionOptions = {
  audit: AuditRecorder;
  codeKey: Buffer;
  sessionIdleMs: number;
  sessionMaxMs: number;
  now?: () => Date;
};

export type OpenedSession = {
  token: string;
  sessionId: string;
  csrfToken: string;
  code: string;
  expiresAt: Date;
  codeExpiresAt: Date;
};

export class PortalSessions implements CustomerSessions {
  readonly #now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly options: PortalSessionOptions,
  ) {
    this.#now = options.now ?? (() => new Date());
  }

  now(): Date {
    return this.#now();
  }

  /** Resolves the portal cookie; null when absent, revoked, expired, idle too long or the account is off. */
  async authenticateSession(token: string): Promise<CustomerPrincipal | null> {
    if (!token || token.length > 200) return null;
    const now = this.#now();
    const session = await repository.sessionByTokenHash(this.db, sha256(token));
    if (!session || session.revoked_at || session.expires_at <= now) return null;
    if (now.getTime() - session.last_seen_at.getTime() > this.options.sessionIdleMs) return null;
    // A session waiting for its code lives only as long as the code.
    if (session.state === 'code-pending' && (!session.code_expires_at || session.code_expires_at <= now))
      return null;
    if ((await repository.accountStatus(this.db, session.customer_id)) !== 'active') return null;
    if (now.getTime() - session.last_seen_at.getTime() > SESSION_TOUCH_INTERVAL_MS)
      await repository.updateSession(this.db, session.id, { last_seen_at: now });
    return {
      kind: 'customer',
      customerId: session.customer_id,
      sessionId: session.id,
      sessionState: session.state,
      csrfToken: session.csrf_token,
    };
  }

  /** Opens a `code-pending` session after a right password, in the caller's transaction. */
  async open(
    trx: Db,
    customerId: string,
    channel: 'sms' | 'email',
    context: RequestContext,
    code: string,
  ): Promise<OpenedSession> {
    const now = this.#now();
    const token = newToken();
    const id = randomUUID();
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.options.sessionMaxMs);
    const codeExpiresAt = new Date(now.getTime() + CODE_VALID_MINUTES * 60_000);
    await repository.insertSession(trx, {
      id,
      token_hash: sha256(token),
      customer_id: customerId,
      state: 'code-pending',
      csrf_token: csrfToken,
      channel,
      code_hash: codeHash(this.options.codeKey, 'sign-in', id, code),
      code_expires_at: codeExpiresAt,
      last_seen_at: now,
      expires_at: expiresAt,
      ip: context.ip,
      user_agent: context.userAgent?.slice(0, 300) ?? null,
    });
    return { token, sessionId: id, csrfToken, code, expiresAt, codeExpiresAt };
  }

  /**
   * Takes the one-time code of a `code-pending` session. A wrong code counts; the fifth ends the session.
   * Returns the session's new token (the old one stops working).
   */
  async verifyCode(context: RequestContext, code: string): Promise<{ token: string; expiresAt: Date }> {
    const principal = context.principal;
    if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
    const now = this.#now();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const session = await repository.sessionById(trx, principal.sessionId, true);
      if (!session || session.revoked_at) return { ok: false as const, attemptsLeft: 0 };
      if (session.state === 'active') throw new DomainError('conflict', 'This session is signed in already.');
      const expired = !session.code_expires_at || session.code_expires_at <= now;
      const right =
        !expired &&
        codeMatches(session.code_hash, codeHash(this.options.codeKey, 'sign-in', session.id, code));
      const event = (outcome: AuditEventInput['outcome'], details: AuditEventInput['details']) =>
        this.options.audit.record(trx, {
          actor: auditActorOf(context),
          action: 'portal.sign-in.code',
          resource: { type: 'portal-session', id: session.id },
          dataSubjectId: session.customer_id,
          fields: [],
          purpose: null,
          outcome,
          requestId: context.requestId,
          ...(details ? { details } : {}),
        });
      if (right) {
        const token = newToken();
        await repository.updateSession(trx, session.id, {
          state: 'active',
          token_hash: sha256(token),
          code_hash: null,
          code_expires_at: null,
          last_seen_at: now,
        });
        await repository.touchLogin(trx, session.customer_id, now);
        await event('success', undefined);
        return { ok: true as const, token, expiresAt: session.expires_at };
      }
      const attempts = session.code_attempts + 1;
      const exhausted = attempts >= MAX_CODE_ATTEMPTS;
      await repository.updateSession(trx, session.id, {
        code_attempts: attempts,
        ...(exhausted ? { revoked_at: now, revoked_reason: 'too-many-wrong-codes', code_hash: null } : {}),
      });
      await event('failure', { attempts, expired, ended: exhausted });
      return { ok: false as const, attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - attempts) };
    });
    // Committed (the attempt counts), then refused.
    if (!outcome.ok) throw new DomainError('invalid-code', undefined, { attemptsLeft: outcome.attemptsLeft });
    return { token: outcome.token, expiresAt: outcome.expiresAt };
  }

  async logout(context: RequestContext): Promise<void> {
    const principal = context.principal;
    if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
    await this.db.transaction().execute(async (trx) => {
      await repository.updateSession(trx, principal.sessionId, {
        revoked_at: this.#now(),
        revoked_reason: 'logout',
      });
      await this.options.audit.record(trx, {
        actor: auditActorOf(context),
        action: 'portal.logout',
        resource: { type: 'portal-session', id: principal.sessionId },
        dataSubjectId: principal.customerId,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: context.requestId,
      });
    });
  }

  /** Ends every session of a customer (a new password was set), in the caller's transaction. */
  revokeAll(trx: Db, customerId: string, reason: string): Promise<number> {
    return repository.revokeSessionsOf(trx, customerId, reason, this.#now());
  }

  /** Ends every session of a customer but `keep` (the one that made a change), in the caller's transaction. */
  revokeOthers(trx: Db, customerId: string, keep: string | null, reason: string): Promise<number> {
    return repository.revokeSessionsOf(trx, customerId, reason, this.#now(), keep);
  }
}
