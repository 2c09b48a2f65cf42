import closeWithGrace from 'close-with-grace';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type Config, loadConfig, SETTINGS } from '../config/config.js';
import { PACKAGE_VERSION } from '../config/package-info.js';
import { grantAppRole } from '../db/app-role-grants.js';
import { migrateToLatest, migrationStatus } from '../db/migrations.js';
import { openStore } from '../db/store.js';
import { createLogger } from '../http/logger.js';
import { startServer } from '../http/start-server.js';
import { registerAuditCommands } from '../modules/audit/audit.cli.js';
import { registerBreachNoticeCommands } from '../modules/breach-notices/breach-notices.cli.js';
import { demoBanner, registerDemoCommand } from '../modules/demo/demo.cli.js';
import { staffEmailSchema } from '../modules/identity/identity.schema.js';
import { registerKeyCommands } from '../modules/vault/vault.cli.js';
import { describeFailure } from './cli-errors.js';
import { formatDoctorReport, runDoctor } from './doctor.js';
import { EXIT } from './exit-codes.js';
import { ExitRequest } from './exit-request.js';
import { firstAdministratorBanner, initialise } from './initialise.js';

export type CliIo = {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
};

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

function parseWith(setting: (typeof SETTINGS)['port'] | (typeof SETTINGS)['host']) {
  return (value: string) => {
    const parsed = setting.schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(`allowed: ${setting.allowed}.`);
    return parsed.data;
  };
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success                        1  failure (doctor found a problem)
  2  wrong command line             3  invalid configuration
  4  store unreachable              5  store directory or port in use
  6  migration failed               7  a key is missing or unreadable

Settings come from CLAIMGUARD_* environment variables, DATABASE_URL and an optional
claimguard.config.json; see README.md.`;

export function buildProgram(io: CliIo = defaultIo): Command {
  const program = new Command('claimguard')
    .description("ClaimGuard: the insurance claims platform that keeps customers' personal information safe.")
    .version(PACKAGE_VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command('serve')
    .description('start the server: API under /api/v1, the web console at /, OpenAPI at /docs')
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (overrides CLAIMGUARD_PORT)').argParser(
        parseWith(SETTINGS.port),
      ),
    )
    .addOption(
      new Option('-H, --host <host>', 'interface to listen on (overrides CLAIMGUARD_HOST)').argParser(
        parseWith(SETTINGS.host),
      ),
    )
    .option('--demo', 'on a store without customers, load the demo data first (what `npm start` does)')
    .action(async (options: { port?: number; host?: string; demo?: boolean }) => {
      const { demo, ...listen } = options;
      const config: Config = { ...loadConfig(io.env), ...definedOnly(listen) };
      const logger = createLogger(config.logLevel);
      const running = await startServer(config, logger, { demo: demo === true });
      const storeKind =
        running.store.kind === 'embedded' ? running.store.location : `${running.store.location}`;
      io.err(`ClaimGuard ${PACKAGE_VERSION} is serving ${running.url} (${storeKind}). Stop with Ctrl+C.\n`);
      if (running.firstAdministrator)
        io.err(firstAdministratorBanner(running.firstAdministrator, running.url));
      if (running.demo) io.err(demoBanner(running.demo, running.url));
      // In-flight requests finish, then the store closes; past the grace period the process exits anyway.
      closeWithGrace({ delay: config.shutdownGraceMs, logger }, async ({ signal, err }) => {
        if (err) logger.error({ err }, 'shutting down after an unhandled error');
        else logger.info({ signal }, 'shutting down');
        await running.app.close();
      });
    });

  program
    .command('init')
    .description('create the keys and the first administrator (serve does this on a fresh store too)')
    .option('--email <address>', "the first administrator's work email (sealed at rest; never printed back)")
    .action(async (options: { email?: string }) => {
      // Checked here rather than by an argParser: commander's message would quote the value (personal data).
      const email = options.email === undefined ? null : staffEmailSchema.safeParse(options.email);
      if (email && !email.success) {
        io.err('claimguard: --email is not an email address\n');
        throw new ExitRequest(EXIT.usage);
      }
      const config = loadConfig(io.env);
      const result = await initialise(config, { email: email?.data ?? null });
      for (const line of result.keys) io.out(`${line}\n`);
      io.out(
        result.firstAdministrator
          ? firstAdministratorBanner(result.firstAdministrator, `http://${config.host}:${config.port}`)
          : 'Staff accounts exist already: no administrator was created.\n',
      );
    });

  program
    .command('migrate')
    .description('apply pending schema migrations to the configured store')
    .option('--dry-run', 'list the pending migrations without applying them')
    .action(async (options: { dryRun?: boolean }) => {
      const config = loadConfig(io.env);
      const store = await openStore(config);
      try {
        const status = await migrationStatus(store.db);
        if (options.dryRun) {
          io.out(
            status.pending === 0
              ? `Nothing pending in the ${store.location}: ${status.applied} applied, latest ${status.latest ?? 'none'}.\n`
              : `${status.pending} pending in the ${store.location}:\n${status.pendingNames.map((name) => `  ${name}\n`).join('')}`,
          );
          return;
        }
        const applied = await migrateToLatest(store.db);
        io.out(
          applied.length === 0
            ? `Nothing to apply: the ${store.location} is current (latest ${status.latest ?? 'none'}).\n`
            : `Applied ${applied.length} migration(s) to the ${store.location}:\n${applied.map((name) => `  ${name}\n`).join('')}`,
        );
      } finally {
        await store.close();
      }
    });

  program
    .command('db')
    .description('PostgreSQL administration')
    .command('grant-app-role')
    .argument('<role>', 'the login role the application connects as (it must not own the tables)')
    .description(
      "as the tables' owner: let <role> run ClaimGuard but never UPDATE, DELETE or TRUNCATE the audit log",
    )
    .action(async (role: string) => {
      const config = loadConfig(io.env);
      if (!config.databaseUrl) {
        io.err(
          "claimguard: db grant-app-role is for PostgreSQL (set DATABASE_URL to the owner's connection)\n",
        );
        throw new ExitRequest(EXIT.usage);
      }
      const store = await openStore(config);
      try {
        await migrateToLatest(store.db);
        const { schema, statements } = await grantAppRole(store.db, role);
        io.out(
          `Granted in schema ${schema}:\n${statements.map((statement) => `  ${statement};\n`).join('')}`,
        );
        io.out(
          `Now set DATABASE_URL to connect as ${role}. Run this again after upgrades that add tables.\n`,
        );
      } finally {
        await store.close();
      }
    });

  program
    .command('doctor')
    .description('check configuration, store, migrations and build; say how to fix what is wrong')
    .option('--json', 'print the results as JSON')
    .action(async (options: { json?: boolean }) => {
      const results = await runDoctor(io.env);
      io.out(options.json ? `${JSON.stringify({ results }, null, 2)}\n` : `${formatDoctorReport(results)}\n`);
      if (results.some((result) => result.outcome === 'fail')) throw new ExitRequest(EXIT.failure);
    });

  registerKeyCommands(program, io);
  registerDemoCommand(program, io);
  registerAuditCommands(program, io);
  registerBreachNoticeCommands(program, io);

  for (const command of program.commands) {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
  }
  return program;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** Runs the command line and resolves to the exit code; `serve` resolves once it is listening. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitRequest) return error.exitCode;
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they are successes to the user.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    const failure = describeFailure(error);
    io.err(`claimguard: ${failure.message}\n`);
    return failure.exitCode;
  }
}
