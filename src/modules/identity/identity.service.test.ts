import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import type { RequestContext, StaffPrincipal } from '../access/principal.js';
import { ACCOUNT_LOCK_THRESHOLD, IdentityService, loginDelayMs } from './identity.service.js';
import { SecretBox } from './secret-box.js';
import { totpCodeAt } from './totp.js';

const STRONG = 'Vermilion-Harbour-2026!';

describeEachStore('identity service (S3.3)', (kind) => {
  let store: Store;
  let audit: RecordingAudit;
  let clock: Date;
  let delays: number[];
  let identity: IdentityService;
  const anonymous: RequestContext = {
    principal: null,
    requestId: 'req-1',
    ip: '203.0.113.7',
    userAgent: 'test',
  };

  beforeEach(async () => {
    store = await openTestStore(kind);
    audit = new RecordingAudit();
    clock = new Date('2026-11-24T08:00:00Z');
    delays = [];
    identity = new IdentityService(store.db, {
      audit,
      secretBox: new SecretBox(randomBytes(32)),
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 12 * 3600_000,
      now: () => clock,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };

  async function signedIn(
    username: string,
    password: string,
  ): Promise<{ principal: StaffPrincipal; token: string }> {
    const result = await identity.login({ username, password }, anonymous);
    const principal = await identity.authenticateSession(result.sessionToken);
    if (!principal) throw new Error('no session');
    return { principal, token: result.sessionToken };
  }

  const ctx = (principal: StaffPrincipal | null): RequestContext => ({ ...anonymous, principal });

  async function enrolled(username: string, password: string) {
    const first = await signedIn(username, password);
    const enrolment = await identity.startTotpEnrolment(ctx(first.principal));
    const { recoveryCodes } = await identity.confirmTotpEnrolment(
      ctx(first.principal),
      totpCodeAt(enrolment.secret, clock.getTime()),
    );
    const principal = await identity.authenticateSession(first.token);
    if (!principal) throw new Error('no session');
    return { principal, token: first.token, secret: enrolment.secret, recoveryCodes };
  }

  async function adminWithPassword() {
    const created = await identity.createFirstAdministrator();
    if (!created) throw new Error('no admin');
    const first = await signedIn('admin', created.oneTimePassword);
    await identity.changePassword(ctx(first.principal), created.oneTimePassword, STRONG);
    return created;
  }

  it('creates the first administrator once, who must change the password and enrol a second factor', async () => {
    const created = await identity.createFirstAdministrator();
    expect(created?.username).toBe('admin');
    expect(created?.oneTimePassword).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){4}$/);
    expect(await identity.createFirstAdministrator()).toBeNull();

    const result = await identity.login(
      { username: 'admin', password: created?.oneTimePassword ?? '' },
      anonymous,
    );
    expect(result.next).toBe('enrol-second-factor');
    const principal = await identity.authenticateSession(result.sessionToken);
    expect(principal).toMatchObject({
      role: 'admin',
      sessionState: 'enrolment-required',
      mustChangePassword: true,
    });
    expect(audit.actions()).toEqual(['user.created:success', 'auth.login:success']);
    expect(audit.events.every((event) => event.inTransaction)).toBe(true);
  });

  it('answers a wrong password and an unknown account alike, then locks both with a progressive delay', async () => {
    await adminWithPassword();
    const attempt = (username: string) =>
      identity
        .login({ username, password: 'Wrong-Password-123' }, { ...anonymous, ip: null })
        .catch((error: DomainError) => error.code);

    expect(await attempt('admin')).toBe('invalid-credentials');
    expect(await attempt('nobody')).toBe('invalid-credentials');
    for (let i = 1; i < ACCOUNT_LOCK_THRESHOLD; i++) {
      await attempt('admin');
      await attempt('nobody');
    }
    expect(delays.filter((ms) => ms > 0).length).toBeGreaterThan(0);
    expect(delays).toContain(loginDelayMs(ACCOUNT_LOCK_THRESHOLD));

    for (const name of ['admin', 'nobody']) {
      const locked = await identity
        .login({ username: name, password: STRONG }, { ...anonymous, ip: null })
        .catch((error) => error);
      expect(locked).toBeInstanceOf(DomainError);
      expect((locked as DomainError).code).toBe('too-many-attempts');
      expect((locked as DomainError).extensions?.retryAfterSeconds).toBe(15 * 60);
    }
    advance(15 * 60_000 + 1000);
    const after = await identity.login({ username: 'admin', password: STRONG }, anonymous);
    expect(after.next).toBe('enrol-second-factor');
  });

  it('locks a client address that tries many accounts', async () => {
    for (let i = 0; i < 20; i++) {
      await identity
        .login({ username: `guess-${i}`, password: 'Wrong-Password-123' }, anonymous)
        .catch(() => {});
    }
    const locked = await identity
      .login({ username: 'someone-else', password: 'x' }, anonymous)
      .catch((error) => error);
    expect((locked as DomainError).code).toBe('too-many-attempts');
  });

  it('enrols TOTP with ten recovery codes, and refuses a replayed code', async () => {
    await adminWithPassword();
    const { principal, secret, recoveryCodes } = await enrolled('admin', STRONG);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(principal.sessionState).toBe('active');

    const second = await identity.login({ username: 'admin', password: STRONG }, anonymous);
    expect(second.next).toBe('verify-second-factor');
    const pending = await identity.authenticateSession(second.sessionToken);
    // The code used for enrolment in this time step cannot be used again.
    await expect(
      identity.verifySecondFactor(ctx(pending), totpCodeAt(secret, clock.getTime())),
    ).rejects.toMatchObject({
      code: 'invalid-code',
    });
    advance(30_000);
    const code = totpCodeAt(secret, clock.getTime());
    await identity.verifySecondFactor(ctx(pending), code);
    await expect(identity.verifySecondFactor(ctx(pending), code)).rejects.toMatchObject({
      code: 'invalid-code',
    });
    await expect(identity.verifySecondFactor(ctx(pending), '000000')).rejects.toMatchObject({
      code: 'invalid-code',
    });
    expect((await identity.authenticateSession(second.sessionToken))?.sessionState).toBe('active');
  });

  it('accepts each recovery code once', async () => {
    await adminWithPassword();
    const { recoveryCodes } = await enrolled('admin', STRONG);
    const second = await identity.login({ username: 'admin', password: STRONG }, anonymous);
    const pending = await identity.authenticateSession(second.sessionToken);
    const code = recoveryCodes[0] ?? '';
    expect((await identity.redeemRecoveryCode(ctx(pending), code.toLowerCase())).remaining).toBe(9);
    await expect(identity.redeemRecoveryCode(ctx(pending), code)).rejects.toMatchObject({
      code: 'invalid-code',
    });
  });

  it('ends sessions after idle time, at the absolute limit, and when revoked', async () => {
    await adminWithPassword();
    const { token, principal } = await signedIn('admin', STRONG);
    advance(29 * 60_000);
    expect(await identity.authenticateSession(token)).not.toBeNull();
    advance(29 * 60_000);
    expect(await identity.authenticateSession(token)).not.toBeNull();
    advance(31 * 60_000);
    expect(await identity.authenticateSession(token)).toBeNull();

    const again = await signedIn('admin', STRONG);
    for (let i = 0; i < 25; i++) {
      advance(29 * 60_000);
      await identity.authenticateSession(again.token);
    }
    expect(await identity.authenticateSession(again.token)).toBeNull();

    const third = await signedIn('admin', STRONG);
    const sessions = await identity.listMySessions(ctx(third.principal));
    expect(sessions.find((session) => session.current)?.id).toBe(third.principal.sessionId);
    await identity.revokeMySession(ctx(third.principal), third.principal.sessionId);
    expect(await identity.authenticateSession(third.token)).toBeNull();
    expect(principal.sessionId).not.toBe(third.principal.sessionId);
  });

  it('refuses weak and common passwords, and ends other sessions on a change', async () => {
    const created = await identity.createFirstAdministrator();
    const first = await signedIn('admin', created?.oneTimePassword ?? '');
    const other = await signedIn('admin', created?.oneTimePassword ?? '');
    for (const weak of ['short', 'qwertyuiop123', 'aaaaaaaaaaaaaaaa', 'admin-admin-admin']) {
      await expect(
        identity.changePassword(ctx(first.principal), created?.oneTimePassword ?? '', weak),
      ).rejects.toMatchObject({ code: 'password-rejected' });
    }
    await expect(
      identity.changePassword(ctx(first.principal), 'not-the-password', STRONG),
    ).rejects.toMatchObject({
      code: 'invalid-credentials',
    });
    await identity.changePassword(ctx(first.principal), created?.oneTimePassword ?? '', STRONG);
    expect(await identity.authenticateSession(other.token)).toBeNull();
    expect((await identity.authenticateSession(first.token))?.mustChangePassword).toBe(false);
  });

  it('expires an external auditor on their date and refuses one without a date', async () => {
    await adminWithPassword();
    const admin = await enrolled('admin', STRONG);
    await expect(
      identity.createUser(ctx(admin.principal), {
        username: 'auditor',
        displayName: 'Auditor',
        role: 'external_auditor',
        branch: null,
        accessExpiresAt: null,
      }),
    ).rejects.toMatchObject({ code: 'validation-failed' });
    const { oneTimePassword } = await identity.createUser(ctx(admin.principal), {
      username: 'auditor',
      displayName: 'Auditor',
      role: 'external_auditor',
      branch: null,
      accessExpiresAt: new Date(clock.getTime() + 86_400_000),
    });
    const session = await signedIn('auditor', oneTimePassword);
    advance(86_400_000);
    expect(await identity.authenticateSession(session.token)).toBeNull();
    await expect(
      identity.login({ username: 'auditor', password: oneTimePassword }, anonymous),
    ).rejects.toMatchObject({
      code: 'access-expired',
    });
  });

  it("ends a user's sessions when their role changes, and refuses changing one's own role", async () => {
    await adminWithPassword();
    const admin = await enrolled('admin', STRONG);
    const { user, oneTimePassword } = await identity.createUser(ctx(admin.principal), {
      username: 'li.adjuster',
      displayName: 'Adjuster',
      role: 'adjuster',
      branch: 'beijing',
      accessExpiresAt: null,
    });
    const adjuster = await signedIn('li.adjuster', oneTimePassword);
    await identity.updateUser(ctx(admin.principal), user.id, { role: 'claims_supervisor' });
    expect(await identity.authenticateSession(adjuster.token)).toBeNull();
    await expect(
      identity.updateUser(ctx(admin.principal), admin.principal.userId, { role: 'finance' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(audit.events.find((event) => event.action === 'user.updated')?.details).toEqual({
      fromRole: 'adjuster',
      toRole: 'claims_supervisor',
    });
  });

  it('issues scoped API tokens that expire and can be revoked', async () => {
    await adminWithPassword();
    const admin = await enrolled('admin', STRONG);
    const { id, token } = await identity.createApiToken(ctx(admin.principal), {
      name: 'siem export',
      scopes: ['read:AuditLog'],
      expiresInDays: 1,
    });
    expect(token).toMatch(/^cgt_/);
    expect(await identity.authenticateApiToken(token)).toMatchObject({
      kind: 'api-token',
      scopes: ['read:AuditLog'],
    });
    expect(await identity.authenticateApiToken(`${token}x`)).toBeNull();
    await identity.revokeApiToken(ctx(admin.principal), id);
    expect(await identity.authenticateApiToken(token)).toBeNull();

    const second = await identity.createApiToken(ctx(admin.principal), {
      name: 'short',
      scopes: [],
      expiresInDays: 1,
    });
    advance(86_400_000 + 1);
    expect(await identity.authenticateApiToken(second.token)).toBeNull();
  });
});
