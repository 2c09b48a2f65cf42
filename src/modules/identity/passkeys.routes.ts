import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contextOf } from '../access/route-access.js';
import { problemResponses } from '../system/system.schema.js';
import {
  authenticationBodySchema,
  authenticationOptionsSchema,
  idParamsSchema,
  passkeySchema,
  registrationBodySchema,
  registrationOptionsSchema,
} from './identity.schema.js';
import type { PasskeyService } from './passkeys.service.js';

const errors = problemResponses;

/**
 * Passkeys (WebAuthn) as a second factor, under /api/v1/auth/passkeys. Registering and using one may
 * finish a sign-in, so those routes admit an incomplete session; the service decides further (a second
 * passkey needs a step-up, registration waits for a pending second factor).
 */
export const passkeyRoutes: FastifyPluginAsyncZod<{ passkeys: PasskeyService }> = async (
  app,
  { passkeys },
) => {
  app.post(
    '/auth/passkeys/registration/options',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Start registering a passkey: as the first second factor, or another one after a step-up',
        response: { 200: registrationOptionsSchema, ...errors },
      },
    },
    async (request) => passkeys.registrationOptions(contextOf(request)),
  );

  app.post(
    '/auth/passkeys/registration',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary:
          "Finish registering a passkey with the browser's answer; a first enrolment returns ten recovery codes, shown once",
        body: registrationBodySchema,
        response: {
          200: z.object({ passkey: passkeySchema, recoveryCodes: z.array(z.string()).nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { deviceName, ...response } = request.body;
      return passkeys.register(
        contextOf(request),
        response as unknown as RegistrationResponseJSON,
        deviceName,
      );
    },
  );

  app.post(
    '/auth/passkeys/authentication/options',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Start confirming a sign-in or a step-up with one of my passkeys',
        response: { 200: authenticationOptionsSchema, ...errors },
      },
    },
    async (request) => passkeys.authenticationOptions(contextOf(request)),
  );

  app.post(
    '/auth/passkeys/authentication',
    {
      config: { access: { authenticated: true, allowIncomplete: true } },
      schema: {
        tags: ['auth'],
        summary: 'Verify a passkey: completes sign-in, or steps up for five minutes',
        body: authenticationBodySchema,
        response: { 200: z.object({ secondFactorAt: z.date() }), ...errors },
      },
    },
    async (request) =>
      passkeys.authenticate(contextOf(request), request.body as unknown as AuthenticationResponseJSON),
  );

  app.get(
    '/auth/passkeys',
    {
      config: { access: { authenticated: true } },
      schema: {
        tags: ['auth'],
        summary: 'My passkeys',
        response: { 200: z.array(passkeySchema), ...errors },
      },
    },
    async (request) => passkeys.list(contextOf(request)),
  );

  app.delete(
    '/auth/passkeys/:id',
    {
      config: { access: { authenticated: true, stepUp: true } },
      schema: {
        tags: ['auth'],
        summary: 'Delete one of my passkeys (never my last second factor); needs a fresh second factor',
        params: idParamsSchema,
        response: { 200: z.object({ ok: z.literal(true) }), ...errors },
      },
    },
    async (request) => {
      await passkeys.delete(contextOf(request), request.params.id);
      return { ok: true as const };
    },
  );
};
