import { randomUUID } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import {
  auditActorOf,
  hasFreshSecondFactor,
  type RequestContext,
  type StaffPrincipal,
} from '../access/principal.js';
import type { AuditEventInput, AuditRecorder } from '../audit/audit-event.js';
import { IdentityRepository, type PasskeyRow } from './identity.repository.js';
import { issueRecoveryCodes } from './identity.service.js';

/**
 * Passkeys (WebAuthn) as a second factor for staff (S3.3), beside the authenticator app. A passkey is
 * bound to the relying party: the host name of CLAIMGUARD_PUBLIC_URL (the RP ID) and its origin.
 * - Registration: as the first factor in an `enrolment-required` session (then ten recovery codes are
 *   issued, as for a first authenticator app), or as one more in an active session with a fresh step-up.
 * - Authentication: completes a sign-in (`mfa-pending`) or steps up an active session, exactly like a
 *   TOTP code: the session becomes active and `second_factor_at` is now.
 * Every challenge is one-time and bound to the session that asked for it. Every registration, use
 * (success and failure) and deletion is audited.
 */
export type PasskeyOptions = {
  audit: AuditRecorder;
  /** The address people open the console at, e.g. https://claims.example.com (CLAIMGUARD_PUBLIC_URL). */
  publicUrl: string;
  /** Overrides for tests; by default the host name and origin of `publicUrl`. */
  rpID?: string;
  origin?: string;
  now?: () => Date;
};

export type PasskeyView = {
  id: string;
  deviceName: string;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
};

export const RP_NAME = 'ClaimGuard';
export const CHALLENGE_TTL_MS = 5 * 60_000;
const CEREMONY_TIMEOUT_MS = 120_000;
const MAX_PASSKEYS_PER_USER = 10;

