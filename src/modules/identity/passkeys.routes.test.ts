import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../../test-support/software-authenticator.js';
import { sessionCookieOf, signInAs, TEST_PASSWORD } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { CSRF_HEADER } from '../access/route-access.js';

const PUBLIC_URL = 'https://claims.example.com';

describe('passkeys over HTTP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer({ publicUrl: PUBLIC_URL });
  });

  afterAll(async () => {
    await server.close();
  });

  it('enrols a passkey at set-up, signs in with it, and keeps the last factor', async () => {
    const person = await signInAs(server, 'adjuster', { enrol: false });
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);

    const options = await person.request('POST', '/api/v1/auth/passkeys/registration/options');
    expect(options.statusCode).toBe(200);
    expect(options.json()).toMatchObject({ rp: { id: 'claims.example.com', name: 'ClaimGuard' } });
    const registered = await person.request('POST', '/api/v1/auth/passkeys/registration', {
      ...authenticator.register(options.json() as { challenge: string; rp: { id?: string } }),
      deviceName: 'Work laptop',
    });
    expect(registered.statusCode).toBe(200);
    const body = registered.json() as {
      recoveryCodes: string[];
      passkey: { id: string; deviceName: string };
    };
    expect(body.recoveryCodes).toHaveLength(10);
    expect(body.passkey.deviceName).toBe('Work laptop');

    const me = await person.request('GET', '/api/v1/auth/me');
    expect(me.json()).toMatchObject({
      session: { state: 'active' },
      secondFactor: { totp: false, passkeys: 1, recoveryCodesLeft: 10 },
    });
    const mine = await person.request('GET', '/api/v1/auth/passkeys');
    expect((mine.json() as { id: string }[]).map((row) => row.id)).toEqual([body.passkey.id]);

    // The only factor cannot be deleted.
    const lastOne = await person.request('DELETE', `/api/v1/auth/passkeys/${body.passkey.id}`);
    expect(lastOne.statusCode).toBe(409);

    // Sign in again: the passkey is asked for, and completes the sign-in.
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: person.username, password: TEST_PASSWORD },
    });
    expect(login.json()).toMatchObject({ next: 'verify-second-factor' });
    const cookie = sessionCookieOf(login);
    const headers = { cookie, [CSRF_HEADER]: (login.json() as { csrfToken: string }).csrfToken };
    const blocked = await server.app.inject({ method: 'GET', url: '/api/v1/auth/passkeys', headers });
    expect(blocked.statusCode).toBe(401);
    const register = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkeys/registration/options',
      headers,
    });
    expect(register.json()).toMatchObject({ type: '/problems/second-factor-required' });

    const challenge = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkeys/authentication/options',
      headers,
    });
    expect(challenge.statusCode).toBe(200);
    const answer = authenticator.authenticate(challenge.json() as { challenge: string });
    const verified = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkeys/authentication',
      headers,
      payload: answer,
    });
    expect(verified.statusCode).toBe(200);
    const replay = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/passkeys/authentication',
      headers,
      payload: answer,
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ type: '/problems/invalid-code' });
    const open = await server.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers });
    expect(open.statusCode).toBe(200);

    const events = await server.auditService.query({ actorId: person.userId });
    const actions = events.items.map((item) => `${item.event.action}:${item.event.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'auth.passkey.registered:success',
        'auth.passkey.deleted:denied',
        'auth.second-factor:success',
        'auth.second-factor:failure',
      ]),
    );
  });

  it('bounds the WebAuthn JSON it accepts', async () => {
    const person = await signInAs(server, 'finance', { enrol: false });
    const oversized = await person.request('POST', '/api/v1/auth/passkeys/registration', {
      id: 'a'.repeat(2_000),
      rawId: 'a',
      type: 'public-key',
      response: { clientDataJSON: 'x', attestationObject: 'y' },
    });
    expect(oversized.statusCode).toBe(400);
    const notBase64 = await person.request('POST', '/api/v1/auth/passkeys/authentication', {
      id: 'a',
      rawId: 'a',
      type: 'public-key',
      response: { clientDataJSON: '{"x":1}', authenticatorData: 'y', signature: 'z' },
    });
    expect(notBase64.statusCode).toBe(400);
  });
});
