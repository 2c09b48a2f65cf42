import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs, TEST_PASSWORD } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { totpCodeAt } from '../identity/totp.js';
import type { Action, Subject } from './abilities.js';
import { STAFF_ROLES, type StaffRole } from './roles.js';
import { CSRF_HEADER, type RouteAccess } from './route-access.js';

/**
 * The authorisation matrix (S3.2): written out by hand as the policy says it, then checked against every
 * registered route for every role. A new route or a changed grant that nobody wrote down here fails.
 */
const EVERY_STAFF_ROLE_BUT_EXTERNAL = STAFF_ROLES.filter((role) => role !== 'external_auditor');
const EXPECTED: Record<string, readonly StaffRole[]> = {
  'read:System': EVERY_STAFF_ROLE_BUT_EXTERNAL,
  'read:Catalogue': STAFF_ROLES,
  'read:User': ['security_officer', 'internal_auditor', 'admin'],
  'create:User': ['admin'],
  'update:User': ['admin'],
  'revoke:Session': ['security_officer', 'admin'],
  'read:AuditLog': ['security_officer', 'internal_auditor', 'external_auditor'],
  'verify:AuditLog': ['security_officer', 'internal_auditor', 'external_auditor'],
  'export:AuditLog': ['security_officer', 'internal_auditor', 'external_auditor'],
  'unmask:PersonalData': [
    'claims_intake',
    'adjuster',
    'surveyor',
    'claims_supervisor',
    'finance',
    'security_officer',
  ],
  'request:BreakGlass': [
    'claims_intake',
    'adjuster',
    'surveyor',
    'claims_supervisor',
    'finance',
    'security_officer',
  ],
  'read:SecurityAlert': ['security_officer'],
  // Leak detection (S2.3): officers run it, internal auditors read rules and alerts; decoys are officers' only.
  'read:DetectionRule': ['security_officer', 'internal_auditor'],
  'update:DetectionRule': ['security_officer'],
  'read:DetectionAlert': ['security_officer', 'internal_auditor'],
  'update:DetectionAlert': ['security_officer'],
  'read:Honeytoken': ['security_officer'],
  'create:Honeytoken': ['security_officer'],
  'read:Keys': ['security_officer'],
  'rotate:Keys': ['security_officer'],
  // Row-level duty (assigned, branch) is checked by the claims service; see claims.routes.test.ts.
  'read:Claim': ['claims_intake', 'adjuster', 'surveyor', 'claims_supervisor', 'finance', 'security_officer'],
  'create:Claim': ['claims_intake'],
  'update:Claim': ['claims_intake', 'adjuster', 'surveyor', 'claims_supervisor'],
  'assign:Claim': ['claims_supervisor'],
  'export:Claim': ['claims_supervisor'],
  'read:Customer': ['claims_intake', 'claims_supervisor', 'security_officer'],
  // Changing a customer's contact details (S3.1, S4.3): intake and supervisors, with step-up.
  'update:Customer': ['claims_intake', 'claims_supervisor'],
  // Maker-checker on payouts (S3.3): the adjuster proposes, the supervisor approves, finance pays.
  'create:Payout': ['adjuster'],
  'approve:Payout': ['claims_supervisor'],
  'read:Payout': ['finance'],
  'execute:Payout': ['finance'],
  // Reports to regulators (S4.4): the security officer (as compliance officer) edits, the internal auditor reads.
  'read:RegulatoryRegime': ['security_officer', 'internal_auditor'],
  'update:RegulatoryRegime': ['security_officer'],
  'read:RegulatoryReport': ['security_officer', 'internal_auditor'],
  'create:RegulatoryReport': ['security_officer'],
  'update:RegulatoryReport': ['security_officer'],
  // Incident response (S2.5, S4): the security officer acts; the internal auditor reads the register.
  'read:Incident': ['security_officer', 'internal_auditor'],
  'create:Incident': ['security_officer'],
  'update:Incident': ['security_officer'],
  'contain:Incident': ['security_officer'],
  'approve:Incident': ['security_officer'],
  'export:Incident': ['security_officer'],
  // Breach notices (S4.2): the security officers alone; approval by a second officer is the service's check.
  'read:BreachNotice': ['security_officer'],
  'create:BreachNotice': ['security_officer'],
  'update:BreachNotice': ['security_officer'],
  'approve:BreachNotice': ['security_officer'],
  'execute:BreachNotice': ['security_officer'],
  'export:BreachNotice': ['security_officer'],
};

