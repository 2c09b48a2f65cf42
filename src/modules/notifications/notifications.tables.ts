import type { Generated } from 'kysely';

/**
 * Tables of the notifications module (migration 2026-11-24T1600-notifications). Only
 * `notifications.repository.ts` reads or writes them.
 */
export type NotificationTables = {
  notifications: NotificationsTable;
};

export const RECIPIENT_KINDS = ['customer', 'staff'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export const CHANNELS = ['in-app', 'email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Non-secret template parameters: short codes, masked numbers and link paths only (checked per template). */
export type NotificationParams = Record<string, string | number | boolean>;

/**
 * The outbox: one row per notice to one recipient over one channel. An in-app notice's row is the message
 * itself. SECURITY: no row holds personal data. The recipient is an internal id (a vault data subject for
 * customers, a staff user id); the address is looked up only at the moment of sending and never stored;
 * parameters are validated per template so that they cannot carry names, phone numbers or addresses;
 * secret parameters (verification codes) are kept sealed in `sealed_params` and wiped once the notice is
 * done with.
 */
export type NotificationsTable = {
  id: string;
  recipient_kind: RecipientKind;
  /** `customer`: vault data subject id; `staff`: staff user id. */
  recipient_id: string;
  channel: Channel;
  language: 'zh-CN' | 'en-US';
  template_id: string;
  params: NotificationParams;
  /** AES-256-GCM-sealed secret parameters (`v1.<iv>.<tag>.<ciphertext>`); null when none or wiped. */
  sealed_params: string | null;
  status: Generated<NotificationStatus>;
  /** Claims so far (each dispatch of the row counts one). */
  attempts: Generated<number>;
  /** When the row is next due; while a dispatcher holds it, the end of that dispatcher's lease. */
  next_attempt_at: Date;
  /** Identifies the dispatcher round holding the row, so a late one whose lease ran out records nothing. */
  claim_token: string | null;
  /** After this the notice is pointless (a verification code's lifetime) and is skipped, not sent. */
  expires_at: Date | null;
  /** A short code (`smtp-550`, `ECONNECTION`, `no-address` …). SECURITY: never a provider's message text. */
  last_error: string | null;
  sent_at: Date | null;
  provider_message_id: string | null;
  /** In-app notices: when the recipient read it. */
  read_at: Date | null;
  /** The same key is never queued twice (unique; null for notices that may repeat). */
  dedupe_key: string | null;
  /** Notices queued together (a breach-notice campaign's), counted and listed as one (2026-11-25T0600). */
  batch_id: Generated<string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};