function toView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    deviceName: row.device_name,
    transports: row.transports,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export class PasskeyService {
  readonly #repository: IdentityRepository;
  readonly #now: () => Date;
  readonly rpID: string;
  readonly origin: string;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: PasskeyOptions,
  ) {
    this.#repository = new IdentityRepository(db);
    this.#now = options.now ?? (() => new Date());
    const url = new URL(options.publicUrl);
    this.rpID = options.rpID ?? url.hostname;
    this.origin = options.origin ?? url.origin;
  }

  private staff(context: RequestContext): StaffPrincipal {
    if (context.principal?.kind !== 'staff') throw new DomainError('unauthenticated');
    return context.principal;
  }

  private async record(
    trx: Kysely<Database>,
    context: RequestContext,
    action: string,
    resource: { type: string; id: string | null },
    outcome: AuditEventInput['outcome'],
    details: AuditEventInput['details'] = {},
  ): Promise<void> {
    await this.options.audit.record(trx, {
      actor: auditActorOf(context),
      action,
      resource,
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome,
      requestId: context.requestId,
      details: { method: 'passkey', ...details },
    });
  }

  private async recordFailure(
    context: RequestContext,
    action: string,
    resource: { type: string; id: string | null },
    reason: string,
  ): Promise<void> {
    await this.db
      .transaction()
      .execute((trx) => this.record(trx, context, action, resource, 'failure', { reason }));
  }

  /** Registration is open to a session enrolling its first factor, or to an active one that just stepped up. */
  private assertMayRegister(principal: StaffPrincipal): void {
    if (principal.sessionState === 'mfa-pending') throw new DomainError('second-factor-required');
    if (principal.sessionState === 'active' && !hasFreshSecondFactor(principal, this.#now())) {
      throw new DomainError('step-up-required');
    }
  }

  // ---- registration --------------------------------------------------------------------------------

  async registrationOptions(context: RequestContext): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const principal = this.staff(context);
    this.assertMayRegister(principal);
    const user = await this.#repository.findUser(principal.userId);
    if (!user) throw new DomainError('unauthenticated');
    const existing = await this.#repository.listPasskeys(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_USER) {
      throw new DomainError('conflict', `At most ${MAX_PASSKEYS_PER_USER} passkeys per person.`);
    }
    const options = await generateRegistrationOptions({
      rpName: RP_NAME,
      rpID: this.rpID,
      userName: user.username,
      userDisplayName: user.display_name,
      userID: new TextEncoder().encode(user.id),
      timeout: CEREMONY_TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: row.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      // ES256 and RS256 cover the platform authenticators and security keys staff use; EdDSA as well.
      supportedAlgorithmIDs: [-7, -8, -257],
    });
    await this.#repository.saveChallenge({
      id: randomUUID(),
      user_id: user.id,
      session_id: principal.sessionId,
      purpose: 'registration',
      challenge: options.challenge,
      expires_at: new Date(this.#now().getTime() + CHALLENGE_TTL_MS),
    });
    return options;
  }

  /**
   * Verifies the browser's answer and stores the passkey. On a first enrolment the session becomes
   * active and ten recovery codes are returned (shown once); otherwise `recoveryCodes` is null.
   */
  async register(
    context: RequestContext,
    response: RegistrationResponseJSON,
    deviceName: string | undefined,
  ): Promise<{ passkey: PasskeyView; recoveryCodes: string[] | null }> {
    const principal = this.staff(context);
    this.assertMayRegister(principal);
    const now = this.#now();
    const resource = { type: 'staff-user', id: principal.userId };
    const challenge = await this.#repository.consumeChallenge(
      principal.sessionId,
      principal.userId,
      'registration',
      now,
    );
    if (!challenge) {
      await this.recordFailure(context, 'auth.passkey.registered', resource, 'no-challenge');
      throw new DomainError('invalid-code', 'No passkey registration is waiting, or it expired.');
    }
    let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo'];
    try {
      const verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        requireUserVerification: false,
        supportedAlgorithmIDs: [-7, -8, -257],
      });
      info = verification.verified ? verification.registrationInfo : undefined;
    } catch {
      info = undefined;
    }
    if (!info) {
      await this.recordFailure(context, 'auth.passkey.registered', resource, 'verification-failed');
      throw new DomainError('invalid-code', 'The passkey could not be verified.');
    }
    const credential = info.credential;
    if (await this.#repository.credentialIdTaken(credential.id)) {
      await this.recordFailure(context, 'auth.passkey.registered', resource, 'already-registered');
      throw new DomainError('conflict', 'This passkey is already registered.');
    }
    const id = randomUUID();
    const firstFactor = principal.sessionState === 'enrolment-required';
    const name = deviceName?.trim() || 'Passkey';
    const result = await this.db.transaction().execute(async (trx) => {
      const repository = this.#repository.with(trx);
      await repository.insertPasskey({
        id,
        user_id: principal.userId,
        credential_id: credential.id,
        public_key: credential.publicKey,
        counter: credential.counter,
        transports: (credential.transports ?? []).map(String),
        device_name: name,
      });
      let codes: string[] | null = null;
      if (firstFactor) {
        codes = await issueRecoveryCodes(repository, principal.userId);
        await repository.updateSession(principal.sessionId, { state: 'active', second_factor_at: now });
      }
      await this.record(trx, context, 'auth.passkey.registered', { type: 'passkey', id }, 'success', {
        firstFactor,
        userVerified: info.userVerified,
        deviceType: info.credentialDeviceType,
      });
      return codes;
    });
    const row = (await this.#repository.listPasskeys(principal.userId)).find(
      (candidate) => candidate.id === id,
    );
    if (!row) throw new DomainError('internal');
    return { passkey: toView(row), recoveryCodes: result };
  }

  // ---- authentication ------------------------------------------------------------------------------

  async authenticationOptions(context: RequestContext): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const principal = this.staff(context);
    if (principal.sessionState === 'enrolment-required') throw new DomainError('enrolment-required');
    const passkeys = await this.#repository.listPasskeys(principal.userId);
    if (passkeys.length === 0) throw new DomainError('conflict', 'No passkey is registered.');
    const options = await generateAuthenticationOptions({
      rpID: this.rpID,
      allowCredentials: passkeys.map((row) => ({ id: row.credential_id, transports: row.transports })),
      userVerification: 'preferred',
      timeout: CEREMONY_TIMEOUT_MS,
    });
    await this.#repository.saveChallenge({
      id: randomUUID(),
      user_id: principal.userId,
      session_id: principal.sessionId,
      purpose: 'authentication',
      challenge: options.challenge,
      expires_at: new Date(this.#now().getTime() + CHALLENGE_TTL_MS),
    });
    return options;
  }

  /** Completes a sign-in, or steps up an active session, with a passkey: the same effect as a TOTP code. */
  async authenticate(
    context: RequestContext,
    response: AuthenticationResponseJSON,
  ): Promise<{ secondFactorAt: Date }> {
    const principal = this.staff(context);
    if (principal.sessionState === 'enrolment-required') throw new DomainError('enrolment-required');
    const now = this.#now();
    const resource = { type: 'staff-session', id: principal.sessionId };
    const refuse = async (reason: string): Promise<never> => {
      await this.recordFailure(context, 'auth.second-factor', resource, reason);
      throw new DomainError('invalid-code', 'The passkey was not accepted.');
    };
    const challenge = await this.#repository.consumeChallenge(
      principal.sessionId,
      principal.userId,
      'authentication',
      now,
    );
    if (!challenge) return refuse('no-challenge');
    // Another person's passkey answers like an unknown one.
    const passkey = await this.#repository.findPasskeyByCredentialId(principal.userId, response.id);
    if (!passkey) return refuse('unknown-credential');
    let newCounter: number;
    try {
      const verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        credential: {
          id: passkey.credential_id,
          publicKey: new Uint8Array(passkey.public_key),
          counter: passkey.counter,
          transports: passkey.transports as never,
        },
        requireUserVerification: false,
      });
      if (!verification.verified) return refuse('verification-failed');
      newCounter = verification.authenticationInfo.newCounter;
    } catch {
      return refuse('verification-failed');
    }
    // SECURITY: a signature counter that does not rise (when the authenticator keeps one) may mean a
    // cloned key; the library refuses it, and the conditional update refuses a race of two answers.
    if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) return refuse('counter');
    await this.db
      .transaction()
      .execute(async (trx) => {
        const repository = this.#repository.with(trx);
        if (!(await repository.claimPasskeyCounter(passkey.id, passkey.counter, newCounter, now))) {
          throw new DomainError('invalid-code', 'The passkey was not accepted.');
        }
        await repository.updateSession(principal.sessionId, { state: 'active', second_factor_at: now });
        await this.record(trx, context, 'auth.second-factor', resource, 'success', { passkeyId: passkey.id });
      })
      .catch(async (error: unknown) => {
        if (error instanceof DomainError && error.code === 'invalid-code') return refuse('counter-race');
        throw error;
      });
    return { secondFactorAt: now };
  }

  // ---- my passkeys ---------------------------------------------------------------------------------

  async list(context: RequestContext): Promise<PasskeyView[]> {
    return (await this.#repository.listPasskeys(this.staff(context).userId)).map(toView);
  }

  /** Deletes one of my passkeys (the route demands a step-up); never the last factor I have. */
  async delete(context: RequestContext, id: string): Promise<void> {
    const principal = this.staff(context);
    if (!hasFreshSecondFactor(principal, this.#now())) throw new DomainError('step-up-required');
    await this.db
      .transaction()
      .execute(async (trx) => {
        const repository = this.#repository.with(trx);
        const mine = await repository.listPasskeys(principal.userId);
        if (!mine.some((row) => row.id === id)) throw new DomainError('not-found', 'No such passkey.');
        const totp = await repository.findTotp(principal.userId);
        if (mine.length === 1 && !totp?.confirmed_at) {
          throw new DomainError(
            'conflict',
            'This is your only second factor: add an authenticator app or another passkey first.',
            { reason: 'last-factor' },
          );
        }
        await repository.deletePasskey(id, principal.userId);
        await this.record(trx, context, 'auth.passkey.deleted', { type: 'passkey', id }, 'success');
      })
      .catch(async (error: unknown) => {
        if (error instanceof DomainError && error.code === 'conflict') {
          await this.db.transaction().execute((trx) =>
            this.record(trx, context, 'auth.passkey.deleted', { type: 'passkey', id }, 'denied', {
              reason: 'last-factor',
            }),
          );
        }
        throw error;
      });
  }
}
