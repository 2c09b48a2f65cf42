import type { AuditActor } from '../audit/audit-event.js';
import type { StaffRole } from './roles.js';

/**
 * Who is calling: resolved from the session cookie or an API token on every request, and handed to
 * services with the request's context. Services decide with it; they never read cookies or headers.
 */
export type StaffPrincipal = {
  kind: 'staff';
  userId: string;
  role: StaffRole;
  branch: string | null;
  sessionId: string;
  sessionState: 'mfa-pending' | 'enrolment-required' | 'active';
  mustChangePassword: boolean;
  /** When the second factor was last verified in this session (step-up is fresh for 5 minutes). */
  secondFactorAt: Date | null;
  csrfToken: string;
};

export type ApiTokenPrincipal = {
  kind: 'api-token';
  tokenId: string;
  userId: string;
  role: StaffRole;
  branch: string | null;
  /** Permissions the token was limited to, as `action:Subject` (e.g. `read:AuditLog`). */
  scopes: readonly string[];
};

/**
 * A customer signed in to the portal (issue section 8) with password and a one-time code. Customers hold no
 * role grants: they reach only `{ customer: true }` routes, which act on their own records.
 */
export type CustomerPrincipal = {
  kind: 'customer';
  /** The customer's id, which is also their vault data subject id. */
  customerId: string;
  sessionId: string;
  /** `code-pending` between the password and the one-time code; only the code step admits it. */
  sessionState: 'code-pending' | 'active';
  csrfToken: string;
};

export type Principal = StaffPrincipal | ApiTokenPrincipal | CustomerPrincipal;

/** A principal acting in a staff role (a staff session or an API token), as opposed to a customer. */
export type StaffLikePrincipal = StaffPrincipal | ApiTokenPrincipal;

/** What every service call carries besides its arguments. */
export type RequestContext = {
  principal: Principal | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
};

export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

export function hasFreshSecondFactor(principal: Principal | null, now: Date = new Date()): boolean {
  return (
    principal?.kind === 'staff' &&
    principal.secondFactorAt !== null &&
    now.getTime() - principal.secondFactorAt.getTime() <= STEP_UP_WINDOW_MS
  );
}

export function auditActorOf(context: RequestContext): AuditActor {
  const principal = context.principal;
  if (!principal) {
    return {
      type: 'system',
      id: null,
      role: null,
      sessionId: null,
      ip: context.ip,
      userAgent: context.userAgent,
    };
  }
  if (principal.kind === 'customer') {
    return {
      type: 'customer',
      id: principal.customerId,
      role: 'customer',
      sessionId: principal.sessionId,
      ip: context.ip,
      userAgent: context.userAgent,
    };
  }
  if (principal.kind === 'api-token') {
    return {
      type: 'api-token',
      id: principal.tokenId,
      role: principal.role,
      sessionId: null,
      ip: context.ip,
      userAgent: context.userAgent,
    };
  }
  return {
    type: 'staff',
    id: principal.userId,
    role: principal.role,
    sessionId: principal.sessionId,
    ip: context.ip,
    userAgent: context.userAgent,
  };
}
