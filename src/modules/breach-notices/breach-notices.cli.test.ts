import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { openEmbeddedStore, type Store } from '../../db/store.js';
import { captureCli } from '../../test-support/cli-capture.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { abilityFor } from '../access/abilities.js';
import type { StaffPrincipal } from '../access/principal.js';
import { CustomerService } from '../claims/customers.service.js';
import { ensureIdentityKey } from '../identity/identity-keys.js';
import { NotificationService } from '../notifications/notifications.service.js';
import { initVaultKeys, loadVaultKeys } from '../vault/key-provider.js';
import { VaultService } from '../vault/vault.service.js';
import { registerBreachNoticeCommands } from './breach-notices.cli.js';
import { type BreachNoticeCaller, BreachNoticesService } from './breach-notices.service.js';
import {
  addAffected,
  categoriesFor,
  createAffectedTable,
  SAMPLE_TEXTS,
  seedBulkCustomers,
  TableIncidentSources,
} from './breach-notices-test-kit.js';

/** `claimguard notices send <campaign>` (S4.2): runs an approved campaign's job in the foreground. */
function officer(): BreachNoticeCaller {
  const principal: StaffPrincipal = {
    kind: 'staff',
    userId: randomUUID(),
    role: 'security_officer',
    branch: null,
    sessionId: randomUUID(),
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: '',
  };
  return {
    context: { principal, requestId: null, ip: null, userAgent: 'vitest' },
    ability: abilityFor(principal),
  };
}

describe('claimguard notices send', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-notices-cli-'));
    env = { CLAIMGUARD_DATA_DIR: dataDir, CLAIMGUARD_LOG_LEVEL: 'silent' };
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  function serviceOn(db: Store['db'], source: TableIncidentSources): BreachNoticesService {
    const audit = new RecordingAudit();
    const keys = loadVaultKeys({ dataDir, vaultKek: undefined, vaultIndexKey: undefined });
    return new BreachNoticesService(db, {
      sources: source.sources,
      notifications: new NotificationService({ secretKey: Buffer.alloc(32), publicUrl: 'https://x.example' }),
      customers: new CustomerService(new VaultService({ keys, audit }), audit),
      audit,
      publicUrl: 'https://x.example',
    });
  }

  async function run(argv: string[], sources: TableIncidentSources) {
    const cli = captureCli(env);
    const program = new Command('claimguard').exitOverride();
    registerBreachNoticeCommands(program, cli.io, { sources: sources.sources, progressBar: false });
    await program.parseAsync(argv, { from: 'user' });
    return cli;
  }

  it('starts an approved campaign, queues every notice with progress lines, and says so', async () => {
    expect(await runCli(['migrate'], captureCli(env).io)).toBe(EXIT.ok);
    ensureIdentityKey(dataDir);
    initVaultKeys(dataDir);
    const source = new TableIncidentSources();
    const incidentId = `inc-${randomUUID()}`;
    source.incidents.set(incidentId, {
      reference: 'INC-2026-0900',
      title: 't',
      isDrill: false,
      status: 'open',
    });

    let campaignId = '';
    const store = await openEmbeddedStore({ dataDir });
    try {
      await createAffectedTable(store.db);
      const subjects = await seedBulkCustomers(store.db, 2_500);
      await addAffected(
        store.db,
        incidentId,
        subjects.map((id, index) => ({ id, categories: categoriesFor(index) })),
      );
      const service = serviceOn(store.db, source);
      const draft = await service.create(officer(), incidentId, {
        channels: ['in-app', 'sms'],
        texts: SAMPLE_TEXTS,
      });
      campaignId = draft.id;
    } finally {
      await store.close();
    }
    // A draft is refused: a second officer has not approved it.
    await expect(run(['notices', 'send', campaignId], source)).rejects.toMatchObject({
      code: 'campaign-state',
    });
    const again = await openEmbeddedStore({ dataDir });
    try {
      await serviceOn(again.db, source).approve(officer(), campaignId, 1);
    } finally {
      await again.close();
    }

    const cli = await run(['notices', 'send', campaignId], source);
    expect(cli.out()).toMatch(
      new RegExp(
        `^Campaign ${campaignId} done in [0-9.]+ s: notices for 2500 customer\\(s\\), 5000 notice\\(s\\) queued in the outbox\\.\\n$`,
      ),
    );
    expect(cli.err()).toContain('queued notices for 2500/2500 customers (5000 notices)');

    const check = await openEmbeddedStore({ dataDir });
    try {
      const rows = await check.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('batch_id', '=', campaignId)
        .executeTakeFirstOrThrow();
      expect(Number(rows.count)).toBe(5_000);
      // The start was recorded and sequenced into the audit log, by the system, for this campaign.
      const started = await check.db
        .selectFrom('audit_events')
        .select(['actor_type', 'resource_id'])
        .where('action', '=', 'breach-notice.sending-started')
        .execute();
      expect(started).toEqual([{ actor_type: 'system', resource_id: campaignId }]);
    } finally {
      await check.close();
    }

    const done = await run(['notices', 'send', campaignId], source);
    expect(done.out()).toBe(`Campaign ${campaignId} is done: 2500 customer(s), 5000 notice(s) queued.\n`);
  }, 120_000);
});
