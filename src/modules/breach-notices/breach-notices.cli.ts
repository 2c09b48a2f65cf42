import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { CliIo } from '../../cli/claimguard.js';
import { loadConfig, SETTINGS } from '../../config/config.js';
import { migrationStatus } from '../../db/migrations.js';
import { openStore } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { abilityFor } from '../access/abilities.js';
import { AuditService } from '../audit/audit.service.js';
import { CustomerService } from '../claims/customers.service.js';
import { loadIdentityKey } from '../identity/identity-keys.js';
import { breachNoticeSourcesOf } from '../incidents/breach-notice-sources.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { deriveNotificationKey, NotificationService } from '../notifications/notifications.service.js';
import { SystemRepository } from '../system/system.repository.js';
import { loadVaultKeys } from '../vault/key-provider.js';
import { VaultService } from '../vault/vault.service.js';
import type { BreachNoticeSources } from './affected-subjects.js';
import { BreachNoticeSender, type CampaignProgress } from './breach-notice-sender.js';
import { BreachNoticesService } from './breach-notices.service.js';

/**
 * `claimguard notices send <campaign>` (S4.2): runs an approved breach-notice campaign's job in the
 * foreground with a progress bar, instead of (or beside) the servers' background job; both take the
 * campaign page by page under `skip locked`, so they never work on it at once and never queue a notice
 * twice. An approved or paused campaign is started (audited as the system, `via: cli`). With the embedded
 * store the server must be stopped first (one process at a time); on PostgreSQL it runs beside it.
 */
export type NoticeCommandOptions = {
  /** Where affected subjects and incident summaries come from (the incidents module). */
  sources?: BreachNoticeSources;
  /** Draw a progress bar on standard error (default: when standard error is a terminal). */
  progressBar?: boolean;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function progressReporter(io: CliIo, bar: boolean, everyMs = 2_000) {
  if (bar) {
    const progress = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          'queueing breach notices [{bar}] {percentage}% | {value}/{total} customers | {eta_formatted} left',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: CampaignProgress) {
        const total = p.total ?? p.done;
        if (!started) {
          progress.start(total, p.done);
          started = true;
        }
        progress.setTotal(total);
        progress.update(p.done);
      },
      stop() {
        if (started) progress.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p: CampaignProgress) {
      const now = Date.now();
      if (now - last < everyMs && p.done < (p.total ?? 0)) return;
      last = now;
      io.err(`queued notices for ${p.done}/${p.total ?? '?'} customers (${p.queued} notices)\n`);
    },
    stop() {},
  };
}

export function registerBreachNoticeCommands(
  program: Command,
  io: CliIo,
  options: NoticeCommandOptions = {},
): void {
  const notices = program.command('notices').description('breach notices to affected customers (S4.2)');

  notices
    .command('send')
    .description(
      "queue an approved breach-notice campaign's notices now, with progress; resumes a paused or interrupted one",
    )
    .argument('<campaign>', 'the campaign id (UUID)')
    .addHelpText(
      'after',
      '\nSafe beside running servers on PostgreSQL (each page is claimed with skip locked); with the embedded store, stop the server first.',
    )
    .action(async (campaignId: string) => {
      if (!UUID.test(campaignId)) throw new DomainError('bad-request', 'A campaign id is a UUID.');
      const config = loadConfig(io.env);
      const vaultKeys = loadVaultKeys(config);
      const identityKey = loadIdentityKey({ dataDir: config.dataDir, fromEnv: config.identityKey });
      const store = await openStore(config);
      try {
        const status = await migrationStatus(store.db);
        if (status.pending > 0)
          throw new DomainError(
            'not-ready',
            `the ${store.location} has ${status.pending} pending migration(s); run \`claimguard migrate\` first.`,
          );
        const installationId = await new SystemRepository(store.db).ensureInstallationId();
        const audit = AuditService.fromConfig(store, config, { logName: installationId });
        // Read-only use of the incidents module: who is affected, what the incident is called.
        const sources = options.sources ?? breachNoticeSourcesOf(new IncidentsService(store.db, audit));
        const customers = new CustomerService(new VaultService({ keys: vaultKeys, audit }), audit);
        const notifications = new NotificationService({
          secretKey: deriveNotificationKey(identityKey),
          publicUrl: config.publicUrl ?? SETTINGS.publicUrl.default,
          defaultLanguage: config.language,
        });
        const service = new BreachNoticesService(store.db, {
          sources,
          notifications,
          customers,
          audit,
          publicUrl: config.publicUrl ?? SETTINGS.publicUrl.default,
        });
        const system = {
          context: { principal: null, requestId: null, ip: null, userAgent: 'claimguard notices send' },
          ability: abilityFor(null),
        };
        const campaign = await service.get(system, campaignId);
        if (campaign.state === 'approved' || campaign.state === 'paused')
          await service.start(system, campaignId);
        else if (campaign.state === 'done') {
          io.out(
            `Campaign ${campaignId} is done: ${campaign.progress.done} customer(s), ${campaign.progress.queued} notice(s) queued.\n`,
          );
          return;
        } else if (campaign.state === 'draft')
          throw new DomainError(
            'campaign-state',
            'The campaign is a draft: a second security officer approves it first.',
          );
        const sender = new BreachNoticeSender({
          notifications,
          affected: sources.affected,
          customers,
          defaultLanguage: config.language,
        });
        const reporter = progressReporter(io, options.progressBar ?? process.stderr.isTTY === true);
        const started = Date.now();
        let outcome: 'done' | 'stopped';
        try {
          outcome = await sender.runCampaign(store.db, campaignId, { onProgress: (p) => reporter.update(p) });
        } finally {
          reporter.stop();
        }
        await audit.flush();
        const after = await service.get(system, campaignId);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        io.out(
          outcome === 'done'
            ? `Campaign ${campaignId} done in ${seconds} s: notices for ${after.progress.done} customer(s), ${after.progress.queued} notice(s) queued in the outbox.\n`
            : `Campaign ${campaignId} stopped (${after.state}) at ${after.progress.done}/${after.progress.total ?? '?'} customer(s); run \`claimguard notices send ${campaignId}\` to resume.\n`,
        );
      } finally {
        await store.close();
      }
    });

  for (const command of [notices, ...notices.commands]) {
    command.configureOutput({ writeOut: io.out, writeErr: io.err }).exitOverride().showHelpAfterError();
  }
}
