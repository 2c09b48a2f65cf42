import type { Language } from '../../config/config.js';
import { type MigrationStatus, migrationStatus, shippedMigrationNames } from '../../db/migrations.js';
import type { Store, StoreKind } from '../../db/store.js';
import { SystemRepository } from './system.repository.js';

/** What the console's status page and operators see of a running server. */
export type SystemStatus = {
  name: string;
  version: string;
  installationId: string;
  startedAt: string;
  uptimeSeconds: number;
  nodeVersion: string;
  defaultLanguage: Language;
  store: { kind: StoreKind; reachable: boolean };
  migrations: MigrationStatus;
  health: { live: boolean; ready: boolean };
};

export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'store-unreachable' | 'migrations-pending' };

export class SystemService {
  readonly #repository: SystemRepository;
  readonly #startedAt = new Date();

  private constructor(
    private readonly store: Store,
    private readonly options: { version: string; defaultLanguage: Language },
    private readonly installationId: string,
    /** The migrations this build ships, read once: readiness checks them against the store's ledger. */
    private readonly knownMigrations: readonly string[],
  ) {
    this.#repository = new SystemRepository(store.db);
  }

  static async create(
    store: Store,
    options: { version: string; defaultLanguage: Language },
  ): Promise<SystemService> {
    const repository = new SystemRepository(store.db);
    const installationId = await repository.ensureInstallationId();
    return new SystemService(store, options, installationId, await shippedMigrationNames());
  }

  /** Ready means: the store answers and has every migration this build ships. */
  async readiness(): Promise<Readiness> {
    let applied: number;
    try {
      applied = await this.#repository.countAppliedMigrations(this.knownMigrations);
    } catch {
      return { ready: false, reason: 'store-unreachable' };
    }
    return applied === this.knownMigrations.length
      ? { ready: true }
      : { ready: false, reason: 'migrations-pending' };
  }

  async status(): Promise<SystemStatus> {
    let migrations: MigrationStatus;
    let reachable = true;
    try {
      migrations = await migrationStatus(this.store.db);
    } catch {
      reachable = false;
      migrations = { applied: 0, pending: 0, latest: null, pendingNames: [] };
    }
    const ready = reachable && migrations.pending === 0;
    return {
      name: 'ClaimGuard',
      version: this.options.version,
      installationId: this.installationId,
      startedAt: this.#startedAt.toISOString(),
      uptimeSeconds: Math.floor((Date.now() - this.#startedAt.getTime()) / 1000),
      nodeVersion: process.version,
      defaultLanguage: this.options.defaultLanguage,
      store: { kind: this.store.kind, reachable },
      migrations,
      health: { live: true, ready },
    };
  }
}
