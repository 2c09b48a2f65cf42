import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { describeOnPostgres, openTestStore, postgresTestUrl } from '../../test-support/test-stores.js';
import { testVaultKeys } from '../../test-support/vault-fixtures.js';
import { abilityFor } from '../access/abilities.js';
import type { StaffPrincipal } from '../access/principal.js';
import { CustomerService } from '../claims/customers.service.js';
import { NotificationService } from '../notifications/notifications.service.js';
import { VaultService } from '../vault/vault.service.js';
import { BreachNoticeSender } from './breach-notice-sender.js';
import { type BreachNoticeCaller, BreachNoticesService } from './breach-notices.service.js';
import {
  addAffected,
  categoriesFor,
  createAffectedTable,
  SAMPLE_TEXTS,
  seedBulkCustomers,
  TableIncidentSources,
} from './breach-notices-test-kit.js';

/**
 * "Duplicate-free notice sending after a crash mid-job" (issue 5, Done when; S4.2): a process running the
 * breach-notice job is killed in the middle of a page, after the page's notices were inserted and before
 * its cursor moved. Its transaction dies with it; a resumed job then finishes with exactly one notice per
 * affected subject and channel. Two processes share the store, so this runs on PostgreSQL only: PGlite is
 * one process's embedded database and cannot be opened by a second process.
 */
const FIXTURE = fileURLToPath(new URL('./breach-notice-crash.fixture.ts', import.meta.url));
const SUBJECTS = 1_000;
const PAGE = 150;
const CRASH_ON_PAGE = 4;
const CHANNELS = ['in-app', 'sms', 'email'] as const;

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

describeOnPostgres(
  'breach-notice job crash recovery [postgres only: PGlite cannot be shared between processes]',
  () => {
    let store: Store;

    beforeAll(async () => {
      store = await openTestStore('postgres');
      await createAffectedTable(store.db);
    }, 120_000);

    afterAll(async () => {
      await store?.close();
    });

    it('queues exactly one notice per subject and channel when the process dies mid-page and the job resumes', async () => {
      const audit = new RecordingAudit();
      const notifications = new NotificationService({
        secretKey: randomBytes(32),
        publicUrl: 'https://x.example',
      });
      const customers = new CustomerService(new VaultService({ keys: testVaultKeys(), audit }), audit);
      const source = new TableIncidentSources();
      const incidentId = `inc-${randomUUID()}`;
      source.incidents.set(incidentId, {
        reference: 'INC-2026-0777',
        title: 't',
        isDrill: false,
        status: 'open',
      });
      const subjects = await seedBulkCustomers(store.db, SUBJECTS);
      await addAffected(
        store.db,
        incidentId,
        subjects.map((id, index) => ({ id, categories: categoriesFor(index) })),
      );
      const service = new BreachNoticesService(store.db, {
        sources: source.sources,
        notifications,
        customers,
        audit,
        publicUrl: 'https://x.example',
      });
      const draft = await service.create(officer(), incidentId, {
        channels: [...CHANNELS],
        texts: SAMPLE_TEXTS,
      });
      await service.approve(officer(), draft.id, draft.version);
      await service.start(officer(), draft.id);

      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
      const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
        env: {
          ...process.env,
          CRASH_DB_URL: postgresTestUrl(),
          CRASH_DB_SCHEMA: rows[0]?.schema ?? '',
          CRASH_CAMPAIGN_ID: draft.id,
          CRASH_PAGE_SIZE: String(PAGE),
          CRASH_ON_PAGE: String(CRASH_ON_PAGE),
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
      let stdout = '';
      const midPage = await new Promise<boolean>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          if (stdout.includes('mid-page\n')) resolve(true);
        });
        void exited.then(() => resolve(false));
      });
      expect(midPage, stderr).toBe(true);
      // The crashed page had inserted its notices (in its transaction) when the process died.
      expect(stdout).toContain(`page ${CRASH_ON_PAGE}: ${PAGE * CHANNELS.length}\n`);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      // The dead transaction took its page with it: the outbox and the cursor are where page 3 left them.
      const committedSubjects = (CRASH_ON_PAGE - 1) * PAGE;
      const outbox = () =>
        store.db
          .selectFrom('notifications')
          .select(['recipient_id', 'channel'])
          .where('batch_id', '=', draft.id)
          .execute();
      let campaign = await service.get(officer(), draft.id);
      // (The dead session's row lock ends when PostgreSQL notices; until then the job skips and tries again.)
      expect(campaign).toMatchObject({
        state: 'sending',
        progress: { done: committedSubjects, total: SUBJECTS, queued: committedSubjects * CHANNELS.length },
      });
      expect(await outbox()).toHaveLength(committedSubjects * CHANNELS.length);

      // Resumed (here, by another process's sender: this test's): it carries on from the stored cursor.
      const sender = new BreachNoticeSender({ notifications, affected: source, customers, pageSize: PAGE });
      expect(await sender.runCampaign(store.db, draft.id, { busyWaitMs: 50 })).toBe('done');

      const notices = await outbox();
      expect(notices).toHaveLength(SUBJECTS * CHANNELS.length);
      const perSubjectAndChannel = new Map<string, number>();
      for (const notice of notices) {
        const key = `${notice.recipient_id}:${notice.channel}`;
        perSubjectAndChannel.set(key, (perSubjectAndChannel.get(key) ?? 0) + 1);
      }
      expect(perSubjectAndChannel.size).toBe(SUBJECTS * CHANNELS.length);
      expect([...perSubjectAndChannel.values()].every((count) => count === 1)).toBe(true);
      for (const id of subjects)
        for (const channel of CHANNELS) expect(perSubjectAndChannel.get(`${id}:${channel}`), id).toBe(1);
      campaign = await service.get(officer(), draft.id);
      expect(campaign).toMatchObject({
        state: 'done',
        progress: { done: SUBJECTS, total: SUBJECTS, queued: SUBJECTS * CHANNELS.length },
      });
    }, 120_000);
  },
);
