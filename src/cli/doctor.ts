import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../config/config.js';
import { WEB_CONSOLE_DIR } from '../config/package-info.js';
import { migrationStatus } from '../db/migrations.js';
import { openStore } from '../db/store.js';
import { StoreLockedError, StoreUnavailableError } from '../db/store-errors.js';
import { checkIdentityKey } from '../modules/identity/identity.doctor.js';
import { checkVaultKeys } from '../modules/vault/vault.doctor.js';

/**
 * `claimguard doctor`: checks what a start needs and says how to fix what is wrong. Later capabilities
 * add their checks here (keys, certificates, mail).
 */
export type CheckOutcome = 'pass' | 'warn' | 'fail';
export type CheckResult = { name: string; outcome: CheckOutcome; summary: string; fix?: string };

const MIN_NODE = [20, 19] as const;

export function checkNodeVersion(version: string = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { name: 'node', outcome: 'pass', summary: `Node.js ${version} (needs >= ${MIN_NODE.join('.')})` }
    : {
        name: 'node',
        outcome: 'fail',
        summary: `Node.js ${version} is too old`,
        fix: `install Node.js ${MIN_NODE.join('.')} or newer (22 and 24 are supported too)`,
      };
}

function checkDataDir(config: Config): CheckResult {
  const dir = resolve(config.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { name: 'data-dir', outcome: 'pass', summary: `data directory ${dir} is writable` };
  } catch {
    return {
      name: 'data-dir',
      outcome: 'fail',
      summary: `data directory ${dir} is not writable`,
      fix: 'set CLAIMGUARD_DATA_DIR to a directory this user can write, or fix its permissions',
    };
  }
}

async function checkStore(config: Config): Promise<CheckResult[]> {
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(config);
  } catch (error) {
    if (error instanceof StoreLockedError) {
      return [
        {
          name: 'store',
          outcome: 'warn',
          summary: 'the embedded store is in use by a running ClaimGuard process, so it was not opened',
          fix: 'ask the running server instead: GET /readyz; or stop it and run doctor again',
        },
      ];
    }
    const message = error instanceof StoreUnavailableError ? error.message : (error as Error).message;
    return [
      {
        name: 'store',
        outcome: 'fail',
        summary: message,
        fix: config.databaseUrl
          ? 'start PostgreSQL or correct DATABASE_URL (postgres://user@host:port/database)'
          : 'check that CLAIMGUARD_DATA_DIR points to a ClaimGuard data directory',
      },
    ];
  }
  try {
    const results: CheckResult[] = [{ name: 'store', outcome: 'pass', summary: `${store.location} answers` }];
    const status = await migrationStatus(store.db);
    results.push(
      status.pending === 0
        ? {
            name: 'migrations',
            outcome: 'pass',
            summary: `migrations current (${status.applied} applied, latest ${status.latest ?? 'none'})`,
          }
        : {
            name: 'migrations',
            outcome: status.applied === 0 ? 'warn' : 'fail',
            summary: `${status.pending} migration(s) pending: ${status.pendingNames.join(', ')}`,
            fix: 'run: claimguard migrate (serve also applies them at start)',
          },
    );
    return results;
  } finally {
    await store.close();
  }
}

export function checkWebConsole(dir: string = WEB_CONSOLE_DIR): CheckResult {
  return existsSync(join(dir, 'index.html'))
    ? { name: 'web-console', outcome: 'pass', summary: `web console built in ${dir}` }
    : {
        name: 'web-console',
        outcome: 'fail',
        summary: 'the web console is not built; / will answer 503',
        fix: 'run: npm run build:web (npm start does it for you)',
      };
}

export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkNodeVersion()];
  let config: Config;
  try {
    config = loadConfig(env);
    results.push({ name: 'config', outcome: 'pass', summary: 'configuration is valid' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results.push({
      name: 'config',
      outcome: 'fail',
      summary: error.message,
      fix: 'correct that setting; `claimguard --help` and the README list every setting',
    });
    return results;
  }
  if (!config.databaseUrl) results.push(checkDataDir(config));
  results.push(...(await checkStore(config)));
  results.push(checkWebConsole());
  results.push(await checkVaultKeys(config));
  results.push(checkIdentityKey(config));
  return results;
}

const SYMBOL: Record<CheckOutcome, string> = { pass: '✔', warn: '!', fail: '✖' };

export function formatDoctorReport(results: CheckResult[]): string {
  const lines = results.map(
    (result) => `${SYMBOL[result.outcome]} ${result.summary}${result.fix ? `\n    fix: ${result.fix}` : ''}`,
  );
  const failures = results.filter((result) => result.outcome === 'fail').length;
  const warnings = results.filter((result) => result.outcome === 'warn').length;
  lines.push(
    '',
    failures === 0
      ? `All checks passed${warnings ? ` (${warnings} warning(s))` : ''}.`
      : `${failures} check(s) failed.`,
  );
  return lines.join('\n');
}
