import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { type CanonicalEvent, decodeCanonicalEvent } from './canonical-event.js';

/**
 * Which personal data a set of actors (or a set of resources) saw, read from the audit log (S4.1): the
 * query side of the blast radius. It lives in the audit module because it reads the log's own columns and
 * canonical bytes; the incidents module composes it into its scope tables without copying events.
 *
 * An event EXPOSES a data subject's field when it is a successful disclosure (one of EXPOSURE_ACTIONS),
 * names the subject, and lists the field in `fields`. `personal-data.read` is a masked view; every other
 * exposure action showed the value in clear (unmask, document download, a share opened, an export).
 */
export const EXPOSURE_ACTIONS = [
  'personal-data.read',
  'personal-data.unmask',
  'personal-data.export',
  'personal-data.download',
  'share.open',
] as const;
/** The exposure action that showed values masked only. */
export const MASKED_EXPOSURE_ACTION = 'personal-data.read';

/** Who and what to look for, in [from, to). Within a group, any entry matches; both groups must match. */
export type ExposureCriteria = {
  /** Actor ids as the log records them: staff user ids, API token ids, customer or outside-party ids. */
  actorIds: readonly string[];
  sessionIds: readonly string[];
  ipAddresses: readonly string[];
  resources: readonly { type: string; id: string }[];
  from: Date;
  to: Date;
};

type Db = Kysely<Database>;

/** Events whose actor matches (empty actor criteria: any actor). `c` is the decoded canonical JSON. */
function actorPredicate(criteria: ExposureCriteria): RawBuilder<boolean> | null {
  const parts: RawBuilder<boolean>[] = [];
  if (criteria.actorIds.length > 0) parts.push(sql<boolean>`e.actor_id in (${sql.join(criteria.actorIds)})`);
  if (criteria.sessionIds.length > 0)
    parts.push(sql<boolean>`(c.doc -> 'actor' ->> 'sessionId') in (${sql.join(criteria.sessionIds)})`);
  if (criteria.ipAddresses.length > 0)
    parts.push(sql<boolean>`(c.doc -> 'actor' ->> 'ip') in (${sql.join(criteria.ipAddresses)})`);
  return parts.length === 0 ? null : sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

function resourcePredicate(criteria: ExposureCriteria): RawBuilder<boolean> | null {
  if (criteria.resources.length === 0) return null;
  // Plain OR of pairs: a row-value IN list made PGlite spin (see audit.repository.ts readNodes).
  const parts = criteria.resources.map(
    (resource) => sql<boolean>`(e.resource_type = ${resource.type} and e.resource_id = ${resource.id})`,
  );
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

function scopeWhere(criteria: ExposureCriteria, exposuresOnly: boolean): RawBuilder<boolean> {
  const conditions: RawBuilder<boolean>[] = [
    sql<boolean>`e.occurred_at >= ${criteria.from}`,
    sql<boolean>`e.occurred_at < ${criteria.to}`,
  ];
  if (exposuresOnly) {
    conditions.push(sql<boolean>`e.outcome = 'success'`);
    conditions.push(sql<boolean>`e.data_subject_id is not null`);
    conditions.push(sql<boolean>`e.action in (${sql.join([...EXPOSURE_ACTIONS])})`);
  }
  const actor = actorPredicate(criteria);
  if (actor) conditions.push(actor);
  const resource = resourcePredicate(criteria);
  if (resource) conditions.push(resource);
  return sql<boolean>`${sql.join(conditions, sql` and `)}`;
}

/**
 * One row per (exposure event, field): `subject_id, seq, occurred_at, unmasked, field`. A SQL fragment to
 * aggregate from (`select ... from (<this>) x group by subject_id`), so a scope of millions of subjects is
 * computed inside the database. The matching events are found first, on their own (a MATERIALIZED CTE):
 * planned together with the aggregate, PostgreSQL walked the whole subject index to get rows in group order
 * (it cannot size the JSON field lists), which reads every event of the log; apart, it takes the actor or
 * time index. The canonical bytes are decoded only for the events found.
 */
export function exposureFieldRows(criteria: ExposureCriteria): RawBuilder<{
  subject_id: string;
  seq: number;
  occurred_at: Date;
  unmasked: boolean;
  field: string;
}> {
  return sql`
    with found as materialized (
      select e.data_subject_id as subject_id, e.seq, e.occurred_at, e.action, c.doc -> 'fields' as fields
      from audit_events e
      cross join lateral (select convert_from(e.canonical, 'UTF8')::jsonb as doc) c
      where ${scopeWhere(criteria, true)}
    )
    select found.subject_id, found.seq, found.occurred_at,
           (found.action <> ${MASKED_EXPOSURE_ACTION}) as unmasked, f.field
    from found cross join lateral jsonb_array_elements_text(found.fields) as f(field)`;
}

/**
 * The forensic timeline: every event (any action, any outcome) of the suspect actors on the suspect
 * resources in the window, in log order, a page at a time (keyset on seq).
 */
export async function forensicEvents(
  db: Db,
  criteria: ExposureCriteria,
  page: { afterSeq: number | null; limit: number },
): Promise<CanonicalEvent[]> {
  const { rows } = await sql<{ canonical: Uint8Array }>`
    select e.canonical
    from audit_events e
    cross join lateral (select convert_from(e.canonical, 'UTF8')::jsonb as doc) c
    where ${scopeWhere(criteria, false)}
      ${page.afterSeq === null ? sql`` : sql`and e.seq > ${page.afterSeq}`}
    order by e.seq
    limit ${page.limit}`.execute(db);
  return rows.map((row) => decodeCanonicalEvent(row.canonical));
}
