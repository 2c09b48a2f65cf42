import type { LightMyRequestResponse } from 'fastify';
import type { StaffRole } from '../modules/access/roles.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../modules/access/route-access.js';
import { IdentityService } from '../modules/identity/identity.service.js';
import { SecretBox } from '../modules/identity/secret-box.js';
import { totpCodeAt } from '../modules/identity/totp.js';
import { RecordingAudit } from './recording-audit.js';
import type { TestServer } from './test-server.js';

export const TEST_PASSWORD = 'Vermilion-Harbour-2026!';

export type StaffSession = {
  userId: string;
  username: string;
  cookie: string;
  csrfToken: string;
  totpSecret: string;
  request: (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    body?: unknown,
  ) => Promise<LightMyRequestResponse>;
};

let counter = 0;

export function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((candidate) => candidate.name === SESSION_COOKIE);
  if (!cookie) throw new Error(`no session cookie (status ${response.statusCode}: ${response.body})`);
  return `${SESSION_COOKIE}=${cookie.value}`;
}

/**
 * Creates a staff user of a role and signs them in through the HTTP API as a person would: one-time
 * password, new password, TOTP enrolment. The session ends with a fresh second factor (stepped up).
 */
export async function signInAs(
  server: TestServer,
  role: StaffRole,
  options: { branch?: string | null; accessExpiresAt?: Date | null; enrol?: boolean } = {},
): Promise<StaffSession> {
  const identity = new IdentityService(server.store.db, {
    audit: new RecordingAudit(),
    secretBox: new SecretBox(server.identityKey),
    sessionIdleMs: 30 * 60_000,
    sessionMaxMs: 12 * 3_600_000,
  });
  counter += 1;
  const username = `${role.replace('_', '-')}-${counter}`;
  const { user, oneTimePassword } = await identity.createUser(
    { principal: null, requestId: null, ip: null, userAgent: null },
    {
      username,
      displayName: `Test ${role}`,
      role,
      branch: options.branch ?? 'beijing',
      accessExpiresAt:
        options.accessExpiresAt ?? (role === 'external_auditor' ? new Date(Date.now() + 86_400_000) : null),
    },
  );
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: oneTimePassword },
  });
  const cookie = sessionCookieOf(login);
  const csrfToken = (login.json() as { csrfToken: string }).csrfToken;
  const request: StaffSession['request'] = (method, url, body) =>
    server.app.inject({
      method,
      url,
      headers: { cookie, [CSRF_HEADER]: csrfToken },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
  const changed = await request('POST', '/api/v1/auth/password', {
    currentPassword: oneTimePassword,
    newPassword: TEST_PASSWORD,
  });
  if (changed.statusCode !== 200) throw new Error(`password change failed: ${changed.body}`);
  let totpSecret = '';
  if (options.enrol !== false) {
    const enrolment = await request('POST', '/api/v1/auth/totp/enrolment');
    totpSecret = (enrolment.json() as { secret: string }).secret;
    const confirm = await request('POST', '/api/v1/auth/totp/enrolment/confirm', {
      code: totpCodeAt(totpSecret, Date.now()),
    });
    if (confirm.statusCode !== 200) throw new Error(`TOTP enrolment failed: ${confirm.body}`);
  }
  return { userId: user.id, username, cookie, csrfToken, totpSecret, request };
}
