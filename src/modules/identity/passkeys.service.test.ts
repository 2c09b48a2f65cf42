import { randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { SoftwareAuthenticator } from '../../test-support/software-authenticator.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import type { RequestContext, StaffPrincipal } from '../access/principal.js';
import { IdentityService } from './identity.service.js';
import { PasskeyService } from './passkeys.service.js';
import { SecretBox } from './secret-box.js';
import { totpCodeAt } from './totp.js';

const STRONG = 'Vermilion-Harbour-2026!';
const ORIGIN = 'https://claims.example.com';

const asRegistration = (value: unknown) => value as RegistrationResponseJSON;
const asAssertion = (value: unknown) => value as AuthenticationResponseJSON;

describeEachStore('passkeys (S3.3)', (kind) => {
  let store: Store;
  let audit: RecordingAudit;
  let clock: Date;
  let identity: IdentityService;
  let passkeys: PasskeyService;
  const anonymous: RequestContext = {
    principal: null,
    requestId: 'req-1',
    ip: '203.0.113.7',
    userAgent: 'test',
  };
  const ctx = (principal: StaffPrincipal): RequestContext => ({ ...anonymous, principal });

  beforeEach(async () => {
    store = await openTestStore(kind);
    audit = new RecordingAudit();
    clock = new Date('2026-11-24T08:00:00Z');
    const now = () => clock;
    identity = new IdentityService(store.db, {
      audit,
      secretBox: new SecretBox(randomBytes(32)),
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 12 * 3600_000,
      now,
      sleep: async () => {},
    });
    passkeys = new PasskeyService(store.db, {
      audit,
      publicUrl: 'http://localhost:3000',
      origin: ORIGIN,
      rpID: 'claims.example.com',
      now,
    });
  });

  afterEach(async () => {
    await store.close();
  });

  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };

  /** A new person who has changed the one-time password and must now enrol a second factor. */
  async function newcomer(username: string): Promise<{ principal: StaffPrincipal; token: string }> {
    const { oneTimePassword } = await identity.createUser(anonymous, {
      username,
      displayName: username,
      role: 'adjuster',
      branch: 'beijing',
      accessExpiresAt: null,
    });
    const login = await identity.login({ username, password: oneTimePassword }, anonymous);
    const principal = await identity.authenticateSession(login.sessionToken);
    if (!principal) throw new Error('no session');
    await identity.changePassword(ctx(principal), oneTimePassword, STRONG);
    return {
      principal: (await identity.authenticateSession(login.sessionToken)) as StaffPrincipal,
      token: login.sessionToken,
    };
  }

  async function reload(token: string): Promise<StaffPrincipal> {
    const principal = await identity.authenticateSession(token);
    if (!principal) throw new Error('no session');
    return principal;
  }

  /** A person who enrolled a passkey as their first factor, with the authenticator holding it. */
  async function withPasskey(username: string) {
    const person = await newcomer(username);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await passkeys.registrationOptions(ctx(person.principal));
    const result = await passkeys.register(
      ctx(person.principal),
      asRegistration(authenticator.register(options)),
      'Laptop',
    );
    return { ...person, principal: await reload(person.token), authenticator, result };
  }

  async function signInAgain(
    username: string,
  ): Promise<{ principal: StaffPrincipal; token: string; next: string }> {
    const login = await identity.login({ username, password: STRONG }, anonymous);
    return { principal: await reload(login.sessionToken), token: login.sessionToken, next: login.next };
  }

  async function refusedWith(promise: Promise<unknown>, code: string): Promise<void> {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
  }

  it('registers a passkey as the first factor: the session opens and ten recovery codes are issued', async () => {
    const person = await newcomer('li.na');
    expect(person.principal.sessionState).toBe('enrolment-required');
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await passkeys.registrationOptions(ctx(person.principal));
    expect(options.rp).toEqual({ name: 'ClaimGuard', id: 'claims.example.com' });
    expect(options.excludeCredentials).toEqual([]);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'preferred',
      userVerification: 'preferred',
    });

    const { passkey, recoveryCodes } = await passkeys.register(
      ctx(person.principal),
      asRegistration(authenticator.register(options)),
      'Laptop',
    );
    expect(passkey).toMatchObject({ deviceName: 'Laptop', transports: ['internal'], lastUsedAt: null });
    expect(recoveryCodes).toHaveLength(10);
    const after = await reload(person.token);
    expect(after.sessionState).toBe('active');
    expect(after.secondFactorAt).toEqual(clock);
    expect(await identity.secondFactorStatus(after.userId)).toEqual({
      totp: false,
      passkeys: 1,
      recoveryCodesLeft: 10,
    });
    const registered = audit.events.find((event) => event.action === 'auth.passkey.registered');
    expect(registered).toMatchObject({
      outcome: 'success',
      inTransaction: true,
      details: { method: 'passkey', firstFactor: true },
    });
    expect(JSON.stringify(audit.events)).not.toContain('li.na');
  });

  it('asks a person with a passkey but no authenticator app for the second factor at sign-in, and accepts the passkey', async () => {
    const { authenticator } = await withPasskey('wang.fang');
    const again = await signInAgain('wang.fang');
    expect(again.next).toBe('verify-second-factor');
    expect(again.principal.sessionState).toBe('mfa-pending');

    advance(1_000);
    const options = await passkeys.authenticationOptions(ctx(again.principal));
    expect(options.allowCredentials?.map((entry) => entry.id)).toEqual([authenticator.credentials[0]?.id]);
    expect(options.userVerification).toBe('preferred');
    const { secondFactorAt } = await passkeys.authenticate(
      ctx(again.principal),
      asAssertion(authenticator.authenticate(options)),
    );
    expect(secondFactorAt).toEqual(clock);
    const after = await reload(again.token);
    expect(after.sessionState).toBe('active');
    expect(after.secondFactorAt).toEqual(clock);
    expect((await passkeys.list(ctx(after)))[0]?.lastUsedAt).toEqual(clock);
    expect(audit.events.at(-1)).toMatchObject({
      action: 'auth.second-factor',
      outcome: 'success',
      details: { method: 'passkey' },
    });
  });

  it('steps up an active session with a passkey', async () => {
    const person = await withPasskey('zhao.lei');
    advance(10 * 60_000);
    const stale = await reload(person.token);
    const options = await passkeys.authenticationOptions(ctx(stale));
    await passkeys.authenticate(ctx(stale), asAssertion(person.authenticator.authenticate(options)));
    expect((await reload(person.token)).secondFactorAt).toEqual(clock);
  });

  it('refuses a replayed or lower signature counter', async () => {
    const person = await withPasskey('chen.jie');
    const again = await signInAgain('chen.jie');
    const first = await passkeys.authenticationOptions(ctx(again.principal));
    await passkeys.authenticate(ctx(again.principal), asAssertion(person.authenticator.authenticate(first)));
    const counter = person.authenticator.credentials[0]?.counter ?? 0;

    for (const stale of [counter, counter - 1]) {
      const options = await passkeys.authenticationOptions(ctx(again.principal));
      await refusedWith(
        passkeys.authenticate(
          ctx(again.principal),
          asAssertion(person.authenticator.authenticate(options, { counter: stale })),
        ),
        'invalid-code',
      );
    }
    expect(audit.actions().filter((action) => action === 'auth.second-factor:failure')).toHaveLength(2);
  });

  it('refuses an answer from another origin', async () => {
    const person = await withPasskey('sun.li');
    const again = await signInAgain('sun.li');
    const options = await passkeys.authenticationOptions(ctx(again.principal));
    await refusedWith(
      passkeys.authenticate(
        ctx(again.principal),
        asAssertion(
          person.authenticator.authenticate(options, { origin: 'https://claims.example.com.evil.test' }),
        ),
      ),
      'invalid-code',
    );
    expect((await reload(again.token)).sessionState).toBe('mfa-pending');

    // Registration too.
    const other = await newcomer('sun.li.2');
    const registration = await passkeys.registrationOptions(ctx(other.principal));
    await refusedWith(
      passkeys.register(
        ctx(other.principal),
        asRegistration(
          new SoftwareAuthenticator(ORIGIN).register(registration, { origin: 'http://localhost:3000' }),
        ),
        undefined,
      ),
      'invalid-code',
    );
    expect((await reload(other.token)).sessionState).toBe('enrolment-required');
  });

  it('refuses an answer to another challenge', async () => {
    const person = await withPasskey('zhou.min');
    const again = await signInAgain('zhou.min');
    const options = await passkeys.authenticationOptions(ctx(again.principal));
    await refusedWith(
      passkeys.authenticate(
        ctx(again.principal),
        asAssertion(
          person.authenticator.authenticate(options, { challenge: randomBytes(32).toString('base64url') }),
        ),
      ),
      'invalid-code',
    );
    // The answer to the replaced challenge of an earlier request is refused as well.
    const earlier = await passkeys.authenticationOptions(ctx(again.principal));
    await passkeys.authenticationOptions(ctx(again.principal));
    await refusedWith(
      passkeys.authenticate(ctx(again.principal), asAssertion(person.authenticator.authenticate(earlier))),
      'invalid-code',
    );
  });

  it('accepts a challenge once', async () => {
    const person = await withPasskey('wu.hao');
    const again = await signInAgain('wu.hao');
    const options = await passkeys.authenticationOptions(ctx(again.principal));
    const answer = asAssertion(person.authenticator.authenticate(options));
    await passkeys.authenticate(ctx(again.principal), answer);
    await refusedWith(passkeys.authenticate(ctx(await reload(again.token)), answer), 'invalid-code');
    // A fresh assertion without asking for a new challenge is refused too.
    await refusedWith(
      passkeys.authenticate(
        ctx(await reload(again.token)),
        asAssertion(person.authenticator.authenticate(options)),
      ),
      'invalid-code',
    );
  });

  it('refuses an expired challenge', async () => {
    const person = await withPasskey('ma.yun');
    const again = await signInAgain('ma.yun');
    const options = await passkeys.authenticationOptions(ctx(again.principal));
    advance(6 * 60_000);
    await refusedWith(
      passkeys.authenticate(ctx(again.principal), asAssertion(person.authenticator.authenticate(options))),
      'invalid-code',
    );
  });

  it("refuses another person's passkey", async () => {
    const mallory = await withPasskey('mallory');
    await withPasskey('alice');
    const alice = await signInAgain('alice');
    const options = await passkeys.authenticationOptions(ctx(alice.principal));
    await refusedWith(
      passkeys.authenticate(ctx(alice.principal), asAssertion(mallory.authenticator.authenticate(options))),
      'invalid-code',
    );
    expect((await reload(alice.token)).sessionState).toBe('mfa-pending');
    expect(audit.events.at(-1)).toMatchObject({
      action: 'auth.second-factor',
      outcome: 'failure',
      details: { method: 'passkey', reason: 'unknown-credential' },
    });
  });

  it('adds a second passkey only after a step-up, excluding the ones already registered', async () => {
    const person = await withPasskey('he.ping');
    advance(10 * 60_000);
    const stale = await reload(person.token);
    await refusedWith(passkeys.registrationOptions(ctx(stale)), 'step-up-required');

    const stepUp = await passkeys.authenticationOptions(ctx(stale));
    await passkeys.authenticate(ctx(stale), asAssertion(person.authenticator.authenticate(stepUp)));
    const fresh = await reload(person.token);
    const options = await passkeys.registrationOptions(ctx(fresh));
    expect(options.excludeCredentials?.map((entry) => entry.id)).toEqual([
      person.authenticator.credentials[0]?.id,
    ]);
    const phone = new SoftwareAuthenticator(ORIGIN);
    const { recoveryCodes } = await passkeys.register(
      ctx(fresh),
      asRegistration(phone.register(options)),
      'Phone',
    );
    expect(recoveryCodes).toBeNull();
    expect((await passkeys.list(ctx(fresh))).map((row) => row.deviceName)).toEqual(['Laptop', 'Phone']);
    // The recovery codes of the first enrolment stay valid.
    expect((await identity.secondFactorStatus(fresh.userId)).recoveryCodesLeft).toBe(10);
  });

  it('refuses registration while the sign-in waits for its second factor', async () => {
    await withPasskey('luo.yi');
    const again = await signInAgain('luo.yi');
    await refusedWith(passkeys.registrationOptions(ctx(again.principal)), 'second-factor-required');
  });

  it('deletes a passkey after a step-up, but never the last second factor', async () => {
    const person = await withPasskey('guo.jing');
    const only = (await passkeys.list(ctx(person.principal)))[0];
    if (!only) throw new Error('no passkey');
    await refusedWith(passkeys.delete(ctx(person.principal), only.id), 'conflict');
    expect(audit.events.at(-1)).toMatchObject({ action: 'auth.passkey.deleted', outcome: 'denied' });

    // With an authenticator app as well, the passkey may go.
    const enrolment = await identity.startTotpEnrolment(ctx(person.principal));
    advance(30_000);
    await identity.confirmTotpEnrolment(ctx(person.principal), totpCodeAt(enrolment.secret, clock.getTime()));
    const fresh = await reload(person.token);
    await refusedWith(passkeys.delete(ctx(fresh), '00000000-0000-4000-8000-000000000000'), 'not-found');
    await passkeys.delete(ctx(fresh), only.id);
    expect(await passkeys.list(ctx(fresh))).toEqual([]);
    expect(audit.events.at(-1)).toMatchObject({
      action: 'auth.passkey.deleted',
      outcome: 'success',
      resource: { type: 'passkey', id: only.id },
    });

    advance(10 * 60_000);
    await refusedWith(passkeys.delete(ctx(await reload(person.token)), only.id), 'step-up-required');
  });

  it("does not delete another person's passkey", async () => {
    const owner = await withPasskey('owner');
    const owned = (await passkeys.list(ctx(owner.principal)))[0];
    const other = await withPasskey('other');
    await refusedWith(passkeys.delete(ctx(other.principal), owned?.id ?? ''), 'not-found');
    expect(await passkeys.list(ctx(owner.principal))).toHaveLength(1);
  });

  it('takes its relying party from the public URL', () => {
    const service = new PasskeyService(store.db, { audit, publicUrl: 'https://claims.example.com:8443' });
    expect(service.rpID).toBe('claims.example.com');
    expect(service.origin).toBe('https://claims.example.com:8443');
  });
});
