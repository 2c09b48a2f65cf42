import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.js';
import { migrateToLatest } from '../db/migrations.js';
import { openStore, type Store } from '../db/store.js';
import { buildServer, type ClaimGuardServer } from './server.js';

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export type RunningServer = { app: ClaimGuardServer; store: Store; url: string; appliedMigrations: string[] };

/**
 * Opens the store, brings its schema up to date, builds the server and listens. Closing the returned
 * `app` finishes in-flight requests first and then closes the store.
 */
export async function startServer(config: Config, logger: FastifyBaseLogger): Promise<RunningServer> {
  const store = await openStore(config);
  try {
    const appliedMigrations = await migrateToLatest(store.db);
    for (const name of appliedMigrations) logger.info({ migration: name }, 'migration applied');
    const app = await buildServer({ config, store, logger });
    app.addHook('onClose', async () => {
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
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      appliedMigrations,
    };
  } catch (error) {
    // SECURITY: a failed start must still release the embedded store's lock.
    await store.close().catch(() => {});
    throw error;
  }
}
