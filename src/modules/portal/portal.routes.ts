import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../../errors/domain-error.js';
import { contextOf, PORTAL_SESSION_COOKIE } from '../access/route-access.js';
import { DOCUMENT_CATEGORIES } from '../documents/documents.service.js';
import { problemResponses } from '../system/system.schema.js';
import {
  accessHistorySchema,
  accessSummarySchema,
  claimDetailSchema,
  claimPageSchema,
  codeSchema,
  contactChangeConfirmSchema,
  contactChangedSchema,
  contactChangeStartedSchema,
  contactChangeStartSchema,
  documentSchema,
  inboxSchema,
  loginResponseSchema,
  loginSchema,
  markReadSchema,
  meSchema,
  newClaimSchema,
  pageQuerySchema,
  policiesSchema,
  registerCompleteSchema,
  registerStartedSchema,
  registerStartSchema,
  withdrawSchema,
} from './portal.schema.js';
import type { PortalService } from './portal.service.js';
import type { PortalAccountsService } from './portal-accounts.service.js';
import type { PortalSessions } from './portal-sessions.js';

/**
 * The customer portal API under /api/v1/portal (issue section 8). Public: the two registration steps and
 * the password step of sign-in; the code step and everything else need the portal session cookie (never
 * the staff one), and every write its CSRF header.
 */
const errors = problemResponses;
const ok = z.object({ ok: z.literal(true) });
const params = z.object({ id: z.uuid() });
const UPLOAD_CONTENT_TYPE = 'application/octet-stream';
const BODY_HEADROOM = 1024 * 1024;
const cookieOptions = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const;

function setPortalCookie(reply: FastifyReply, token: string, expiresAt: Date): void {
  // SECURITY: HttpOnly, Secure, host-only (__Host-), SameSite=Strict; a cookie of its own, so that a staff
  // session and a portal session never stand in for each other.
  reply.setCookie(PORTAL_SESSION_COOKIE, token, { ...cookieOptions, expires: expiresAt });
}

