import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { ExitRequest } from '../../cli/exit-request.js';
import { loadConfig } from '../../config/config.js';
import { PACKAGE_VERSION } from '../../config/package-info.js';
import { migrationStatus } from '../../db/migrations.js';
import { openStore, type Store } from '../../db/store.js';
import { SystemService } from '../system/system.service.js';
import { type AuditFilter, AuditService } from './audit.service.js';
import { AUDIT_OUTCOMES } from './audit-event.js';
import type { VerifyReport } from './audit-verifier.js';

/**
 * `claimguard audit …`: verify the log, make a checkpoint, export, reseal after a restore. Each command
 * opens the configured store, runs, and closes it.
 */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('verify, checkpoint, export and reseal the audit log');

  audit
    .command('verify')
    .description(
      'recompute the whole log and check every checkpoint; exit 1 and say where when it was tampered with',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await withAudit(io, async (service) => {
        const bar = progressBar();
        try {
          return await service.verify({
            onProgress: (done, total) => {
              if (!bar) return;
              if (bar.getTotal() !== total) bar.start(total, 0);
              bar.update(done);
            },
          });
        } finally {
          bar?.stop();
        }
      });
      io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.intact) throw new ExitRequest(EXIT.failure);
    });

  audit
    .command('checkpoint')
    .description('sign a checkpoint of the log now (also written to the checkpoint directory)')
    .action(async () => {
      const { result, verifierKey } = await withAudit(io, async (service) => ({
        result: await service.createCheckpoint(),
        verifierKey: service.verifierKey,
      }));
      io.out(
        `${result.created ? 'Signed' : 'Unchanged since'} checkpoint: ${result.treeSize} event(s), root ${result.rootHash.toString('hex')}\n` +
          (result.file ? `Written to ${result.file}\n` : '') +
          `Verifier key: ${verifierKey}\n`,
      );
    });

  audit
    .command('export')
    .description('write events as JSON lines with proofs and the signed checkpoint, to verify offline')
    .requiredOption('--out <file>', 'JSON lines file to write')
    .option('--actor <id>', 'only events by this actor id')
    .option('--subject <id>', 'only events about this data subject id')
    .option('--resource-type <type>', 'only events on resources of this type')
    .option('--resource-id <id>', 'only events on this resource id')
    .option('--action <action>', 'only events with this action')
    .addOption(new Option('--outcome <outcome>', 'only events with this outcome').choices(AUDIT_OUTCOMES))
    .option('--from <time>', 'only events at or after this ISO 8601 time', parseTime)
    .option('--to <time>', 'only events before this ISO 8601 time', parseTime)
    .action(async (options: ExportOptions) => {
      const summary = await withAudit(io, async (service) => {
        const out = createWriteStream(options.out, { flags: 'wx', mode: 0o600 });
        const result = await service.exportJsonl(toFilter(options), out);
        out.end();
        await finished(out);
        return result;
      });
      io.out(
        `Exported ${summary.events} event(s) to ${options.out}, with proofs against the checkpoint of ${summary.treeSize} event(s).\n`,
      );
    });

  audit
    .command('consistency-proof')
    .description('print (JSON) the proof that the tree of --to events extends the tree of --from events')
    .requiredOption('--from <size>', 'the older tree size', parseSize)
    .requiredOption('--to <size>', 'the newer tree size', parseSize)
    .action(async (options: { from: number; to: number }) => {
      const proof = await withAudit(io, (service) => service.consistencyProof(options.from, options.to));
      io.out(`${JSON.stringify(proof, null, 2)}\n`);
    });

  audit
    .command('reseal')
    .description('after a restore from backup: record an audit.resealed event and sign a new checkpoint')
    .requiredOption('--reason <text>', 'why (e.g. "restored from the backup of 2026-11-20")')
    .action(async (options: { reason: string }) => {
      const result = await withAudit(io, (service) => service.reseal(options.reason));
      io.out(
        `Resealed at ${result.restoredTreeSize} event(s); ${result.supersededCheckpointFiles.length} checkpoint file(s) moved aside. New checkpoint: ${result.checkpoint.treeSize} event(s).\n`,
      );
    });

  for (const command of [audit, ...audit.commands]) {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
  }
}

type ExportOptions = {
  out: string;
  actor?: string;
  subject?: string;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
};

function toFilter(options: ExportOptions): AuditFilter {
  const filter: AuditFilter = {};
  if (options.actor) filter.actorId = options.actor;
  if (options.subject) filter.dataSubjectId = options.subject;
  if (options.resourceType) filter.resourceType = options.resourceType;
  if (options.resourceId) filter.resourceId = options.resourceId;
  if (options.action) filter.action = options.action;
  if (options.outcome) filter.outcome = options.outcome;
  if (options.from) filter.from = options.from;
  if (options.to) filter.to = options.to;
  return filter;
}

function parseSize(value: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value))
    throw new InvalidArgumentError('expected a tree size (0, 1, 2, ...).');
  return Number(value);
}

function parseTime(value: string): Date {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new InvalidArgumentError('expected an ISO 8601 time.');
  return time;
}

async function withAudit<T>(io: CliIo, run: (service: AuditService) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const store: Store = await openStore(config);
  try {
    const status = await migrationStatus(store.db);
    if (status.pending > 0) {
      io.err(`claimguard: ${status.pending} migration(s) pending; run claimguard migrate first.\n`);
      throw new ExitRequest(EXIT.migration);
    }
    const system = await SystemService.create(store, {
      version: PACKAGE_VERSION,
      defaultLanguage: config.language,
    });
    const { installationId } = await system.status();
    const service = AuditService.fromConfig(store, config, { logName: installationId });
    try {
      return await run(service);
    } finally {
      await service.stop();
    }
  } finally {
    await store.close();
  }
}

function progressBar(): cliProgress.SingleBar | null {
  // Only for a person watching: a pipe or a log file gets the report alone.
  if (!process.stderr.isTTY) return null;
  return new cliProgress.SingleBar(
    { stream: process.stderr, format: 'verifying {bar} {value}/{total} events ({eta}s left)', fps: 5 },
    cliProgress.Presets.shades_classic,
  );
}

export function formatReport(report: VerifyReport): string {
  const head = report.intact
    ? `The audit log is intact: ${report.events} event(s), root ${report.rootHash}.\n`
    : `The audit log has ${report.problems.length}${report.problemsTruncated ? '+' : ''} problem(s):\n`;
  const problems = report.problems.map((problem) => `  ${problem.kind}: ${problem.message}\n`).join('');
  const checked = `Checked ${report.checkpointsChecked} checkpoint(s) in the store and ${report.checkpointFilesChecked} file(s) in ${report.durationMs} ms${
    report.latestVerifiedCheckpointSize === null
      ? ''
      : `; latest verified checkpoint: ${report.latestVerifiedCheckpointSize} event(s)`
  }.\n`;
  return head + problems + checked;
}
