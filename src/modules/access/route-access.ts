import { subject as caslSubject } from '@casl/ability';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { DomainError } from '../../errors/domain-error.js';
import type { ClaimGuardServer } from '../../http/server.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { IdentityService } from '../identity/identity.service.js';
import { type Action, type AppAbility, abilityFor, type Subject } from './abilities.js';
import { BreakGlassService } from './break-glass.service.js';
import {
  auditActorOf,
  type CustomerPrincipal,
  hasFreshSecondFactor,
  type Principal,
  type RequestContext,
} from './principal.js';

/**
 * Every route declares who may call it (S3.2), in its `config.access`; a route without a declaration
 * fails at registration, so none can be forgotten. Declarations:
 * - `{ public: true }`: anyone (probes, sign-in, the console's assets);
 * - `{ authenticated: true }`: any signed-in principal; `allowIncomplete` also admits a session that has
 *   not finished its second factor, enrolment or password change (the routes that finish them);
 * - `{ can: [action, subject] }`: the caller's ability must allow it; `stepUp` also demands a second
 *   factor verified in the last five minutes (S3.3);
 * - `{ customer: true }`: a customer signed in to the portal (password and one-time code); `allowIncomplete`
 *   also admits a portal session still waiting for its code (the route that takes it).
 *
 * SECURITY: staff and customers never share a route. A customer route reads the portal cookie and nothing
 * else (no staff cookie, no API token); every other route ignores the portal cookie. So a staff credential
 * cannot open a portal route nor a portal credential a staff route, and the kind check below says so again.
 */
export type RouteAccess =
  | { public: true }
  | { authenticated: true; allowIncomplete?: boolean; stepUp?: boolean }
  | { can: readonly [Action, Subject]; stepUp?: boolean }
  | { customer: true; allowIncomplete?: boolean };

/** Resolves the portal cookie into a customer principal (the portal module provides it). */
export interface CustomerSessions {
  authenticateSession(token: string): Promise<CustomerPrincipal | null>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
    ability: AppAbility;
    /** When the caller's open break-glass grant ends, or null. */
    breakGlassUntil: Date | null;
  }
  interface FastifyInstance {
    /** Every route with its declared access policy, for the route-policy tests. */
    routeAccess: RegisteredRoute[];
  }
}

