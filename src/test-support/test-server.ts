import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Config } from '../config/config.js';
import type { Store, StoreKind } from '../db/store.js';
import { createLogger } from '../http/logger.js';
import { buildServer, type ClaimGuardServer } from '../http/server.js';
import type { AuditService } from '../modules/audit/audit.service.js';
import type { AuditRecorder } from '../modules/audit/audit-event.js';
import { testAuditService } from '../modules/audit/audit-test-kit.js';
import type { BreachNoticeSources } from '../modules/breach-notices/affected-subjects.js';
import type { PaymentGateway } from '../modules/payouts/payment-gateway.js';
import type { IncidentFactsSource } from '../modules/regulatory-reports/incident-facts.js';
import type { VaultKeys } from '../modules/vault/key-provider.js';
import { openTestStore } from './test-stores.js';
import { testVaultKeys } from './vault-fixtures.js';

/** Every log line a test server wrote, so tests can assert on logs (and on what must never be in them). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export type TestServer = {
  app: ClaimGuardServer;
  store: Store;
  logs: LogCapture;
  /** The real audit log unless a test passed its own recorder. */
  audit: AuditRecorder;
  auditService: AuditService;
  identityKey: Buffer;
  close: () => Promise<void>;
};

export async function createTestServer(
  overrides: Partial<Pick<Config, 'bodyLimit' | 'rateLimit' | 'trustProxy' | 'language' | 'publicUrl'>> & {
    webConsoleDir?: string;
    audit?: AuditRecorder;
    vaultKeys?: VaultKeys;
    /** The store to run on; the run's primary store when absent (see test-stores.ts). */
    storeKind?: StoreKind;
    paymentGateway?: PaymentGateway;
    /** Incidents' facts for the regulatory reports (a fake in their tests). */
    incidentFacts?: IncidentFactsSource;
    breachNoticeSources?: BreachNoticeSources;
  } = {},
): Promise<TestServer> {
  const store = await openTestStore(overrides.storeKind);
  const logs = new LogCapture();
  const auditService = testAuditService(store).audit;
  const {
    webConsoleDir,
    audit = auditService,
    vaultKeys = testVaultKeys(),
    storeKind: _storeKind,
    paymentGateway,
    incidentFacts,
    breachNoticeSources,
    ...config
  } = overrides;
  const identityKey = randomBytes(32);
  const app = await buildServer({
    config: {
      bodyLimit: 1024 * 1024,
      rateLimit: 1000,
      trustProxy: false,
      language: 'zh-CN',
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      ...config,
    },
    store,
    logger: createLogger('info', logs),
    audit,
    auditService,
    identityKey,
    vaultKeys,
    ...(paymentGateway ? { paymentGateway } : {}),
    ...(incidentFacts ? { incidentFacts } : {}),
    ...(breachNoticeSources ? { breachNoticeSources } : {}),
    ...(webConsoleDir ? { webConsoleDir } : {}),
  });
  return {
    app,
    store,
    logs,
    audit,
    auditService,
    identityKey,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
