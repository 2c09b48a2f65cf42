import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import type { CliIo } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { ExitRequest } from '../../cli/exit-request.js';
import { loadConfig } from '../../config/config.js';
import { migrateToLatest } from '../../db/migrations.js';
import { openStore } from '../../db/store.js';
import { BreakGlassService } from '../access/break-glass.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ClaimsService } from '../claims/claims.service.js';
import { CustomerService } from '../claims/customers.service.js';
import { IdentityService } from '../identity/identity.service.js';
import { ensureIdentityKey, loadIdentityKey } from '../identity/identity-keys.js';
import { SecretBox } from '../identity/secret-box.js';
import { SimulatedPaymentGateway } from '../payouts/payment-gateway.js';
import { PayoutsService } from '../payouts/payouts.service.js';
import { SystemRepository } from '../system/system.repository.js';
import { initVaultKeys, loadVaultKeys } from '../vault/key-provider.js';
import { VaultService } from '../vault/vault.service.js';
import { type DemoResult, hasCustomers, loadDemoData } from './demo-loader.js';

function positiveInteger(max: number) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > max)
      throw new InvalidArgumentError(`a whole number from 1 to ${max}.`);
    return parsed;
  };
}

/** The demo accounts' one-time passwords, shown once (each must be changed, with a second factor, at first sign-in). */
export function demoBanner(result: DemoResult, url: string): string {
  const states = Object.entries(result.claimsByState)
    .map(([state, count]) => `${state} ${count}`)
    .join(', ');
  return [
    '',
    `  Demo data loaded: ${result.customers} customers, ${result.policies} policies, ${result.claims} claims (${states}).`,
    '  Demo staff accounts; these one-time passwords are shown only now:',
    '',
    ...result.staff.map(
      (account) =>
        `    ${account.username.padEnd(24)} ${account.role.padEnd(18)} ${(account.branch ?? '-').padEnd(9)} ${account.oneTimePassword}`,
    ),
    '',
    `  Sign in at ${url}: each account chooses a new password and sets up a second factor (TOTP) first.`,
    '',
    '',
  ].join('\n');
}

export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'load demo data (staff of every role, customers, policies, claims in every state) into an empty store',
    )
    .option('--customers <n>', 'how many customers (1 to 5000)', positiveInteger(5000), 120)
    .option(
      '--seed <n>',
      'seed of the generated people (same seed, same people)',
      positiveInteger(2 ** 31),
      20261124,
    )
    .action(async (options: { customers: number; seed: number }) => {
      const config = loadConfig(io.env);
      if (!config.identityKey) ensureIdentityKey(config.dataDir);
      if (!config.vaultKek) initVaultKeys(config.dataDir);
      const store = await openStore(config);
      try {
        await migrateToLatest(store.db);
        if (await hasCustomers(store.db)) {
          io.err('claimguard: the store already holds customers; demo data goes into an empty store only.\n');
          throw new ExitRequest(EXIT.failure);
        }
        const installationId = await new SystemRepository(store.db).ensureInstallationId();
        const audit = AuditService.fromConfig(store, config, { logName: installationId });
        const identity = new IdentityService(store.db, {
          audit,
          secretBox: new SecretBox(loadIdentityKey({ dataDir: config.dataDir, fromEnv: config.identityKey })),
          sessionIdleMs: config.sessionIdleMinutes * 60_000,
          sessionMaxMs: config.sessionMaxHours * 3_600_000,
        });
        const vault = new VaultService({ keys: loadVaultKeys(config), audit });
        const customers = new CustomerService(vault, audit);
        const claims = new ClaimsService(store.db, vault, customers, audit, identity);
        const payouts = new PayoutsService(
          store.db,
          claims,
          customers,
          audit,
          new BreakGlassService(store.db, audit),
          new SimulatedPaymentGateway(store.db),
        );
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              {
                stream: process.stderr,
                format: 'loading demo data [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left',
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let last = 0;
        const result = await loadDemoData(
          { db: store.db, identity, customers, claims, payouts },
          {
            customers: options.customers,
            seed: options.seed,
            onProgress: (done, total) => {
              if (bar) {
                if (done === 1) bar.start(total, 0);
                bar.update(done);
              } else if (Date.now() - last > 2_000 || done === total) {
                last = Date.now();
                io.err(`loading demo data: ${done}/${total}\n`);
              }
            },
          },
        );
        bar?.stop();
        await audit.flush();
        io.out(demoBanner(result, config.publicUrl ?? `http://localhost:${config.port}`));
      } finally {
        await store.close();
      }
    });
}
