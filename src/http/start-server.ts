import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.js';
import { migrateToLatest } from '../db/migrations.js';
import { openStore, type Store } from '../db/store.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { type DemoResult, hasCustomers, loadDemoData } from '../modules/demo/demo-loader.js';
import { DetectionEngine } from '../modules/detection/detection-engine.js';
import { IdentityService } from '../modules/identity/identity.service.js';
import { ensureIdentityKey, loadIdentityKey } from '../modules/identity/identity-keys.js';
import { SecretBox } from '../modules/identity/secret-box.js';
import {
  type EmailProvider,
  emailProviderFromConfig,
  type SmsProvider,
} from '../modules/notifications/channels.js';
import { NotificationDispatcher } from '../modules/notifications/notification-dispatcher.js';
import { RegulatoryDeadlineMonitor } from '../modules/regulatory-reports/deadline-monitor.js';
import { SystemRepository } from '../modules/system/system.repository.js';
import { initVaultKeys, loadVaultKeys } from '../modules/vault/key-provider.js';
import { buildServer, type ClaimGuardServer } from './server.js';

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export type RunningServer = {
  app: ClaimGuardServer;
  store: Store;
  audit: AuditService;
  url: string;
  appliedMigrations: string[];
  /** Set on the very first start of an empty store: the administrator's one-time password, shown once. */
  firstAdministrator: { username: string; oneTimePassword: string } | null;
  /** What `--demo` loaded into a store without customers; null otherwise. */
  demo: DemoResult | null;
};

/**
 * Opens the store, brings its schema up to date, makes the keys a first start needs, builds the server
 * and listens. Closing the returned `app` finishes in-flight requests, sequences the audit events they
 * recorded, and then closes the store.
 */
export type StartOptions = {
  demo?: boolean;
  /**
   * Channel providers for the notification dispatcher, in place of the configured ones (email: SMTP when
   * configured; SMS: none ships, see channels.ts). An installation embedding ClaimGuard plugs its SMS
   * carrier in here; the browser tests read the portal's one-time codes through it.
   */
  channels?: { sms?: SmsProvider | null; email?: EmailProvider | null };
};

export async function startServer(
  config: Config,
  logger: FastifyBaseLogger,
  options: StartOptions = {},
): Promise<RunningServer> {
  const store = await openStore(config);
  let audit: AuditService | null = null;
  try {
    const appliedMigrations = await migrateToLatest(store.db);
    for (const name of appliedMigrations) logger.info({ migration: name }, 'migration applied');

    // A first start makes the keys it needs; existing keys are never replaced.
    if (!config.identityKey) ensureIdentityKey(config.dataDir);
    if (!config.vaultKek) initVaultKeys(config.dataDir);
    const identityKey = loadIdentityKey({ dataDir: config.dataDir, fromEnv: config.identityKey });
    const installationId = await new SystemRepository(store.db).ensureInstallationId();
    audit = AuditService.fromConfig(store, config, {
      logName: installationId,
      onError: (error: unknown) => logger.error({ err: error }, 'audit sequencing failed'),
    });
    audit.start();

    // A fresh store gets its first administrator, who must change the password and enrol a second factor.
    const identity = new IdentityService(store.db, {
      audit,
      secretBox: new SecretBox(identityKey),
      sessionIdleMs: config.sessionIdleMinutes * 60_000,
      sessionMaxMs: config.sessionMaxHours * 3_600_000,
    });
    const firstAdministrator = await identity.createFirstAdministrator();

    const vaultKeys = loadVaultKeys(config);
    const app = await buildServer({
      config,
      store,
      logger,
      audit,
      auditService: audit,
      identityKey,
      vaultKeys,
    });
    let demo: DemoResult | null = null;
    if (options.demo && app.claims && !(await hasCustomers(store.db))) {
      logger.info('loading demo data');
      demo = await loadDemoData({
        db: store.db,
        identity,
        customers: app.claims.customers,
        claims: app.claims.claims,
        payouts: app.claims.payouts,
      });
      logger.info({ customers: demo.customers, claims: demo.claims }, 'demo data loaded');
    }
    const startedAudit = audit;
    app.addHook('onResponse', async () => {
      startedAudit.nudge();
    });
    // The notification outbox is delivered in the background (S0.1); with several processes on one
    // PostgreSQL each dispatcher claims different rows (skip locked), so every notice is sent once.
    const dispatcher = app.claims
      ? new NotificationDispatcher({
          service: app.claims.notifications,
          directory: app.claims.directory,
          email:
            options.channels?.email !== undefined ? options.channels.email : emailProviderFromConfig(config),
          sms: options.channels?.sms ?? null,
        })
      : null;
    dispatcher?.start(store.db, {
      intervalMs: 2_000,
      onError: (error: unknown) => logger.error({ err: error }, 'notification dispatch failed'),
    });
    // Deadlines of reports to regulators (S4.4): approaching and missed ones alert the security officers.
    const deadlines = app.regulatoryReports ? new RegulatoryDeadlineMonitor(app.regulatoryReports) : null;
    deadlines?.start({
      intervalMs: 60_000,
      onAlerts: (alerts) =>
        logger.warn(
          { approaching: alerts.approaching.length, missed: alerts.missed.length },
          'regulatory report deadlines alerted',
        ),
      onError: (error: unknown) => logger.error({ err: error }, 'regulatory deadline check failed'),
    });
    // Leak detection (S2.3) evaluates the audit log as it grows: woken by this process's sequencer and, on
    // PostgreSQL, by any process's (NOTIFY); with several processes one leads (advisory lock).
    const detection = new DetectionEngine({
      store,
      service: app.detection.service,
      onError: (error: unknown) => logger.error({ err: error }, 'leak detection failed'),
    });
    startedAudit.onSequenced(() => detection.wake());
    detection.start();
    // Breach notices (S4.2) are queued by a background job; campaigns are claimed page by page with
    // `skip locked`, so with several processes each campaign is worked on by one at a time.
    const breachNoticeSender = app.breachNotices?.sender ?? null;
    breachNoticeSender?.start(store.db, {
      intervalMs: 2_000,
      onError: (error: unknown) => logger.error({ err: error }, 'breach-notice sending failed'),
    });
    app.addHook('onClose', async () => {
      await deadlines?.stop();
      await detection.stop();
      await breachNoticeSender?.stop();
      await dispatcher?.stop();
      await startedAudit.stop();
      // Seal what this process recorded: a signed checkpoint (a no-op when nothing changed since the last).
      await startedAudit.createCheckpoint().catch((error: unknown) => {
        logger.error({ err: error }, 'could not sign the closing audit checkpoint');
      });
      await store.close();
    });
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new PortInUseError(
          `port ${config.port} on ${config.host} is already in use; stop what is using it or set CLAIMGUARD_PORT`,
        );
      }
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return {
      app,
      store,
      audit,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      appliedMigrations,
      firstAdministrator,
      demo,
    };
  } catch (error) {
    // SECURITY: a failed start must still release the embedded store's lock.
    await audit?.stop().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}
