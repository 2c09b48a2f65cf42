import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import type { CliIo } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { ExitRequest } from '../../cli/exit-request.js';
import { loadConfig } from '../../config/config.js';
import { migrationStatus } from '../../db/migrations.js';
import { openStore, type Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { AuditService } from '../audit/audit.service.js';
import { SystemRepository } from '../system/system.repository.js';
import { initVaultKeys, loadVaultKeys, type VaultKeys } from './key-provider.js';
import {
  destroyRetiredKeks,
  type KeyStatus,
  keyStatus,
  type RotationProgress,
  rotateKeys,
} from './key-rotation.js';

/**
 * `claimguard keys …`: create the vault's keys, rotate the key-encryption key, show key status.
 *
 * `keys rotate` runs beside a serving ClaimGuard on PostgreSQL (batches in short transactions, see
 * key-rotation.ts). The embedded store admits one process, so there it runs while the server is stopped.
 */
export type KeyCommandOptions = {
  /** Draw a progress bar on standard error (default: when standard error is a terminal). */
  progressBar?: boolean;
};

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a positive integer.');
  return parsed;
}

async function withStoreAndKeys<T>(
  io: CliIo,
  work: (store: Store, keys: VaultKeys) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env);
  const keys = loadVaultKeys(config);
  const store = await openStore(config);
  try {
    const status = await migrationStatus(store.db);
    if (status.pending > 0) {
      throw new DomainError(
        'not-ready',
        `the ${store.location} has ${status.pending} pending migration(s); run \`claimguard migrate\` first.`,
      );
    }
    return await work(store, keys);
  } finally {
    await store.close();
  }
}

/** Progress on a terminal as a bar; otherwise (logs, CI) a plain line at most every `everyMs`. */
function progressReporter(io: CliIo, bar: boolean, everyMs = 2_000) {
  if (bar) {
    const progress = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          'rewrapping data keys [{bar}] {percentage}% | {value}/{total} subjects | {eta_formatted} left',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: RotationProgress) {
        if (!started) {
          progress.start(p.total, p.done);
          started = true;
        }
        progress.setTotal(p.total);
        progress.update(p.done);
      },
      stop() {
        if (started) progress.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p: RotationProgress) {
      const now = Date.now();
      if (now - last < everyMs && p.done < p.total) return;
      last = now;
      io.err(`rewrapped ${p.done}/${p.total} subjects under ${p.targetKekId} (${p.batches} batches)\n`);
    },
    stop() {},
  };
}

export function formatKeyStatus(status: KeyStatus): string {
  const lines = [`Vault keys from ${status.source}:`];
  for (const kek of status.keks) {
    const state = kek.current ? 'current' : kek.retiredAt ? `retired ${kek.retiredAt}` : 'active';
    lines.push(`  ${kek.id.padEnd(18)} v${kek.version}  ${state.padEnd(34)} ${kek.subjects} subject(s)`);
  }
  for (const unknown of status.unknownKeks) {
    lines.push(
      `  ${unknown.id.padEnd(18)} NOT AVAILABLE to this process: ${unknown.subjects} subject(s) unreadable`,
    );
  }
  lines.push(`Shredded subjects: ${status.shreddedSubjects}`);
  const running = status.rotation.running;
  lines.push(
    running
      ? `Rotation in progress to ${running.targetKekId ?? '(new key)'} since ${running.startedAt.toISOString()}: ${running.rewrapped} rewrapped, ${running.remaining} remaining; run \`claimguard keys rotate\` to continue it.`
      : 'No rotation in progress.',
  );
  lines.push(`Last rotation finished: ${status.rotation.lastFinishedAt?.toISOString() ?? 'never'}`);
  return `${lines.join('\n')}\n`;
}

