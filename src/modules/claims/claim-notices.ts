import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { maskClaimNumber } from '../notifications/notification-templates.js';
import type {
  NotificationService,
  Recipient,
  RecipientDirectory,
} from '../notifications/notifications.service.js';
import type { Channel } from '../notifications/notifications.tables.js';
import type { ClaimEventListener } from './claims.service.js';
import type { CustomerService } from './customers.service.js';

/**
 * Tells the customer of every step of their claim (S0.1): each transition queues an in-app message, an SMS
 * and an email in the customer's language, in the transition's own transaction, so a step and its notice
 * commit together. The notice carries a masked claim number and a link, never personal data; channels that
 * are not configured are skipped by the dispatcher and say so in the outbox.
 */
type Db = Kysely<Database>;

const CHANNELS: readonly Channel[] = ['in-app', 'sms', 'email'];

export function claimNotices(
  notifications: NotificationService,
  customers: CustomerService,
): ClaimEventListener {
  return {
    async claimMoved(db: Db, { claim, from, to }) {
      const profile = await customers.profile(db, claim.claimant_id);
      const language = profile?.language === 'en-US' ? 'en-US' : 'zh-CN';
      const recipient: Recipient = { kind: 'customer', id: claim.claimant_id };
      const claimNumber = maskClaimNumber(claim.number);
      const link = `/portal/claims/${claim.id}`;
      for (const channel of CHANNELS) {
        const dedupeKey = `claim:${claim.id}:v${claim.version}:${to}:${channel}`;
        if (to === 'reported') {
          await notifications.enqueue(db, {
            recipient,
            channel,
            language,
            dedupeKey,
            template: 'claim.reported',
            params: { claimNumber, link },
          });
        } else if (from === 'paying' && to === 'closed') {
          // Closed by the payment (S3.3): the customer is told they were paid, to the account on file.
          await notifications.enqueue(db, {
            recipient,
            channel,
            language,
            dedupeKey,
            template: 'claim.payout-paid',
            params: { claimNumber, link },
          });
        } else {
          await notifications.enqueue(db, {
            recipient,
            channel,
            language,
            dedupeKey,
            template: 'claim.state-changed',
            params: { claimNumber, state: to, link },
          });
        }
      }
    },
  };
}

/**
 * Where to reach a customer, read through the vault at the moment of sending (purpose: customer service),
 * so addresses are never copied into the outbox. Each lookup is audited as the system's read.
 */
export function customerDirectory(customers: CustomerService): RecipientDirectory {
  return {
    async addressOf(db, recipient, channel) {
      if (recipient.kind !== 'customer') return null;
      const field = channel === 'sms' ? 'phone' : 'email';
      const [view] = await customers.view(db, [recipient.id], [field], {
        actor: SYSTEM_ACTOR,
        purpose: 'customer-service',
        unmask: true,
        requestId: null,
        resource: { type: 'notification', id: recipient.id },
      });
      return view?.fields[field]?.value ?? null;
    },
  };
}
