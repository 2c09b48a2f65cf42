import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type { CampaignState, CampaignTexts } from './breach-notices.tables.js';

/** The breach-notices module's SQL, and the only place that touches `breach_notice_campaigns`. */
type Db = Kysely<Database>;

export type CampaignRow = {
  id: string;
  incident_id: string;
  incident_reference: string;
  is_drill: boolean;
  state: CampaignState;
  channels: string[];
  texts: CampaignTexts;
  version: number;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  started_at: Date | null;
  paused_at: Date | null;
  finished_at: Date | null;
  cursor: string | null;
  total_count: number | null;
  done_count: number;
  queued_count: number;
  categories_seen: string[];
};

const COLUMNS = [
  'id',
  'incident_id',
  'incident_reference',
  'is_drill',
  'state',
  'channels',
  'texts',
  'version',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'approved_by',
  'approved_at',
  'started_at',
  'paused_at',
  'finished_at',
  'cursor',
  'total_count',
  'done_count',
  'queued_count',
  'categories_seen',
] as const;

/** Inserts a campaign unless its incident has one; returns whether it was inserted. */
export async function insertCampaign(
  db: Db,
  row: {
    id: string;
    incident_id: string;
    incident_reference: string;
    is_drill: boolean;
    channels: string[];
    texts: CampaignTexts;
    created_by: string;
    updated_by: string;
    created_at: Date;
    updated_at: Date;
  },
): Promise<boolean> {
  const inserted = await db
    .insertInto('breach_notice_campaigns')
    .values({
      ...row,
      channels: JSON.stringify(row.channels) as never,
      texts: JSON.stringify(row.texts) as never,
    })
    .onConflict((conflict) => conflict.column('incident_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('breach_notice_campaigns').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function findCampaignByIncident(db: Db, incidentId: string): Promise<CampaignRow | undefined> {
  return db
    .selectFrom('breach_notice_campaigns')
    .select(COLUMNS)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
}

export async function findCampaigns(db: Db, ids: readonly string[]): Promise<CampaignRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('breach_notice_campaigns').select(COLUMNS).where('id', 'in', ids).execute();
}

/**
 * Changes a campaign's texts and channels if it is still at `version` and in one of `states`; the
 * campaign goes back to draft and loses its approval (changed texts need a new checker). Returns the row.
 */
export async function updateTexts(
  db: Db,
  id: string,
  change: {
    version: number;
    states: readonly CampaignState[];
    channels: string[];
    texts: CampaignTexts;
    updated_by: string;
    now: Date;
  },
): Promise<CampaignRow | undefined> {
  return db
    .updateTable('breach_notice_campaigns')
    .set({
      channels: JSON.stringify(change.channels) as never,
      texts: JSON.stringify(change.texts) as never,
      updated_by: change.updated_by,
      updated_at: change.now,
      approved_by: null,
      approved_at: null,
      state: 'draft',
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', change.version)
    .where('state', 'in', change.states)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** Approves a draft at `version` by someone who wrote none of it; returns the row, or undefined. */
export async function approve(
  db: Db,
  id: string,
  change: { version: number; approved_by: string; now: Date },
): Promise<CampaignRow | undefined> {
  return db
    .updateTable('breach_notice_campaigns')
    .set({ state: 'approved', approved_by: change.approved_by, approved_at: change.now })
    .where('id', '=', id)
    .where('version', '=', change.version)
    .where('state', '=', 'draft')
    .where('created_by', '<>', change.approved_by)
    .where('updated_by', '<>', change.approved_by)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/**
 * Moves a campaign from one of `from` to `to`. `restart` also rewinds the job to the first subject (a new
 * sweep after the blast radius widened: notices already queued are skipped by their dedupe keys).
 */
export async function moveState(
  db: Db,
  id: string,
  change: { from: readonly CampaignState[]; to: CampaignState; now: Date; restart?: boolean },
): Promise<CampaignRow | undefined> {
  const timestamps =
    change.to === 'sending'
      ? { started_at: change.now, paused_at: null, finished_at: null }
      : change.to === 'paused'
        ? { paused_at: change.now }
        : {};
  const rewind = change.restart ? { cursor: null, done_count: 0, total_count: null } : {};
  return db
    .updateTable('breach_notice_campaigns')
    .set({ state: change.to, ...timestamps, ...rewind })
    .where('id', '=', id)
    .where('state', 'in', change.from)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/**
 * Locks a campaign that is sending for one page of the job, or answers undefined at once when another
 * process holds it (`skip locked`) or it is not sending. Only inside a transaction; the lock ends with it.
 * On the embedded store, whose one session runs one transaction at a time, the clause changes nothing.
 */
export async function lockSending(db: Db, id: string): Promise<CampaignRow | undefined> {
  return db
    .selectFrom('breach_notice_campaigns')
    .select(COLUMNS)
    .where('id', '=', id)
    .where('state', '=', 'sending')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** Records a page of the job: the new cursor and counts, in the page's own transaction. */
export async function advance(
  db: Db,
  id: string,
  change: {
    cursor: string | null;
    doneDelta: number;
    queuedDelta: number;
    totalCount: number | null;
    categories: string[];
    finished: boolean;
    now: Date;
  },
): Promise<void> {
  await db
    .updateTable('breach_notice_campaigns')
    .set({
      cursor: change.cursor,
      done_count: sql`done_count + ${change.doneDelta}`,
      queued_count: sql`queued_count + ${change.queuedDelta}`,
      total_count: change.totalCount,
      categories_seen: JSON.stringify(change.categories) as never,
      ...(change.finished ? { state: 'done' as const, finished_at: change.now } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Adds to the count of notices queued (a retry on another channel). */
export async function addQueued(db: Db, id: string, count: number): Promise<void> {
  if (count === 0) return;
  await db
    .updateTable('breach_notice_campaigns')
    .set({ queued_count: sql`queued_count + ${count}` })
    .where('id', '=', id)
    .execute();
}

/** Ids of the campaigns the job has to work on. */
export async function sendingIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('breach_notice_campaigns')
    .select('id')
    .where('state', '=', 'sending')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Campaigns the public may see: approved or further, never drills; newest first. */
export async function publicCampaigns(db: Db, limit: number): Promise<CampaignRow[]> {
  return db
    .selectFrom('breach_notice_campaigns')
    .select(COLUMNS)
    .where('state', 'in', ['approved', 'sending', 'paused', 'done'])
    .where('is_drill', '=', false)
    .orderBy('approved_at', 'desc')
    .limit(limit)
    .execute();
}