function decodedName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export const portalRoutes: FastifyPluginAsyncZod<{
  accounts: PortalAccountsService;
  sessions: PortalSessions;
  portal: PortalService;
  maxUploadBytes: number;
}> = async (app, { accounts, sessions, portal, maxUploadBytes }) => {
  const tags = ['portal'];
  const customer = { customer: true } as const;

  app.post(
    '/portal/register',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary:
          'Start registration: resident ID number and phone or email of an existing customer; a code goes to the contact on file. The answer is the same whether anything matched.',
        body: registerStartSchema,
        response: { 202: registerStartedSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await accounts.startRegistration(request.body, contextOf(request))),
  );

  app.post(
    '/portal/register/complete',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'Finish registration with the code and a new password (12+ characters, not common)',
        body: registerCompleteSchema,
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await accounts.completeRegistration(request.body, contextOf(request));
      return { ok: true as const };
    },
  );

  app.post(
    '/portal/login',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'Sign in with phone or email and password; a one-time code to the contact on file follows',
        body: loginSchema,
        response: { 200: loginResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const opened = await accounts.login(request.body, contextOf(request));
      setPortalCookie(reply, opened.token, opened.expiresAt);
      return {
        next: 'verify-code' as const,
        channel: opened.channel,
        codeExpiresAt: opened.codeExpiresAt,
        csrfToken: opened.csrfToken,
      };
    },
  );

  app.post(
    '/portal/login/code',
    {
      config: { access: { customer: true, allowIncomplete: true } },
      schema: {
        tags,
        summary: 'Finish sign-in with the one-time code; the session cookie is replaced',
        body: codeSchema,
        response: { 200: ok, ...errors },
      },
    },
    async (request, reply) => {
      const result = await sessions.verifyCode(contextOf(request), request.body.code);
      setPortalCookie(reply, result.token, result.expiresAt);
      return { ok: true as const };
    },
  );

  app.post(
    '/portal/logout',
    {
      config: { access: { customer: true, allowIncomplete: true } },
      schema: { tags, summary: 'Sign out of the portal', response: { 200: ok, ...errors } },
    },
    async (request, reply) => {
      await sessions.logout(contextOf(request));
      reply.clearCookie(PORTAL_SESSION_COOKIE, cookieOptions);
      return { ok: true as const };
    },
  );

  app.get(
    '/portal/me',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'Who I am: masked name and contacts, language, and the CSRF token of this session',
        response: { 200: meSchema, ...errors },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal?.kind !== 'customer') throw new DomainError('unauthenticated');
      return { ...(await portal.me(contextOf(request))), csrfToken: principal.csrfToken };
    },
  );

  app.post(
    '/portal/contact-change',
    {
      config: { access: customer },
      schema: {
        tags,
        summary:
          'Start changing my phone or email: a one-time code goes to my CURRENT phone or email (refused while a security incident holds my changes)',
        body: contactChangeStartSchema,
        response: { 202: contactChangeStartedSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await accounts.startContactChange(contextOf(request), request.body.field)),
  );

  app.post(
    '/portal/contact-change/:id',
    {
      config: { access: customer },
      schema: {
        tags,
        summary:
          'Finish changing my phone or email with the code; the new one signs in from now on and the old one is told',
        params,
        body: contactChangeConfirmSchema,
        response: { 200: contactChangedSchema, ...errors },
      },
    },
    async (request) => {
      const { code, phone, email } = request.body;
      const result = await accounts.confirmContactChange(contextOf(request), request.params.id, {
        code,
        phone,
        email,
      });
      return {
        changed: result.changed.filter((field): field is 'phone' | 'email' => field !== 'address'),
        contactChangedAt: result.contactChangedAt,
      };
    },
  );

  app.get(
    '/portal/policies',
    {
      config: { access: customer },
      schema: { tags, summary: 'Policies that list me', response: { 200: policiesSchema, ...errors } },
    },
    async (request) => ({ items: await portal.policies(contextOf(request)) }),
  );

  app.get(
    '/portal/claims',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'My claims, newest first',
        querystring: pageQuerySchema,
        response: { 200: claimPageSchema, ...errors },
      },
    },
    async (request) => portal.listClaims(contextOf(request), request.query),
  );

  app.post(
    '/portal/claims',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'Report a claim (first notice of loss) on a policy that lists me',
        body: newClaimSchema,
        response: { 201: z.object({ id: z.string(), number: z.string() }), ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await portal.report(contextOf(request), request.body)),
  );

  app.get(
    '/portal/claims/:id',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'One of my claims with its timeline and documents (personal data masked)',
        params,
        response: { 200: claimDetailSchema, ...errors },
      },
    },
    async (request) => portal.claim(contextOf(request), request.params.id),
  );

  app.post(
    '/portal/claims/:id/withdraw',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'Withdraw my claim (a reason is required)',
        params,
        body: withdrawSchema,
        response: { 200: claimDetailSchema, ...errors },
      },
    },
    async (request) => portal.withdraw(contextOf(request), request.params.id, request.body),
  );

  // Encapsulated in this plugin: the raw upload body is accepted by the upload route only.
  const bodyLimit = maxUploadBytes + BODY_HEADROOM;
  app.addContentTypeParser(UPLOAD_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/portal/claims/:id/documents',
    {
      bodyLimit,
      // SECURITY: nobody without a portal cookie makes us buffer a large body; the full check follows.
      onRequest: async (request) => {
        if (!(request.headers.cookie ?? '').includes(PORTAL_SESSION_COOKIE))
          throw new DomainError('unauthenticated');
      },
      config: { access: customer },
      schema: {
        tags,
        summary: 'Add a photo or medical document to my claim (raw body, application/octet-stream)',
        params,
        querystring: z.object({ category: z.enum(DOCUMENT_CATEGORIES) }),
        headers: z
          .object({
            'x-document-name': z.string().max(1024).optional(),
            'x-document-type': z.string().max(200).optional(),
          })
          .loose(),
        response: { 201: documentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      const isRaw = Buffer.isBuffer(body);
      if (body !== undefined && !isRaw)
        throw new DomainError('unsupported-media-type', `Send the file as ${UPLOAD_CONTENT_TYPE}.`);
      const created = await portal.upload(contextOf(request), request.params.id, {
        category: request.query.category,
        content: isRaw ? body : new Uint8Array(0),
        declared: {
          fileName: decodedName(request.headers['x-document-name']),
          contentType: request.headers['x-document-type'],
        },
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/portal/notifications',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'My in-app notices, newest first',
        querystring: pageQuerySchema,
        response: { 200: inboxSchema, ...errors },
      },
    },
    async (request) => portal.inbox(contextOf(request), request.query),
  );

  app.post(
    '/portal/notifications/read',
    {
      config: { access: customer },
      schema: {
        tags,
        summary: 'Mark my notices read',
        body: markReadSchema,
        response: { 200: z.object({ updated: z.number().int() }), ...errors },
      },
    },
    async (request) => ({ updated: await portal.markRead(contextOf(request), request.body.ids) }),
  );

  app.get(
    '/portal/access-history',
    {
      config: { access: customer },
      schema: {
        tags,
        summary:
          'Who accessed my data and why, newest first: staff by role and internal id (never names), when, purpose, action. Pass nextCursor as `before` for older entries.',
        querystring: z.object({
          before: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: accessHistorySchema, ...errors },
      },
    },
    async (request) => {
      const { before, limit } = request.query;
      return portal.accessHistory(contextOf(request), {
        ...(before === undefined ? {} : { before }),
        limit,
      });
    },
  );

  app.get(
    '/portal/access-history/summary',
    {
      config: { access: customer },
      schema: {
        tags,
        summary:
          'Who accessed my data, one row each: staff by role and internal id (never names), how often, first and last, purposes and fields',
        response: { 200: accessSummarySchema, ...errors },
      },
    },
    async (request) => portal.accessSummary(contextOf(request)),
  );
};
