import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors/domain-error.js';
import { rulesOf } from '../access/abilities.js';
import { hasFreshSecondFactor } from '../access/principal.js';
import { ROLE_LABELS, STAFF_ROLES } from '../access/roles.js';
import { contextOf, SESSION_COOKIE } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import {
  apiTokenCreateSchema,
  apiTokenSchema,
  codeBodySchema,
  createUserSchema,
  idParamsSchema,
  loginBodySchema,
  loginResponseSchema,
  meSchema,
  myEmailBodySchema,
  myEmailSchema,
  passwordChangeSchema,
  sessionSchema,
  updateUserSchema,
  userSchema,
} from './identity.schema.js';
import type { IdentityService } from './identity.service.js';

const errors = problemResponses;
const ok = z.object({ ok: z.literal(true) });

function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date): void {
  // SECURITY: HttpOnly keeps scripts away from it, Secure and the __Host- prefix keep it to HTTPS (and
  // localhost) on this exact host, SameSite=Strict keeps other sites from sending it.
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    expires: expiresAt,
  });
}

/** Sign-in, second factors, own sessions and API tokens, under /api/v1/auth. */
export const authRoutes: FastifyPluginAsyncZod<{ identity: IdentityService }> = async (app, { identity }) => {
  app.post(
    '/auth/login',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with login name and password; a second factor follows',
        body: loginBodySchema,
        response: { 200: loginResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await identity.login(request.body, contextOf(request));
      setSessionCookie(reply, result.sessionToken, result.session.expiresAt);
      return {
        next: result.next,
        csrfToken: result.session.csrfToken ?? '',
        session: { id: result.session.id, expiresAt: result.session.expiresAt },
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: { tags: ['auth'], summary: 'Sign out: ends this session', response: { 200: ok, ...errors } },
    },
    async (request, reply) => {
      await identity.logout(contextOf(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Who I am, my session state, my second factors and what I may do',
        response: { 200: meSchema, ...errors },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal?.kind !== 'staff') {
        throw new DomainError('forbidden', 'Only for signed-in staff.');
      }
      const user = await identity.me(contextOf(request));
      return {
        user,
        session: {
          id: principal.sessionId,
          state: principal.sessionState,
          secondFactorFresh: hasFreshSecondFactor(principal),
        },
        secondFactor: await identity.secondFactorStatus(principal.userId),
        csrfToken: principal.csrfToken,
        permissions: rulesOf(request.ability),
      };
    },
  );

  app.get(
    '/auth/me/email',
    {
      // Own data only: any signed-in staff member, for themselves.
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'My work email, masked (the read is audited)',
        response: { 200: myEmailSchema, ...errors },
      },
    },
    async (request) => identity.myEmail(contextOf(request)),
  );

  app.put(
    '/auth/me/email',
    {
      // Where security alerts reach me: changing it is a key operation, so it needs a fresh second factor.
      config: { access: { authenticated: true, stepUp: true } },
      schema: {
        tags: ['auth'],
        summary: 'Set (or, with null, remove) my work email; audited',
        body: myEmailBodySchema,
        response: { 200: myEmailSchema, ...errors },
      },
    },
    async (request) => identity.setMyEmail(contextOf(request), request.body.email),
  );

  app.post(
    '/auth/totp/enrolment',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Start TOTP enrolment: the secret and a QR code, shown once',
        response: {
          200: z.object({ secret: z.string(), uri: z.string(), qrDataUrl: z.string() }),
          ...errors,
        },
      },
    },
    async (request) => identity.startTotpEnrolment(contextOf(request)),
  );

  app.post(
    '/auth/totp/enrolment/confirm',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Confirm TOTP enrolment with a code; returns ten recovery codes, shown once',
        body: codeBodySchema,
        response: { 200: z.object({ recoveryCodes: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => identity.confirmTotpEnrolment(contextOf(request), request.body.code),
  );

  app.post(
    '/auth/second-factor',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Verify a TOTP code: completes sign-in, or steps up for five minutes',
        body: codeBodySchema,
        response: { 200: z.object({ secondFactorAt: z.date() }), ...errors },
      },
    },
    async (request) => identity.verifySecondFactor(contextOf(request), request.body.code),
  );

  app.post(
    '/auth/recovery-code',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Use a one-time recovery code instead of a TOTP code',
        body: codeBodySchema,
        response: { 200: z.object({ remaining: z.number().int() }), ...errors },
      },
    },
    async (request) => identity.redeemRecoveryCode(contextOf(request), request.body.code),
  );

  app.post(
    '/auth/password',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Change my password (required after an administrator set a one-time password)',
        body: passwordChangeSchema,
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await identity.changePassword(
        contextOf(request),
        request.body.currentPassword,
        request.body.newPassword,
      );
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/sessions',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'My open sessions',
        response: { 200: z.array(sessionSchema), ...errors },
      },
    },
    async (request) => identity.listMySessions(contextOf(request)),
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'End one of my sessions',
        params: idParamsSchema,
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await identity.revokeMySession(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/tokens',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'My API tokens',
        response: { 200: z.array(apiTokenSchema), ...errors },
      },
    },
    async (request) =>
      (await identity.listApiTokens(contextOf(request))).map((row) => ({
        id: row.id,
        name: row.name,
        scopes: row.scopes,
        expiresAt: row.expires_at,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      })),
  );

  app.post(
    '/auth/tokens',
    {
      config: { access: { authenticated: true, stepUp: true } },
      schema: {
        tags: ['auth'],
        summary: 'Create a scoped API token (shown once); needs a fresh second factor',
        body: apiTokenCreateSchema,
        response: { 200: z.object({ id: z.uuid(), token: z.string(), expiresAt: z.date() }), ...errors },
      },
    },
    async (request) => identity.createApiToken(contextOf(request), request.body),
  );

  app.delete(
    '/auth/tokens/:id',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of my API tokens',
        params: idParamsSchema,
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await identity.revokeApiToken(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};

/** User and role administration, under /api/v1. */
export const userRoutes: FastifyPluginAsyncZod<{ identity: IdentityService }> = async (app, { identity }) => {
  app.get(
    '/roles',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['users'],
        summary: 'The staff roles and their names',
        response: {
          200: z.array(
            z.object({
              role: z.enum(STAFF_ROLES),
              label: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }),
            }),
          ),
          ...errors,
        },
      },
    },
    async () => STAFF_ROLES.map((role) => ({ role, label: ROLE_LABELS[role] })),
  );

  app.get(
    '/users',
    {
      config: { access: { can: ['read', 'User'] } },
      schema: {
        tags: ['users'],
        summary: 'Staff accounts',
        response: { 200: z.array(userSchema), ...errors },
      },
    },
    async (request) => identity.listUsersForAdministration(contextOf(request)),
  );

  app.post(
    '/users',
    {
      config: { access: { can: ['create', 'User'], stepUp: true } },
      schema: {
        tags: ['users'],
        summary: 'Create a staff account with a one-time password (shown once)',
        body: createUserSchema,
        response: { 200: z.object({ user: userSchema, oneTimePassword: z.string() }), ...errors },
      },
    },
    async (request) => identity.createUser(contextOf(request), request.body),
  );

  app.patch(
    '/users/:id',
    {
      config: { access: { can: ['update', 'User'], stepUp: true } },
      schema: {
        tags: ['users'],
        summary:
          "Change a user's role, branch, status, access expiry or work email; a role change or disabling ends their sessions",
        params: idParamsSchema,
        body: updateUserSchema,
        response: { 200: userSchema, ...errors },
      },
    },
    async (request) => identity.updateUser(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/users/:id/revoke-sessions',
    {
      config: { access: { can: ['revoke', 'Session'], stepUp: true } },
      schema: {
        tags: ['users'],
        summary: "End all of a user's sessions",
        params: idParamsSchema,
        response: { 200: z.object({ revoked: z.number().int() }), ...errors },
      },
    },
    async (request) => identity.revokeUserSessions(contextOf(request), request.params.id),
  );
};
