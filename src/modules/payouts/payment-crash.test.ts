import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { describeOnPostgres, postgresTestUrl } from '../../test-support/test-stores.js';
import { EnvironmentKeyProvider } from '../vault/key-provider.js';
import { approvedPayout } from './payouts-test-kit.js';

/**
 * Crash recovery of a payment (S3.3): a process that has had the bank transfer the money dies before it
 * records the payout as paid. A retry with the same idempotency key must finish the payment without a
 * second transfer. Two processes share the store, so this runs on PostgreSQL only: PGlite is one process's
 * embedded database and cannot be opened by a second process.
 */
const FIXTURE = fileURLToPath(new URL('./payment-crash.fixture.ts', import.meta.url));

describeOnPostgres(
  'payment crash recovery [postgres only: PGlite cannot be shared between processes]',
  () => {
    let server: TestServer;
    const kek = randomBytes(32);
    const indexKey = randomBytes(32);

    beforeAll(async () => {
      const provider = new EnvironmentKeyProvider([kek], indexKey);
      server = await createTestServer({
        rateLimit: 100_000,
        storeKind: 'postgres',
        vaultKeys: { kek: provider, blindIndexKey: provider.blindIndexKey },
      });
    }, 120_000);

    afterAll(async () => {
      await server?.close();
    });

    it('pays exactly once when the process dies between the bank transfer and marking the payout paid', async () => {
      const { payoutId, claimId, finance, supervisor, execute } = await approvedPayout(server);

      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        server.store.db,
      );
      const key = randomUUID();
      const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
        env: {
          ...process.env,
          CRASH_DB_URL: postgresTestUrl(),
          CRASH_DB_SCHEMA: rows[0]?.schema ?? '',
          CRASH_VAULT_KEK: kek.toString('hex'),
          CRASH_VAULT_INDEX_KEY: indexKey.toString('hex'),
          CRASH_FINANCE_USER: finance.userId,
          CRASH_PAYOUT_ID: payoutId,
          CRASH_IDEMPOTENCY_KEY: key,
          CRASH_AFTER_TRANSFER: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      );
      const transferred = await new Promise<boolean>((resolve) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          if (stdout.includes('transferred\n')) resolve(true);
        });
        void exited.then(() => resolve(false));
      });
      expect(transferred, stderr).toBe(true);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      // The bank moved the money; ClaimGuard still has the payment executing.
      const ledger = () =>
        server.store.db
          .selectFrom('simulated_bank_transfers')
          .select(['transfer_id', 'amount'])
          .where('idempotency_key', '=', key)
          .execute();
      const [transfer] = await ledger();
      expect(transfer?.amount).toBe('8600.00');
      const payment = () =>
        server.store.db
          .selectFrom('payments')
          .select(['state', 'attempts', 'provider_reference'])
          .where('payout_id', '=', payoutId)
          .executeTakeFirstOrThrow();
      expect(await payment()).toMatchObject({ state: 'executing', attempts: 1, provider_reference: null });

      // Another key cannot start a second payment of the same payout meanwhile.
      expect((await execute(finance, randomUUID())).statusCode).toBe(409);

      // The retry with the same key asks the bank again, gets the same transfer, and finishes.
      const retry = await execute(finance, key);
      expect(retry.statusCode, retry.body).toBe(200);
      expect(retry.json()).toMatchObject({ state: 'paid', providerReference: transfer?.transfer_id });
      expect(await ledger()).toHaveLength(1);
      expect(await payment()).toMatchObject({
        state: 'paid',
        attempts: 2,
        provider_reference: transfer?.transfer_id,
      });
      const claim = await supervisor.request('GET', `/api/v1/claims/${claimId}`);
      expect((claim.json() as { state: string }).state).toBe('closed');
    }, 120_000);
  },
);
