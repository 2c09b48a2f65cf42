import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type {
  Channel,
  NotificationParams,
  NotificationStatus,
  RecipientKind,
} from './notifications.tables.js';

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

/** A recipient of a bulk insert, with their language and the parameters (as JSON text) of their notices. */
export type BulkRecipientRow = {
  recipient_id: string;
  language: 'zh-CN' | 'en-US';
  params: string;
};

/**
 * Inserts one notice per recipient and channel in ONE statement: the recipients are passed as three arrays
 * and crossed with the channels in the database, ids come from `gen_random_uuid()` and each dedupe key is
 * `<dedupePrefix>:<recipient id>:<channel>`, so a page of thousands of notices costs one round trip and
 * little more than the database's own insert. Notices whose dedupe key is taken are skipped. Returns how
 * many were inserted. Runs in the caller's transaction.
 */
export async function insertNotificationsForRecipients(
  db: Db,
  shared: {
    recipient_kind: RecipientKind;
    template_id: string;
    next_attempt_at: Date;
    batch_id: string | null;
    channels: readonly Channel[];
    dedupe_prefix: string;
  },
  recipients: readonly BulkRecipientRow[],
): Promise<number> {
  if (recipients.length === 0 || shared.channels.length === 0) return 0;
  const result = await sql`
    insert into notifications
      (id, recipient_kind, recipient_id, channel, language, template_id, params, next_attempt_at, dedupe_key, batch_id)
    select gen_random_uuid(), ${shared.recipient_kind}, t.recipient_id, c.channel, t.language, ${shared.template_id},
      t.params::jsonb, ${shared.next_attempt_at}, ${shared.dedupe_prefix} || ':' || t.recipient_id || ':' || c.channel,
      ${shared.batch_id}::uuid
    from unnest(${recipients.map((row) => row.recipient_id)}::uuid[], ${recipients.map((row) => row.language)}::text[],
        ${recipients.map((row) => row.params)}::text[]) as t(recipient_id, language, params)
      cross join unnest(${[...shared.channels]}::text[]) as c(channel)
    on conflict (dedupe_key) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export type BatchCount = { channel: Channel; status: NotificationStatus; count: number };

/** How many of a batch's notices are in each channel and status. */
export async function countBatch(db: Db, batchId: string): Promise<BatchCount[]> {
  const rows = await db
    .selectFrom('notifications')
    .select(['channel', 'status', (eb) => eb.fn.countAll<string | number | bigint>().as('count')])
    .where('batch_id', '=', batchId)
    .groupBy(['channel', 'status'])
    .orderBy('channel')
    .orderBy('status')
    .execute();
  return rows.map((row) => ({ channel: row.channel, status: row.status, count: Number(row.count) }));
}

export type BatchNoticeRow = {
  id: string;
  recipient_id: string;
  channel: Channel;
  status: NotificationStatus;
  language: 'zh-CN' | 'en-US';
  params: NotificationParams;
  last_error: string | null;
  attempts: number;
  updated_at: Date;
};

const BATCH_NOTICE_COLUMNS = [
  'id',
  'recipient_id',
  'channel',
  'status',
  'language',
  'params',
  'last_error',
  'attempts',
  'updated_at',
] as const;

/** A batch's notices on one channel that ended undelivered (failed or skipped), by recipient id. */
export async function undeliveredInBatch(
  db: Db,
  batchId: string,
  options: { channel: Channel; after: string | null; limit: number },
): Promise<BatchNoticeRow[]> {
  let query = db
    .selectFrom('notifications')
    .select(BATCH_NOTICE_COLUMNS)
    .where('batch_id', '=', batchId)
    .where('channel', '=', options.channel)
    .where('status', 'in', ['failed', 'skipped']);
  if (options.after) query = query.where('recipient_id', '>', options.after);
  return query.orderBy('recipient_id').limit(options.limit).execute();
}

/**
 * Recipients of a batch whom no notice reached: none is still pending and none was sent over a channel
 * in `reaching` (in-app messages wait for a sign-in that may never come, so they are left out there).
 * One row per recipient (its first notice's language and parameters), by recipient id.
 */
export async function unreachedInBatch(
  db: Db,
  batchId: string,
  options: { reaching: readonly Channel[]; after: string | null; limit: number },
): Promise<{ recipient_id: string; language: 'zh-CN' | 'en-US'; params: NotificationParams }[]> {
  const reaching = options.reaching.length > 0 ? options.reaching : (['email'] as const);
  const result = await sql<{ recipient_id: string; language: 'zh-CN' | 'en-US'; params: NotificationParams }>`
    select recipient_id, (array_agg(language order by id))[1] as language,
      (array_agg(params order by id))[1] as params
    from notifications
    where batch_id = ${batchId} and (${options.after}::uuid is null or recipient_id > ${options.after}::uuid)
    group by recipient_id
    having count(*) filter (where status = 'pending') = 0
      and count(*) filter (where status = 'sent' and channel in (${sql.join([...reaching])})) = 0
    order by recipient_id
    limit ${options.limit}`.execute(db);
  return result.rows;
}

/** The batches a recipient has notices in. */
export async function batchesOfRecipient(
  db: Db,
  recipient: { kind: RecipientKind; id: string },
): Promise<string[]> {
  const rows = await db
    .selectFrom('notifications')
    .select('batch_id')
    .distinct()
    .where('recipient_kind', '=', recipient.kind)
    .where('recipient_id', '=', recipient.id)
    .where('batch_id', 'is not', null)
    .execute();
  return rows.flatMap((row) => (row.batch_id ? [row.batch_id] : []));
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
  batch_id: string | null;
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
      'batch_id',
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
  batch_id: string | null;
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
    .select(['id', 'template_id', 'language', 'params', 'batch_id', 'created_at', 'read_at'])
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
