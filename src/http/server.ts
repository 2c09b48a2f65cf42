import { hkdfSync, randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { type Config, SETTINGS } from '../config/config.js';
import { PACKAGE_VERSION, WEB_CONSOLE_DIR } from '../config/package-info.js';
import type { Store } from '../db/store.js';
import { DomainError } from '../errors/domain-error.js';
import { accessRoutes } from '../modules/access/access.routes.js';
import { BreakGlassService } from '../modules/access/break-glass.service.js';
import { installRouteAccess } from '../modules/access/route-access.js';
import { auditRoutes } from '../modules/audit/audit.routes.js';
import type { AuditService } from '../modules/audit/audit.service.js';
import type { AuditRecorder } from '../modules/audit/audit-event.js';
import type { BreachNoticeSources } from '../modules/breach-notices/affected-subjects.js';
import { BreachNoticeSender } from '../modules/breach-notices/breach-notice-sender.js';
import { breachNoticesRoutes } from '../modules/breach-notices/breach-notices.routes.js';
import { BreachNoticesService } from '../modules/breach-notices/breach-notices.service.js';
import { claimNotices, customerDirectory } from '../modules/claims/claim-notices.js';
import { ClaimantVerificationService } from '../modules/claims/claimant-verification.js';
import { claimsRoutes } from '../modules/claims/claims.routes.js';
import { ClaimsService } from '../modules/claims/claims.service.js';
import { CustomerService } from '../modules/claims/customers.service.js';
import { detectionRoutes } from '../modules/detection/detection.routes.js';
import { DetectionService } from '../modules/detection/detection.service.js';
import { HoneytokenService } from '../modules/detection/honeytokens.service.js';
import { documentsRoutes } from '../modules/documents/documents.routes.js';
import { DocumentsService } from '../modules/documents/documents.service.js';
import { authRoutes, userRoutes } from '../modules/identity/identity.routes.js';
import { IdentityService } from '../modules/identity/identity.service.js';
import { passkeyRoutes } from '../modules/identity/passkeys.routes.js';
import { PasskeyService } from '../modules/identity/passkeys.service.js';
import { SecretBox } from '../modules/identity/secret-box.js';
import { staffDirectory } from '../modules/identity/staff-directory.js';
import { breachNoticeSourcesOf } from '../modules/incidents/breach-notice-sources.js';
import { ContainmentChecks, ContainmentService } from '../modules/incidents/containment.service.js';
import { incidentsRoutes } from '../modules/incidents/incidents.routes.js';
import { IncidentsService } from '../modules/incidents/incidents.service.js';
import { regulatoryFactsOf } from '../modules/incidents/regulatory-facts.js';
import {
  deriveNotificationKey,
  NotificationService,
  type RecipientDirectory,
} from '../modules/notifications/notifications.service.js';
import { directoryByKind } from '../modules/notifications/recipient-directories.js';
import { type PaymentGateway, SimulatedPaymentGateway } from '../modules/payouts/payment-gateway.js';
import { payoutsRoutes } from '../modules/payouts/payouts.routes.js';
import { PayoutsService } from '../modules/payouts/payouts.service.js';
import { compensationRoutes } from '../modules/portal/compensation.routes.js';
import { CompensationService } from '../modules/portal/compensation.service.js';
import { portalRoutes } from '../modules/portal/portal.routes.js';
import { PortalService } from '../modules/portal/portal.service.js';
import { PortalAccountsService } from '../modules/portal/portal-accounts.service.js';
import { derivePortalKeys } from '../modules/portal/portal-codes.js';
import { PortalSessions } from '../modules/portal/portal-sessions.js';
import type { IncidentFacts, IncidentFactsSource } from '../modules/regulatory-reports/incident-facts.js';
import { regulatoryReportsRoutes } from '../modules/regulatory-reports/regulatory-reports.routes.js';
import { RegulatoryReportsService } from '../modules/regulatory-reports/regulatory-reports.service.js';
import { sharesRoutes } from '../modules/shares/shares.routes.js';
import { SharesService } from '../modules/shares/shares.service.js';
import { probeRoutes, systemRoutes } from '../modules/system/system.routes.js';
import { SystemService } from '../modules/system/system.service.js';
import type { VaultKeys } from '../modules/vault/key-provider.js';
import { rotateKeys } from '../modules/vault/key-rotation.js';
import { catalogueRoutes, keyRoutes } from '../modules/vault/vault.routes.js';
import { VaultService } from '../modules/vault/vault.service.js';
import { OneLineRequestLog } from './logger.js';
import { problemErrorHandler } from './problem-details.js';
import { securityHeaders } from './security-headers.js';
import { registerWebConsole } from './web-console.js';

export const API_PREFIX = '/api/v1';

declare module 'fastify' {
  interface FastifyInstance {
    /** The claims module's services, for the demo loader and tests (absent without vault keys). */
    claims?: {
      claims: ClaimsService;
      customers: CustomerService;
      vault: VaultService;
      notifications: NotificationService;
      /** Where the notification dispatcher finds addresses: customers' through the vault, staff's through identity. */
      directory: RecipientDirectory;
      documents: DocumentsService;
      payouts: PayoutsService;
    };
    /** Reports to regulators (S4.4), for the deadline monitor `start-server.ts` runs (absent without vault keys). */
    regulatoryReports?: RegulatoryReportsService;
    /** Leak detection (S2.3): start-server runs its engine; tests drive it. */
    detection: { service: DetectionService; honeytokens: HoneytokenService | null };
    /** Breach notices (S4.2): the service, and the job that start-server.ts runs in the background. */
    breachNotices?: { service: BreachNoticesService; sender: BreachNoticeSender };
  }
}

/** The server as the modules see it: Zod schemas type each route's input and output. */
export type ClaimGuardServer = FastifyInstance<
  RawServerDefault,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export type ServerOptions = {
  config: Pick<
    Config,
    'bodyLimit' | 'rateLimit' | 'trustProxy' | 'language' | 'sessionIdleMinutes' | 'sessionMaxHours'
  > &
    Partial<Pick<Config, 'publicUrl'>>;
  store: Store;
  logger: FastifyBaseLogger;
  /** Where every module records its audit events (the audit module's service in production). */
  audit: AuditRecorder;
  /** The audit log itself, for its search, verification and export API. */
  auditService?: AuditService;
  /** The vault's keys, for the key status and rotation API. */
  vaultKeys?: VaultKeys;
  /** Seals second-factor secrets (see identity-keys.ts). */
  identityKey: Buffer;
  /** The bank payouts are paid through; the simulated bank when absent. */
  paymentGateway?: PaymentGateway;
  /** Incidents' facts for the regulatory reports (the incidents module); every incident unknown when absent. */
  incidentFacts?: IncidentFactsSource;
  /** Directory of the built console; defaults to web/dist of this checkout. */
  webConsoleDir?: string;
  /** Where breach notices learn an incident's affected subjects and summary (the incidents module). */
  breachNoticeSources?: BreachNoticeSources;
};

/**
 * Builds the HTTP server: security headers, rate limits, schemas, problem+json errors, OpenAPI, the
 * modules' routes and the web console. The caller owns the store and listening; see `start-server.ts`.
 */
export async function buildServer(options: ServerOptions): Promise<ClaimGuardServer> {
  const { config, store } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Request ids are ours, never taken from the client, so a log line cannot be forged into another's.
    genReqId: () => randomUUID(),
    logController: new OneLineRequestLog({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  // Graceful shutdown: a keep-alive client would hold its idle connection open past close(), so every
  // response sent once closing has begun tells the client to hang up.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });

  const headers = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => headers(request.raw, reply.raw, done));

  await app.register(rateLimit, {
    max: config.rateLimit,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => {
      const error = new DomainError('rate-limited', `Try again in ${Math.ceil(context.ttl / 1000)} s.`);
      return Object.assign(error, { statusCode: 429 });
    },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ClaimGuard API',
        version: PACKAGE_VERSION,
        description:
          "Claims platform that protects insurance customers' personal information. Every error is an RFC 9457 problem (application/problem+json) whose `type` is documented at that address.",
      },
      servers: [],
      tags: [
        { name: 'system', description: 'Health, readiness and status of the server' },
        { name: 'auth', description: 'Sign-in, second factors, sessions and API tokens' },
        { name: 'users', description: 'Staff accounts and roles' },
        { name: 'vault', description: 'The personal-data catalogue' },
        { name: 'audit', description: 'The tamper-evident audit log' },
        { name: 'access', description: 'Break-glass access and security alerts' },
        { name: 'claims', description: 'Claims, customers and policies' },
        { name: 'portal', description: 'The customer portal: registration, sign-in and own claims' },
        { name: 'payouts', description: 'Claim payouts: proposal, approval, payee holds, payment' },
        { name: 'regulatory-reports', description: 'Reports to regulators with deadlines (S4.4)' },
        {
          name: 'incidents',
          description: 'Incident response: breach register, blast radius, containment, remediation',
        },
        { name: 'detection', description: 'Leak detection: rules, alerts, honeytokens and the risk view' },
        { name: 'breach-notices', description: 'Breach notices to affected customers and the public (S4.2)' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The documentation page keeps the strict policy except for inline styles, which Swagger UI sets at
    // runtime; it shows no personal data, and calls no outside validator.
    staticCSP: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
    },
    uiConfig: { docExpansion: 'list', deepLinking: false, validatorUrl: null },
  });

  await app.register(cookie);
  const identity = new IdentityService(store.db, {
    audit: options.audit,
    secretBox: new SecretBox(options.identityKey),
    sessionIdleMs: config.sessionIdleMinutes * 60_000,
    sessionMaxMs: config.sessionMaxHours * 3_600_000,
  });
  // Installed before any route, so that every route below must declare its access policy.
  const breakGlass = new BreakGlassService(store.db, options.audit);
  const portalKeys = derivePortalKeys(options.identityKey);
  const portalSessions = new PortalSessions(store.db, {
    audit: options.audit,
    codeKey: portalKeys.codeKey,
    sessionIdleMs: config.sessionIdleMinutes * 60_000,
    sessionMaxMs: config.sessionMaxHours * 3_600_000,
  });
  app.decorate(
    'routeAccess',
    installRouteAccess(app, {
      identity,
      audit: options.audit,
      db: store.db,
      customers: portalSessions,
    }),
  );

  const system = await SystemService.create(store, {
    version: PACKAGE_VERSION,
    defaultLanguage: config.language,
  });
  await app.register(probeRoutes, { system });
  await app.register(systemRoutes, { system, prefix: API_PREFIX });
  await app.register(authRoutes, { identity, prefix: API_PREFIX });
  await app.register(userRoutes, { identity, prefix: API_PREFIX });
  const passkeys = new PasskeyService(store.db, {
    audit: options.audit,
    publicUrl: config.publicUrl ?? SETTINGS.publicUrl.default,
  });
  await app.register(passkeyRoutes, { passkeys, prefix: API_PREFIX });
  await app.register(catalogueRoutes, { prefix: API_PREFIX });
  await app.register(accessRoutes, { breakGlass, prefix: API_PREFIX });
  let alertNotices: NotificationService | null = null;
  let honeytokens: HoneytokenService | null = null;
  if (options.vaultKeys) {
    await app.register(keyRoutes, {
      keys: options.vaultKeys,
      db: store.db,
      audit: options.audit,
      prefix: API_PREFIX,
    });
    // Containment of security incidents (S4.3) is consulted by the vault (unmask), claims (export) and
    // customers (contact and payee changes).
    const containmentChecks = new ContainmentChecks();
    const vault = new VaultService({
      keys: options.vaultKeys,
      audit: options.audit,
      unmaskGate: containmentChecks,
    });
    const customers = new CustomerService(vault, options.audit);
    customers.setChangeHold(containmentChecks);
    const claims = new ClaimsService(store.db, vault, customers, options.audit, identity);
    claims.setExportGate(containmentChecks);
    const notifications = new NotificationService({
      secretKey: deriveNotificationKey(options.identityKey),
      publicUrl: config.publicUrl ?? SETTINGS.publicUrl.default,
      defaultLanguage: config.language,
    });
    // A changed phone, email or address is told to the old contact (S3.1, S4.3).
    customers.setContactChangeNotices(notifications);
    // ... and ends the customer's other portal sessions when the phone or email they sign in with changed.
    customers.onSignInContactChanged({
      signInContactChanged: async (db, { customerId, keepSessionId }) => {
        await portalSessions.revokeOthers(db, customerId, keepSessionId, 'contact-changed');
      },
    });
    claims.onClaimMoved(claimNotices(notifications, customers));
    // Customers' addresses come through the vault, staff's (security officers' alert emails) through identity.
    const directory = directoryByKind({
      customer: customerDirectory(customers),
      staff: staffDirectory(identity),
    });
    const documents = new DocumentsService(claims, vault, options.audit, store.db);
    const verification = new ClaimantVerificationService(
      claims,
      customers,
      notifications,
      breakGlass,
      options.audit,
      Buffer.from(
        hkdfSync(
          'sha256',
          options.identityKey,
          Buffer.alloc(0),
          'claimguard claimant-verification codes',
          32,
        ),
      ),
    );
    const payouts = new PayoutsService(
      store.db,
      claims,
      customers,
      options.audit,
      breakGlass,
      options.paymentGateway ?? new SimulatedPaymentGateway(store.db),
    );
    app.decorate('claims', {
      claims,
      customers,
      vault,
      notifications,
      directory,
      documents,
      payouts,
    } as never);
    await app.register(claimsRoutes, {
      claims,
      customers,
      verification,
      audit: options.audit,
      db: store.db,
      prefix: API_PREFIX,
    });
    await app.register(documentsRoutes, { documents, prefix: API_PREFIX });
    const accounts = new PortalAccountsService(store.db, portalSessions, customers, notifications, {
      audit: options.audit,
      keys: portalKeys,
    });
    const portal = new PortalService(
      store.db,
      claims,
      customers,
      documents,
      notifications,
      payouts,
      options.auditService ?? null,
    );
    await app.register(portalRoutes, {
      accounts,
      sessions: portalSessions,
      portal,
      maxUploadBytes: documents.maxUploadBytes,
      prefix: API_PREFIX,
    });
    await app.register(payoutsRoutes, { payouts, prefix: API_PREFIX });
    const shares = new SharesService(store.db, claims, customers, documents, options.audit);
    claims.onClaimMoved(shares);
    await app.register(sharesRoutes, { shares, prefix: API_PREFIX });
    // Reports to regulators (S4.4). Deadline alerts go to the active security officers, in-app.
    const regulatoryReports: RegulatoryReportsService = new RegulatoryReportsService(store.db, {
      // The incidents module answers for its incidents (declared below; only called once requests run).
      facts: options.incidentFacts ?? {
        incidentFacts: (db, incidentId): Promise<IncidentFacts> =>
          regulatoryFactsOf(incidents).incidentFacts(db, incidentId),
      },
      audit: options.audit,
      notifications,
      officers: {
        securityOfficerIds: async () =>
          (await identity.listUsers())
            .filter((user) => user.role === 'security_officer' && user.status === 'active')
            .map((user) => user.id),
      },
    });
    app.decorate('regulatoryReports', regulatoryReports);
    await app.register(regulatoryReportsRoutes, { reports: regulatoryReports, prefix: API_PREFIX });

    const vaultKeys = options.vaultKeys;
    const incidents: IncidentsService = new IncidentsService(store.db, options.audit, {
      ...(options.auditService ? { auditLog: options.auditService } : {}),
      reports: {
        assess: (db, incidentId): Promise<unknown> => regulatoryReports.assess(null, incidentId, { db }),
      },
      // Declaring from an alert marks it escalated in the same transaction (detection is built below).
      alerts: {
        markEscalated: async (db, alertId, incidentId, actor): Promise<void> => {
          await detection.markEscalated(db, alertId, incidentId, actor);
        },
      },
      // Decoy customers are evidence, not people affected (the honeytokens are built below).
      decoys: { decoySubjectIds: async (db) => (honeytokens ? honeytokens.decoySubjectIds(db) : []) },
      names: {
        async maskedNames(db, subjectIds, access) {
          const views = await customers.view(db, subjectIds, ['name'], {
            actor: access.actor,
            purpose: 'incident-response',
            unmask: false,
            requestId: access.requestId,
          });
          return new Map(views.map((view) => [view.id, view.fields.name?.value ?? '']));
        },
      },
    });
    const containment = new ContainmentService(store.db, incidents, {
      identity,
      // hold-changes puts the held customers' pending payouts on hold (S4.3).
      payouts,
      keys: {
        async rotate(actor) {
          const result = await rotateKeys(store.db, vaultKeys.kek, {
            audit: options.audit,
            actor,
            maxBatches: 50,
          });
          // Data keys unwrapped under the old key-encryption key leave this process's memory too.
          vault.clearKeyCache();
          return result;
        },
      },
    });
    await app.register(incidentsRoutes, { incidents, containment, prefix: API_PREFIX });
    alertNotices = notifications;
    honeytokens = new HoneytokenService(store.db, {
      claims,
      customers,
      audit: options.audit,
      staff: identity,
    });

    // Who is affected and what the incident is called come from the incidents module.
    const breachNoticeSources = options.breachNoticeSources ?? breachNoticeSourcesOf(incidents);
    const breachNotices = new BreachNoticesService(store.db, {
      sources: breachNoticeSources,
      notifications,
      customers,
      audit: options.audit,
      publicUrl: config.publicUrl ?? SETTINGS.publicUrl.default,
    });
    const breachNoticeSender = new BreachNoticeSender({
      notifications,
      affected: breachNoticeSources.affected,
      customers,
      defaultLanguage: config.language,
    });
    app.decorate('breachNotices', { service: breachNotices, sender: breachNoticeSender } as never);
    await app.register(breachNoticesRoutes, { notices: breachNotices, prefix: API_PREFIX });
    // Compensation claims for a data leak (issue 5 section 8): affected per the notices, filed as claims.
    const compensation = new CompensationService(store.db, {
      notices: breachNotices,
      claims,
      customers,
      incidents: { referenceOf: async (db, id) => (await incidents.incident(db, id)).reference },
    });
    await app.register(compensationRoutes, { compensation, prefix: API_PREFIX });
  }
  const detection = new DetectionService(store.db, {
    audit: options.audit,
    staff: identity,
    notifications: alertNotices,
  });
  app.decorate('detection', { service: detection, honeytokens });
  await app.register(detectionRoutes, { detection, honeytokens, prefix: API_PREFIX });
  if (options.auditService)
    await app.register(auditRoutes, { audit: options.auditService, db: store.db, prefix: API_PREFIX });

  await registerWebConsole(app, options.webConsoleDir ?? WEB_CONSOLE_DIR);
  return app;
}
