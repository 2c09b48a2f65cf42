import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { Channel, NotificationParams, RecipientKind } from './notifications.tables.js';

/**
 * The notifications module's SQL, and the only place that touches `notifications`. Every function takes
 * the caller's `db`, which may be a transaction: a notice queued with a claim's change commits with it.
 */
type Db = Kysely<Database>;

export type NewNotificationRow = {
  id: string;
  recipient_kind: RecipientKind;
  recipient_id: string;
  channel: Channel;
  language: 'zh-CN' | 'en-US';
  template_id: string;
  params: NotificationParams;
  sealed_params: string | null;
  next_attempt_at: Date;
  expires_at: Date | null;
  dedupe_key: string | null;
};

/** Inserts a notice unless its dedupe key is taken; returns whether it was inserted. */
export async function insertNotification(db: Db, row: NewNotificationRow): Promise<boolean> {
  const inserted = await db
    .insertInto('notifications')
    .values(row)
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findIdByDedupeKey(db: Db, dedupeKey: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select('id')
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
  return row?.id;
}

/** What a dispatcher needs of a claimed row. */
export type ClaimedRow = {
  id: string;
  recipient_kind: RecipientKind;
  recipient_id: string;
  channel: Channel;
  language: 'zh-CN' | 'en-US';
  template_id: string;
  params: NotificationParams;
  sealed_params: string | null;
  attempts: number;
  expires_at: Date | null;
  claim_token: string;
};

/**
 * Claims up to `limit` due pending rows for one dispatcher round: each gets `claimToken`, one more
 * attempt, and a lease (its `next_attempt_at` moves to `leaseUntil`, so no other dispatcher sees it as due
 * until then). `for update skip locked` lets several processes claim side by side without waiting for or
 * taking each other's rows; on the embedded store, whose one session runs one transaction at a time, the
 * clause is accepted and changes nothing. Run it in a transaction of its own and commit before sending.
 */
export async function claimDue(
  db: Db,
  options: { now: Date; leaseUntil: Date; limit: number; claimToken: string },
): Promise<ClaimedRow[]> {
  const due = await db
    .selectFrom('notifications')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', options.now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (due.length === 0) return [];
  return db
    .updateTable('notifications')
    .set({
      attempts: sql`attempts + 1`,
      next_attempt_at: options.leaseUntil,
      claim_token: options.claimToken,
      updated_at: options.now,
    })
    .where(
      'id',
      'in',
      due.map((row) => row.id),
    )
    .returning([
      'id',
      'recipient_kind',
      'recipient_id',
      'channel',
      'language',
      'template_id',
      'params',
      'sealed_params',
      'attempts',
      'expires_at',
    ])
    .execute()
    .then((rows) => rows.map((row) => ({ ...row, claim_token: options.claimToken })));
}

export type Outcome =
  | { status: 'sent'; sentAt: Date; providerMessageId: string | null }
  | { status: 'skipped' | 'failed'; reason: string }
  | { status: 'pending'; reason: string; nextAttemptAt: Date };

/**
 * Records what became of a claimed row, if the claim still holds (a dispatcher whose lease ran out and
 * whose row was claimed again records nothing). Sealed secrets are wiped whenever the notice is done.
 * Returns whether the row was updated.
 */
export async function recordOutcome(
  db: Db,
  claim: { id: string; claimToken: string },
  outcome: Outcome,
  now: Date,
): Promise<boolean> {
  const common = { claim_token: null, updated_at: now };
  const set =
    outcome.status === 'sent'
      ? {
          ...common,
          status: 'sent' as const,
          sent_at: outcome.sentAt,
          provider_message_id: outcome.providerMessageId,
          last_error: null,
          sealed_params: null,
        }
      : outcome.status === 'pending'
        ? {
            ...common,
            status: 'pending' as const,
            last_error: outcome.reason,
            next_attempt_at: outcome.nextAttemptAt,
          }
        : { ...common, status: outcome.status, last_error: outcome.reason, sealed_params: null };
  const result = await db
    .updateTable('notifications')
    .set(set)
    .where('id', '=', claim.id)
    .where('claim_token', '=', claim.claimToken)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export type InboxRow = {
  id: string;
  template_id: string;
  language: 'zh-CN' | 'en-US';
  params: NotificationParams;
  created_at: Date;
  read_at: Date | null;
};

export async function listInbox(
  db: Db,
  recipient: { kind: RecipientKind; id: string },
  page: { limit: number; offset: number },
): Promise<InboxRow[]> {
  return db
    .selectFrom('notifications')
    .select(['id', 'template_id', 'language', 'params', 'created_at', 'read_at'])
    .where('recipient_kind', '=', recipient.kind)
    .where('recipient_id', '=', recipient.id)
    .where('channel', '=', 'in-app')
    .where('status', '=', 'sent')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countUnread(db: Db, recipient: { kind: RecipientKind; id: string }): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
    .where('recipient_kind', '=', recipient.kind)
    .where('recipient_id', '=', recipient.id)
    .where('channel', '=', 'in-app')
    .where('status', '=', 'sent')
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Marks the recipient's own unread in-app messages among `ids` read; returns how many changed. */
export async function markRead(
  db: Db,
  recipient: { kind: RecipientKind; id: string },
  ids: readonly string[],
  now: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now, updated_at: now })
    .where('recipient_kind', '=', recipient.kind)
    .where('recipient_id', '=', recipient.id)
    .where('channel', '=', 'in-app')
    .where('status', '=', 'sent')
    .where('read_at', 'is', null)
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
