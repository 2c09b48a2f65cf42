import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../config/package-info.js';
import { shippedMigrationNames } from '../db/migrations.js';
import { openEmbeddedStore } from '../db/store.js';
import { captureCli } from '../test-support/cli-capture.js';
import { runCli } from './claimguard.js';
import { EXIT } from './exit-codes.js';

describe('claimguard CLI', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-cli-'));
    env = { CLAIMGUARD_DATA_DIR: dataDir, CLAIMGUARD_LOG_LEVEL: 'silent' };
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints help with every command and the exit codes, and exits 0', async () => {
    const cli = captureCli(env);
    expect(await runCli(['--help'], cli.io)).toBe(EXIT.ok);
    for (const command of ['serve', 'migrate', 'doctor', 'keys']) expect(cli.out()).toContain(command);
    expect(cli.out()).toContain('Exit codes:');
    const sub = captureCli(env);
    expect(await runCli(['migrate', '--help'], sub.io)).toBe(EXIT.ok);
    expect(sub.out()).toContain('--dry-run');
  });

  it('exits 2 on an unknown command or a bad option value', async () => {
    const unknown = captureCli(env);
    expect(await runCli(['serv'], unknown.io)).toBe(EXIT.usage);
    expect(unknown.err()).toContain("unknown command 'serv'");
    const badPort = captureCli(env);
    expect(await runCli(['serve', '--port', 'eighty'], badPort.io)).toBe(EXIT.usage);
    expect(badPort.err()).toContain('allowed: an integer from 0 to 65535');
  });

  it('exits 3 with one line on bad configuration', async () => {
    const cli = captureCli({ ...env, CLAIMGUARD_LANGUAGE: 'fr' });
    expect(await runCli(['migrate'], cli.io)).toBe(EXIT.config);
    expect(cli.err()).toBe(
      'claimguard: configuration: CLAIMGUARD_LANGUAGE: invalid value; allowed: zh-CN, en-US\n',
    );
  });

  it('lists pending migrations on --dry-run, applies them, then has nothing to do', async () => {
    const shipped = await shippedMigrationNames();
    const dry = captureCli(env);
    expect(await runCli(['migrate', '--dry-run'], dry.io)).toBe(EXIT.ok);
    // Every module adds migrations; the command lists whatever this build ships, in order.
    expect(shipped[0]).toBe('2026-11-24T0900-installation');
    expect(dry.out()).toMatch(
      new RegExp(
        `${shipped.length} pending in the embedded store in .*:\n${shipped.map((name) => ` {2}${name}\n`).join('')}$`,
      ),
    );
    const apply = captureCli(env);
    expect(await runCli(['migrate'], apply.io)).toBe(EXIT.ok);
    expect(apply.out()).toContain(`Applied ${shipped.length} migration(s)`);
    const again = captureCli(env);
    expect(await runCli(['migrate', '--dry-run'], again.io)).toBe(EXIT.ok);
    expect(again.out()).toContain('Nothing pending');
    // Every migration on a fresh embedded store: slow on a loaded two-core machine.
  }, 120_000);

  it('init creates private keys and the first administrator once', async () => {
    const first = captureCli(env);
    expect(await runCli(['init'], first.io)).toBe(EXIT.ok);
    expect(first.out()).toContain('Created the identity key');
    expect(first.out()).toMatch(/one-time password: {2}[A-Z0-9]{4}(-[A-Z0-9]{4}){4}/);
    expect(first.out()).toContain('Created the vault keys');
    for (const file of ['identity.key', 'audit-checkpoint.key', 'vault-kek.json']) {
      expect(statSync(join(dataDir, 'keys', file)).mode & 0o777).toBe(0o600);
    }
    const again = captureCli(env);
    expect(await runCli(['init'], again.io)).toBe(EXIT.ok);
    expect(again.out()).toContain('Staff accounts exist already');
    expect(again.out()).not.toContain('one-time password');
    // Migrations and an argon2 hash on a fresh store: slow on a loaded two-core machine.
  }, 120_000);

  it('init --email gives the first administrator a sealed work email and refuses a bad one unechoed (S2.3)', async () => {
    const bad = captureCli(env);
    expect(await runCli(['init', '--email', 'not-an-address'], bad.io)).toBe(EXIT.usage);
    expect(bad.err()).not.toContain('not-an-address');
    const good = captureCli(env);
    expect(await runCli(['init', '--email', 'Security.Lead@claimguard.example'], good.io)).toBe(EXIT.ok);
    expect(good.out()).toContain('one-time password');
    expect(good.out()).not.toContain('security.lead');
    const store = await openEmbeddedStore({ dataDir });
    try {
      const admin = await store.db
        .selectFrom('staff_users')
        .select(['email_sealed', 'email_hmac'])
        .where('username', '=', 'admin')
        .executeTakeFirstOrThrow();
      expect(admin.email_sealed).toMatch(/^v1\./);
      expect(admin.email_hmac).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('exits 7 when the identity key is readable by others', async () => {
    expect(await runCli(['init'], captureCli(env).io)).toBe(EXIT.ok);
    chmodSync(join(dataDir, 'keys', 'identity.key'), 0o644);
    const cli = captureCli(env);
    expect(await runCli(['init'], cli.io)).toBe(EXIT.keys);
    expect(cli.err()).toContain('is readable by other users; run: chmod 600');
  });

  it('refuses db grant-app-role on the embedded store, and a role name that is not a plain identifier', async () => {
    const embedded = captureCli(env);
    expect(await runCli(['db', 'grant-app-role', 'claimguard_app'], embedded.io)).toBe(EXIT.usage);
    expect(embedded.err()).toContain('is for PostgreSQL');
    const { appRoleGrantStatements } = await import('../db/app-role-grants.js');
    expect(() => appRoleGrantStatements('app"; drop table x; --', 'public')).toThrow(
      /not a plain identifier/,
    );
    expect(appRoleGrantStatements('claimguard_app', 'public')).toContain(
      'revoke update, delete, truncate on "public".audit_events, "public".audit_tree_nodes, "public".audit_checkpoints from "claimguard_app"',
    );
  });

  it('exits 5 when another process holds the embedded store', async () => {
    const holder = await openEmbeddedStore({ dataDir });
    try {
      const cli = captureCli(env);
      expect(await runCli(['migrate'], cli.io)).toBe(EXIT.busy);
      expect(cli.err()).toContain('is in use by another ClaimGuard process');
      expect(cli.err().trim().split('\n')).toHaveLength(1);
    } finally {
      await holder.close();
    }
  });

  it('exits 4 when PostgreSQL is down, without printing the password', async () => {
    const cli = captureCli({ ...env, DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/claims' });
    expect(await runCli(['migrate'], cli.io)).toBe(EXIT.storeUnavailable);
    expect(cli.err()).toBe(
      'claimguard: store: cannot reach PostgreSQL at 127.0.0.1:1/claims: connection refused (is PostgreSQL running?)\n',
    );
  });

  it('exits 5 when the port is taken, and releases the store for the next start', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = captureCli(env);
      expect(await runCli(['serve', '--host', '127.0.0.1', '--port', String(port)], cli.io)).toBe(EXIT.busy);
      expect(cli.err()).toBe(
        `claimguard: server: port ${port} on 127.0.0.1 is already in use; stop what is using it or set CLAIMGUARD_PORT\n`,
      );
      const store = await openEmbeddedStore({ dataDir });
      await store.close();
    } finally {
      blocker.close();
    }
  });

  it('doctor reports each check and exits 1 when one fails', async () => {
    const healthy = captureCli(env);
    const code = await runCli(['doctor', '--json'], healthy.io);
    const { results } = JSON.parse(healthy.out()) as { results: { name: string; outcome: string }[] };
    expect(results.map((result) => result.name)).toEqual([
      'node',
      'config',
      'data-dir',
      'store',
      'migrations',
      'web-console',
      'vault-keys',
      'identity-key',
    ]);
    // No keys yet: a warning that says how to create them.
    expect(results.find((result) => result.name === 'vault-keys')?.outcome).toBe('warn');
    expect(results.find((result) => result.name === 'identity-key')?.outcome).toBe('warn');
    expect(results.find((result) => result.name === 'store')?.outcome).toBe('pass');
    // A fresh store has every migration pending: a warning (serve applies them), not a failure.
    expect(results.find((result) => result.name === 'migrations')?.outcome).toBe('warn');
    const webBuilt = results.find((result) => result.name === 'web-console')?.outcome === 'pass';
    expect(code).toBe(webBuilt ? EXIT.ok : EXIT.failure);

    const broken = captureCli({ ...env, DATABASE_URL: 'postgres://app@127.0.0.1:1/claims' });
    expect(await runCli(['doctor'], broken.io)).toBe(EXIT.failure);
    expect(broken.out()).toContain('✖ cannot reach PostgreSQL at 127.0.0.1:1/claims');
    expect(broken.out()).toContain('fix: start PostgreSQL or correct DATABASE_URL');
  });
});

describe('claimguard serve as a process', () => {
  it('serves until SIGTERM, then shuts down cleanly with exit 0 and frees the store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'claimguard-serve-'));
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1'],
        {
          cwd: PACKAGE_ROOT,
          env: {
            ...process.env,
            CLAIMGUARD_DATA_DIR: dataDir,
            CLAIMGUARD_LOG_LEVEL: 'info',
            DATABASE_URL: '',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /is serving (http:\/\/\S+)/.exec(stderr);
          if (match?.[1]) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
      });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);

      const exitCode = await new Promise<number | null>((resolve) => {
        child.on('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      });
      expect(exitCode).toBe(0);
      expect(stdout).toContain('"msg":"shutting down"');
      const store = await openEmbeddedStore({ dataDir });
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // A child process compiles the whole server with tsx before it listens.
  }, 120_000);
});