/**
 * The customer's side of the matrix (section 8): every route a signed-in customer reaches, written out so
 * that a new one is a decision. Each acts on the caller's own records only (the portal service passes the
 * principal's customer id; nothing in the request names another customer); `allowIncomplete` routes are the
 * ones a session still waiting for its code may call. Staff are refused every one of them (below).
 */
const CUSTOMER_ROUTES: Record<string, 'active' | 'allowIncomplete'> = {
  'POST /api/v1/portal/login/code': 'allowIncomplete',
  'POST /api/v1/portal/logout': 'allowIncomplete',
  'GET /api/v1/portal/me': 'active',
  'GET /api/v1/portal/policies': 'active',
  // Changing one's own phone or email (S3.1, S4.3): a code to the CURRENT contact, then the new value.
  'POST /api/v1/portal/contact-change': 'active',
  'POST /api/v1/portal/contact-change/:id': 'active',
  'GET /api/v1/portal/claims': 'active',
  'POST /api/v1/portal/claims': 'active',
  'GET /api/v1/portal/claims/:id': 'active',
  'POST /api/v1/portal/claims/:id/withdraw': 'active',
  'POST /api/v1/portal/claims/:id/documents': 'active',
  'GET /api/v1/portal/notifications': 'active',
  'POST /api/v1/portal/notifications/read': 'active',
  // Who accessed my data (S4.1): the caller's own audit subject history, and its summary by who.
  'GET /api/v1/portal/access-history': 'active',
  'GET /api/v1/portal/access-history/summary': 'active',
  // Whether the caller is among the people affected by a breach, and the notice (S4.2): their own only.
  'GET /api/v1/portal/breach-notices': 'active',
  // Compensation claims for a data leak (issue 5 section 8, S4.2): only for an incident that affected the
  // caller (the breach-notices service decides), filed on the caller's own policy as the claimant.
  'GET /api/v1/portal/compensation/:reference': 'active',
  'POST /api/v1/portal/compensation/:reference': 'active',
};

function concrete(url: string): string {
  return url
    .replace(/:id\b/g, '00000000-0000-4000-8000-000000000000')
    .replace(/:seq\b/g, '0')
    .replace(/:(\w+)/g, 'x');
}