export const SESSION_COOKIE = '__Host-claimguard-session';
/** The customer portal's session cookie: separate from staff sessions, read only by customer routes. */
export const PORTAL_SESSION_COOKIE = '__Host-claimguard-portal';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes registered by plugins we do not write (API documentation, the console's static files): public. */
const PLUGIN_ROUTE_PREFIXES = ['/docs', '/assets/'];

export type RegisteredRoute = { method: string; url: string; access: RouteAccess };

export function contextOf(request: FastifyRequest): RequestContext {
  return {
    principal: request.principal,
    requestId: request.id,
    ip: request.ip ?? null,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
  };
}

/** Checks an attribute condition, e.g. that this adjuster may read this claim. */
export function canOnClaim(
  request: FastifyRequest,
  action: Action,
  claim: { assigneeId: string | null; surveyorId: string | null; branch: string | null },
): boolean {
  return request.ability.can(action, caslSubject('Claim', { ...claim }) as never);
}

export function installRouteAccess(
  app: ClaimGuardServer,
  deps: {
    identity: IdentityService;
    audit: AuditRecorder;
    db: Parameters<AuditRecorder['record']>[0];
    /** Portal sessions; without them no customer is ever resolved and every customer route answers 401. */
    customers?: CustomerSessions;
  },
): RegisteredRoute[] {
  const registry: RegisteredRoute[] = [];
  app.decorateRequest('principal', null);
  app.decorateRequest('ability', null as unknown as AppAbility);
  app.decorateRequest('breakGlassUntil', null);

  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { access?: RouteAccess };
    let access = config.access;
    if (!access && PLUGIN_ROUTE_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
      access = { public: true };
      route.config = { ...config, access };
    }
    if (!access) {
      // SECURITY: failing here, at start-up, means no route can ship without a declared policy.
      throw new Error(`route ${String(route.method)} ${route.url} declares no access policy (config.access)`);
    }
    for (const method of ([] as string[]).concat(route.method))
      registry.push({ method, url: route.url, access });
  });

  const deny = async (request: FastifyRequest, error: DomainError): Promise<never> => {
    if (error.code === 'forbidden' || error.code === 'step-up-required') {
      await deps.audit.record(deps.db, {
        actor: auditActorOf(contextOf(request)),
        action: 'access.denied',
        resource: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? ''}` },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'denied',
        requestId: request.id,
        details: { reason: error.code },
      });
    }
    throw error;
  };

  // Before validation: a caller who may not use a route learns nothing from how it validates input.
  app.addHook('preValidation', async (request: FastifyRequest, _reply: FastifyReply) => {
    const access = (request.routeOptions.config as { access?: RouteAccess }).access;
    const customerRoute = access !== undefined && 'customer' in access;
    const authenticated = customerRoute
      ? { principal: await authenticateCustomer(request, deps.customers), breakGlassUntil: null }
      : await authenticate(request, deps.identity);
    const principal = authenticated.principal;
    request.principal = principal;
    request.breakGlassUntil = authenticated.breakGlassUntil;
    request.ability = abilityFor(principal, { breakGlass: request.breakGlassUntil !== null });
    if (!access || 'public' in access) return;

    if (!principal) throw new DomainError('unauthenticated');
    // SECURITY: unreachable through the resolution above, and checked all the same: kinds never cross.
    if (customerRoute !== (principal.kind === 'customer')) await deny(request, new DomainError('forbidden'));
    const allowIncomplete =
      ('authenticated' in access || 'customer' in access) && access.allowIncomplete === true;
    if (principal.kind === 'customer' && principal.sessionState !== 'active' && !allowIncomplete)
      throw new DomainError('second-factor-required');
    if (principal.kind === 'staff' && !allowIncomplete) {
      if (principal.sessionState === 'mfa-pending') throw new DomainError('second-factor-required');
      if (principal.sessionState === 'enrolment-required') throw new DomainError('enrolment-required');
      if (principal.mustChangePassword) throw new DomainError('password-change-required');
    }
    // SECURITY: a cookie is sent by the browser on its own; a write must also prove it came from our page.
    if ((principal.kind === 'staff' || principal.kind === 'customer') && !SAFE_METHODS.has(request.method)) {
      const given = request.headers[CSRF_HEADER];
      if (!IdentityService.csrfMatches(principal.csrfToken, typeof given === 'string' ? given : undefined)) {
        throw new DomainError('csrf-failed');
      }
    }
    if ('can' in access && !request.ability.can(access.can[0], access.can[1])) {
      await deny(request, new DomainError('forbidden'));
    }
    if ('stepUp' in access && access.stepUp && !hasFreshSecondFactor(principal)) {
      await deny(request, new DomainError('step-up-required'));
    }
  });

  return registry;
}

async function authenticateCustomer(
  request: FastifyRequest,
  customers: CustomerSessions | undefined,
): Promise<CustomerPrincipal | null> {
  const token = request.cookies?.[PORTAL_SESSION_COOKIE];
  return token && customers ? customers.authenticateSession(token) : null;
}

async function authenticate(
  request: FastifyRequest,
  identity: IdentityService,
): Promise<{ principal: Principal | null; breakGlassUntil: Date | null }> {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer '))
    return {
      principal: await identity.authenticateApiToken(authorization.slice(7).trim()),
      breakGlassUntil: null,
    };
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token) return { principal: null, breakGlassUntil: null };
  // The open break-glass grant is read with the session, in the same statement.
  const found = await identity.authenticateSessionWith(token, BreakGlassService.activeUntilExpression);
  if (!found) return { principal: null, breakGlassUntil: null };
  const until = found.principal.sessionState === 'active' ? found.alongside : null;
  return { principal: found.principal, breakGlassUntil: until ? new Date(until) : null };
}