export function registerKeyCommands(program: Command, io: CliIo, options: KeyCommandOptions = {}): void {
  const keys = program.command('keys').description("manage the personal-data vault's encryption keys");

  keys
    .command('init')
    .description(
      'create the vault key file in CLAIMGUARD_DATA_DIR/keys (mode 0600); never overwrites existing keys',
    )
    .action(() => {
      const config = loadConfig(io.env);
      if (config.vaultKek || config.vaultIndexKey) {
        io.out(
          'Vault keys come from CLAIMGUARD_VAULT_KEK and CLAIMGUARD_VAULT_INDEX_KEY; no key file is needed.\n',
        );
        return;
      }
      const result = initVaultKeys(config.dataDir);
      io.out(
        result.created
          ? `Created vault keys in ${result.path} (key-encryption key ${result.kekId}, blind-index key). Back this file up apart from the database: without it the personal data cannot be read.\n`
          : `Vault keys already exist in ${result.path}; left unchanged.\n`,
      );
    });

  keys
    .command('rotate')
    .description(
      'create a new key-encryption key and rewrap every data key under it; resumes an interrupted rotation',
    )
    .addHelpText(
      'after',
      '\nSafe while the server runs on PostgreSQL; with the embedded store, stop the server first.',
    )
    .option('--batch-size <n>', 'subjects per transaction', positiveInteger, 200)
    .option(
      '--max-batches <n>',
      'stop after this many batches (continue later with another rotate)',
      positiveInteger,
    )
    .action(async (flags: { batchSize: number; maxBatches?: number }) => {
      await withStoreAndKeys(io, async (store, vaultKeys) => {
        const reporter = progressReporter(io, options.progressBar ?? process.stderr.isTTY === true);
        let result: Awaited<ReturnType<typeof rotateKeys>>;
        try {
          result = await rotateKeys(store.db, vaultKeys.kek, {
            batchSize: flags.batchSize,
            ...(flags.maxBatches === undefined ? {} : { maxBatches: flags.maxBatches }),
            onProgress: (progress) => reporter.update(progress),
          });
        } finally {
          reporter.stop();
        }
        if (result.status === 'nothing-to-do') {
          io.out(
            `Nothing to rotate: every subject is under the current key-encryption key, which is managed in ${vaultKeys.kek.source}; make a new key current there first.\n`,
          );
        } else if (result.status === 'paused') {
          io.out(
            `${result.resumed ? 'Resumed' : 'Started'} rotation to ${result.targetKekId}: ${result.rewrapped} rewrapped, ${result.remaining} remaining. Run \`claimguard keys rotate\` again to continue.\n`,
          );
        } else {
          io.out(
            `${result.resumed ? 'Resumed and finished' : 'Finished'} rotation to ${result.targetKekId}: ${result.rewrapped} data key(s) rewrapped.${result.retiredKekIds.length ? ` Retired ${result.retiredKekIds.join(', ')}.` : ''}\n`,
          );
        }
        if (result.unusedKekIds.length > 0) {
          io.out(
            `No subject uses ${result.unusedKekIds.join(', ')} any more; it can be removed from ${vaultKeys.kek.source}.\n`,
          );
        }
      });
    });

  keys
    .command('status')
    .description('key-encryption keys, subjects under each, rotation in progress, last rotation')
    .option('--json', 'print the status as JSON')
    .action(async (flags: { json?: boolean }) => {
      await withStoreAndKeys(io, async (store, vaultKeys) => {
        const status = await keyStatus(store.db, vaultKeys.kek);
        io.out(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatKeyStatus(status));
      });
    });

  keys
    .command('destroy-retired')
    .description(
      'destroy the key material of retired key-encryption keys no live subject uses: backups made before the last rotation become unreadable (crypto-shredding reaches them)',
    )
    .option('--yes', 'confirm: this cannot be undone')
    .action(async (flags: { yes?: boolean }) => {
      if (!flags.yes) {
        io.err(
          'claimguard: destroying retired keys makes every backup taken before the last rotation unreadable, for good. Rotate first, make sure no backup is still needed, then run again with --yes.\n',
        );
        throw new ExitRequest(EXIT.usage);
      }
      await withStoreAndKeys(io, async (store, vaultKeys) => {
        const installationId = await new SystemRepository(store.db).ensureInstallationId();
        const audit = AuditService.fromConfig(store, loadConfig(io.env), { logName: installationId });
        const result = await destroyRetiredKeks(store.db, vaultKeys.kek, { audit });
        await audit.flush();
        io.out(
          result.destroyed.length > 0
            ? `Destroyed ${result.destroyed.join(', ')}: copies of data keys wrapped under them, in backups too, are unreadable now.\n`
            : 'No retired key-encryption key to destroy.\n',
        );
        for (const kept of result.inUse) {
          io.out(
            `Kept ${kept.id}: ${kept.subjects} live subject(s) still use it; run \`claimguard keys rotate\` first.\n`,
          );
        }
      });
    });

  for (const command of [keys, ...keys.commands]) {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
  }
}