describe('route access policies', () => {
  let server: TestServer;
  const sessions = new Map<StaffRole, StaffSession>();

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    for (const role of STAFF_ROLES) sessions.set(role, await signInAs(server, role));
  }, 300_000);

  afterAll(async () => {
    await server.close();
  });

  it('every registered route declares an access policy', () => {
    const routes = server.app.routeAccess;
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(route.access, `${route.method} ${route.url}`).toBeDefined();
    const apiRoutes = routes.filter((route) => route.url.startsWith('/api/'));
    const publicApi = apiRoutes
      .filter((route) => 'public' in route.access)
      .map((route) => `${route.method} ${route.url}`);
    // The only public API routes:
    // - signing in, for staff and for customers;
    // - the portal's two registration steps: a customer without an account gets one only by matching a
    //   resident ID number and a contact to an existing customer, then the code sent to the contact on file;
    //   everything after the password step (the code step included) needs the portal session;
    // - opening a claim share (and its documents) with the share's token, which is itself the credential:
    //   checked, audited and rate-limited by the shares service;
    // - the public breach-status page's data (S4.2): approved campaign texts only, never drills.
    expect([...publicApi].sort()).toEqual(
      [
        'GET /api/v1/public/breach-status',
        'HEAD /api/v1/public/breach-status',
        'POST /api/v1/auth/login',
        'POST /api/v1/portal/login',
        'POST /api/v1/portal/register',
        'POST /api/v1/portal/register/complete',
        'POST /api/v1/shares/open',
        'POST /api/v1/shares/documents/:id',
      ].sort(),
    );
  });

  it('keeps customer routes and staff routes apart', () => {
    for (const route of server.app.routeAccess.filter((candidate) => candidate.url.startsWith('/api/'))) {
      const isPortal = route.url.startsWith('/api/v1/portal/');
      const label = `${route.method} ${route.url}`;
      // Every customer route is a portal route, and every portal route is for customers or a public step.
      if ('customer' in route.access) expect(isPortal, label).toBe(true);
      if (isPortal) expect('customer' in route.access || 'public' in route.access, label).toBe(true);
    }
  });

  it('admits customers to exactly the written customer routes', () => {
    const customerRoutes = Object.fromEntries(
      server.app.routeAccess
        .filter((route) => 'customer' in route.access && route.method !== 'HEAD')
        .map((route) => [
          `${route.method} ${route.url}`,
          (route.access as { allowIncomplete?: boolean }).allowIncomplete ? 'allowIncomplete' : 'active',
        ]),
    );
    expect(customerRoutes).toEqual(CUSTOMER_ROUTES);
  });

  it('turns staff away from portal routes whatever their role', async () => {
    const portalRoutes = server.app.routeAccess.filter(
      (route) => 'customer' in route.access && route.method !== 'HEAD',
    );
    expect(portalRoutes.length).toBeGreaterThan(5);
    for (const route of portalRoutes) {
      for (const role of STAFF_ROLES) {
        const session = sessions.get(role) as StaffSession;
        const response = await session.request(
          route.method as 'GET',
          concrete(route.url),
          route.method === 'GET' ? undefined : {},
        );
        expect(response.statusCode, `${role} ${route.method} ${route.url}`).toBe(401);
      }
    }
  }, 120_000);

  it('lets every signed-in staff member at their own work email only, its change with step-up (S2.3, issue 5 §1)', () => {
    // Own data, like /auth/sessions: no role grant; the service reads the caller's own row only.
    const own = Object.fromEntries(
      server.app.routeAccess
        .filter((route) => route.url === '/api/v1/auth/me/email' && route.method !== 'HEAD')
        .map((route) => [route.method, route.access]),
    );
    expect(own).toEqual({
      GET: { authenticated: true },
      PUT: { authenticated: true, stepUp: true },
    });
    // Everyone else's address: the administrators' user routes (masked) and the incident playbooks' history.
    const access = (method: string, url: string) =>
      server.app.routeAccess.find((route) => route.method === method && route.url === url)?.access;
    expect(access('GET', '/api/v1/users')).toEqual({ can: ['read', 'User'] });
    expect(access('GET', '/api/v1/incidents/playbooks/:kind/versions')).toEqual({
      can: ['read', 'Incident'],
    });
  });

  it('refuses to register a route without a policy', async () => {
    const fresh = await createTestServer();
    try {
      expect(() => fresh.app.get('/api/v1/forgotten', async () => ({}))).toThrow(/declares no access policy/);
    } finally {
      await fresh.close();
    }
  });

  it('every permission used by a route is in the written matrix', () => {
    const used = new Set(
      server.app.routeAccess
        .map((route) => route.access)
        .filter((access): access is Extract<RouteAccess, { can: unknown }> => 'can' in access)
        .map((access) => `${access.can[0]}:${access.can[1]}`),
    );
    for (const permission of used) expect(Object.keys(EXPECTED)).toContain(permission);
  });

  it('answers role x route exactly as the matrix says', async () => {
    const guarded = server.app.routeAccess.filter(
      (route) => 'can' in route.access && route.method !== 'HEAD',
    );
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const [action, subject] = (route.access as { can: readonly [Action, Subject] }).can;
      const allowed = EXPECTED[`${action}:${subject}`] ?? [];
      for (const role of STAFF_ROLES) {
        const session = sessions.get(role) as StaffSession;
        const response = await session.request(
          route.method as 'GET',
          concrete(route.url),
          route.method === 'GET' ? undefined : {},
        );
        const refused =
          response.statusCode === 403 && (response.json() as { type: string }).type === '/problems/forbidden';
        expect(refused, `${role} ${route.method} ${route.url} -> ${response.statusCode}`).toBe(
          !allowed.includes(role),
        );
      }
    }
  }, 120_000);

  it('asks who you are before anything else', async () => {
    for (const route of server.app.routeAccess.filter((candidate) => !('public' in candidate.access))) {
      if (route.method === 'HEAD') continue;
      const response = await server.app.inject({ method: route.method as 'GET', url: concrete(route.url) });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(response.json()).toMatchObject({ type: '/problems/unauthenticated' });
    }
  });

  it('refuses a cookie-authenticated write without the CSRF token', async () => {
    const admin = sessions.get('admin') as StaffSession;
    const withoutToken = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: admin.cookie },
    });
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json()).toMatchObject({ type: '/problems/csrf-failed' });
    const wrongToken = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: admin.cookie, [CSRF_HEADER]: 'x'.repeat(admin.csrfToken.length) },
    });
    expect(wrongToken.statusCode).toBe(403);
  });

  it('demands a fresh second factor for key operations, and accepts one', async () => {
    const admin = sessions.get('admin') as StaffSession;
    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes'`.execute(
      server.store.db,
    );
    const stale = await admin.request('POST', '/api/v1/users', {
      username: 'new.person',
      displayName: 'New',
      role: 'finance',
    });
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ type: '/problems/step-up-required' });

    const stepUp = await admin.request('POST', '/api/v1/auth/second-factor', {
      code: totpCodeAt(admin.totpSecret, Date.now() + 30_000),
    });
    expect(stepUp.statusCode).toBe(200);
    const fresh = await admin.request('POST', '/api/v1/users', {
      username: 'new.person',
      displayName: 'New',
      role: 'finance',
    });
    expect(fresh.statusCode).toBe(200);
    expect((fresh.json() as { oneTimePassword: string }).oneTimePassword).toMatch(/^[A-Z0-9-]{24}$/);
  });

  it('records refusals in the audit log', async () => {
    const finance = sessions.get('finance') as StaffSession;
    await finance.request('GET', '/api/v1/users');
    const denials = await server.auditService.query({ action: 'access.denied', actorId: finance.userId });
    const denial = denials.items.at(-1)?.event;
    expect(denial).toMatchObject({
      outcome: 'denied',
      actor: { type: 'staff', id: finance.userId, role: 'finance' },
      resource: { type: 'route', id: 'GET /api/v1/users' },
      details: { reason: 'forbidden' },
    });
  });
});

