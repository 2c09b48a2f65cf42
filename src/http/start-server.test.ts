import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { StoreUnavailableError } from '../db/store-errors.js';
import { LogCapture } from '../test-support/test-server.js';
import { createLogger } from './logger.js';
import { startServer } from './start-server.js';

it('lets an in-flight request finish on close, then closes the store', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'claimguard-shutdown-'));
  try {
    const config = { ...loadConfig({}), dataDir, port: 0, host: '127.0.0.1', databaseUrl: undefined };
    const running = await startServer(config, createLogger('info', new LogCapture()));
    expect(running.appliedMigrations.length).toBeGreaterThan(0);

    // Hold the embedded store's only session so the next request is still in flight when close starts.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const transaction = running.store.db.transaction().execute(async () => {
      holding();
      await gate;
    });
    await held;
    const inFlight = fetch(`${running.url}/readyz`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = running.app.close();
    release();
    await transaction;

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
    await closing;
    await expect(running.store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    // The closing checkpoint was signed and copied outside the store.
    expect(
      readdirSync(join(dataDir, 'checkpoints')).filter((file) => file.endsWith('.checkpoint')).length,
    ).toBeGreaterThan(0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
