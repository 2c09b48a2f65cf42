/**
 * Test fixture, run as a child process by breach-notice-crash.test.ts (`node --import tsx <this file>`):
 * runs the breach-notice job of a campaign on a PostgreSQL test schema through the real sender, outbox and
 * customer languages, and on page CRASH_ON_PAGE stops dead after that page's notices are inserted and
 * before its cursor moves (it prints `mid-page` and waits to be killed), inside the page's transaction.
 * Not part of the product.
 */
import { randomBytes } from 'node:crypto';
import { openPostgresStore } from '../../db/store.js';
import { RecordingAudit } from '../../test-support/recording-audit.js';
import { CustomerService } from '../claims/customers.service.js';
import { NotificationService } from '../notifications/notifications.service.js';
import { EnvironmentKeyProvider } from '../vault/key-provider.js';
import { VaultService } from '../vault/vault.service.js';
import { BreachNoticeSender } from './breach-notice-sender.js';
import { TableIncidentSources } from './breach-notices-test-kit.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const store = await openPostgresStore({
  url: env('CRASH_DB_URL'),
  schema: env('CRASH_DB_SCHEMA'),
  poolSize: 2,
});
const audit = new RecordingAudit();
const provider = new EnvironmentKeyProvider([randomBytes(32)], randomBytes(32));
const customers = new CustomerService(
  new VaultService({ keys: { kek: provider, blindIndexKey: provider.blindIndexKey }, audit }),
  audit,
);
const notifications = new NotificationService({
  secretKey: randomBytes(32),
  publicUrl: 'https://claims.example.com',
});
const crashOnPage = Number(env('CRASH_ON_PAGE'));
let pages = 0;
const sender = new BreachNoticeSender({
  notifications: {
    async enqueueToRecipients(db, template, recipients, options) {
      const inserted = await notifications.enqueueToRecipients(db, template, recipients, options);
      pages++;
      process.stdout.write(`page ${pages}: ${inserted}\n`);
      if (pages === crashOnPage) {
        process.stdout.write('mid-page\n');
        // The process dies here (SIGKILL from the test): the page's rows are inserted, its cursor not moved,
        // its transaction not committed.
        await new Promise(() => {});
      }
      return inserted;
    },
  },
  affected: new TableIncidentSources(),
  customers,
  pageSize: Number(env('CRASH_PAGE_SIZE')),
});
const outcome = await sender.runCampaign(store.db, env('CRASH_CAMPAIGN_ID'));
process.stdout.write(`${outcome}\n`);
await store.close();