describe('sign-in over HTTP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('sets a HttpOnly, Secure, SameSite=Strict host-only cookie and holds the session at the second factor', async () => {
    const person = await signInAs(server, 'adjuster');
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: person.username, password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ next: 'verify-second-factor' });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-claimguard-session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Domain=');

    const cookie = setCookie.split(';')[0] ?? '';
    const pending = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: { cookie },
    });
    expect(pending.statusCode).toBe(401);
    expect(pending.json()).toMatchObject({ type: '/problems/second-factor-required' });
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ session: { state: 'mfa-pending' }, user: { role: 'adjuster' } });
  });

  it('answers a wrong password and an unknown name with the same problem', async () => {
    const person = await signInAs(server, 'finance');
    const wrong = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: person.username, password: 'Not-The-Password-1' },
    });
    const unknown = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'no-such-person', password: 'Not-The-Password-1' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.body).not.toContain(person.username);
  });

  it('keeps a session that has not enrolled a second factor to the enrolment routes', async () => {
    const person = await signInAs(server, 'surveyor', { enrol: false });
    const blocked = await person.request('GET', '/api/v1/auth/sessions');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ type: '/problems/enrolment-required' });
    const enrolment = await person.request('POST', '/api/v1/auth/totp/enrolment');
    expect(enrolment.statusCode).toBe(200);
    expect((enrolment.json() as { qrDataUrl: string }).qrDataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it('lets an API token do what its scopes allow and no more', async () => {
    const auditor = await signInAs(server, 'internal_auditor');
    const created = await auditor.request('POST', '/api/v1/auth/tokens', {
      name: 'siem',
      scopes: ['read:User'],
    });
    expect(created.statusCode).toBe(200);
    const { token } = created.json() as { token: string };
    const allowed = await server.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(allowed.statusCode).toBe(200);
    const unscoped = await auditor.request('POST', '/api/v1/auth/tokens', { name: 'nothing', scopes: [] });
    const outOfScope = await server.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${(unscoped.json() as { token: string }).token}` },
    });
    expect(outOfScope.statusCode).toBe(403);
    // A token is no session: session routes do not take it.
    const sessions = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(sessions.statusCode).toBe(401);
    const bogus = await server.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: 'Bearer cgt_nope' },
    });
    expect(bogus.statusCode).toBe(401);
  });
});
