import {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type SqlBool,
  sql,
  type Updateable,
} from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { prepareQuery, sqlBuilder } from '../../db/prepared-query.js';

/** The only SQL of the claims module's customers, policies and claims. Explicit column lists throughout. */
export type Db = Kysely<Database>;

export type CustomerRow = {
  id: string;
  name_ct: Uint8Array;
  id_type: 'resident-id' | 'passport';
  id_number_ct: Uint8Array;
  phone_ct: Uint8Array | null;
  email_ct: Uint8Array | null;
  address_ct: Uint8Array | null;
  language: string;
  branch: string | null;
  created_at: Date;
  contact_changed_at: Date | null;
};

const CUSTOMER_COLUMNS = [
  'id',
  'name_ct',
  'id_type',
  'id_number_ct',
  'phone_ct',
  'email_ct',
  'address_ct',
  'language',
  'branch',
  'created_at',
  'contact_changed_at',
] as const;

export async function insertCustomer(db: Db, row: Insertable<Database['customers']>): Promise<void> {
  await db.insertInto('customers').values(row).execute();
}

export async function findCustomers(db: Db, ids: readonly string[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('customers').select(CUSTOMER_COLUMNS).where('id', 'in', ids).execute();
}

/** Locks a customer's row (a contact change); undefined when there is no such customer. */
export async function lockCustomer(db: Db, id: string): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .select(CUSTOMER_COLUMNS)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** New contact ciphertexts and blind indexes, and when they changed (S3.1). */
export async function updateCustomerContact(
  db: Db,
  id: string,
  values: Partial<
    Pick<Updateable<Database['customers']>, 'phone_ct' | 'phone_bi' | 'email_ct' | 'email_bi' | 'address_ct'>
  > & { contact_changed_at: Date },
): Promise<void> {
  await db.updateTable('customers').set(values).where('id', '=', id).execute();
}

/** The preferred language of many customers in one query (ids passed as one array parameter). */
export async function customerLanguages(
  db: Db,
  ids: readonly string[],
): Promise<{ id: string; language: string }[]> {
  if (ids.length === 0) return [];
  const result = await sql<{ id: string; language: string }>`
    select id, language from customers where id = any(${[...ids]}::uuid[])`.execute(db);
  return result.rows;
}

export type CustomerIndex = 'id_number_bi' | 'phone_bi' | 'email_bi';

export async function customerIdsByIndex(
  db: Db,
  column: CustomerIndex,
  index: Uint8Array,
): Promise<string[]> {
  const rows = await db.selectFrom('customers').select('id').where(column, '=', index).limit(50).execute();
  return rows.map((row) => row.id);
}

export type BankAccountRow = {
  id: string;
  customer_id: string;
  bank_name: string;
  number_ct: Uint8Array;
  holder_name_ct: Uint8Array;
  created_at: Date;
  verified_at: Date | null;
};

export async function insertBankAccount(db: Db, row: Insertable<Database['bank_accounts']>): Promise<void> {
  await db.insertInto('bank_accounts').values(row).execute();
}

export async function bankAccountsOf(db: Db, customerId: string): Promise<BankAccountRow[]> {
  return db
    .selectFrom('bank_accounts')
    .select(['id', 'customer_id', 'bank_name', 'number_ct', 'holder_name_ct', 'created_at', 'verified_at'])
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .execute();
}

export async function findBankAccounts(db: Db, ids: readonly string[]): Promise<BankAccountRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('bank_accounts')
    .select(['id', 'customer_id', 'bank_name', 'number_ct', 'holder_name_ct', 'created_at', 'verified_at'])
    .where('id', 'in', ids)
    .execute();
}

export type PolicyRow = {
  id: string;
  number: string;
  product_line: string;
  branch: string;
  holder_id: string;
  starts_on: string;
  ends_on: string;
  sum_insured: string;
  currency: string;
};

const POLICY_COLUMNS = [
  'id',
  'number',
  'product_line',
  'branch',
  'holder_id',
  'starts_on',
  'ends_on',
  'sum_insured',
  'currency',
] as const;

export async function insertPolicy(
  db: Db,
  row: Insertable<Database['policies']>,
  parties: readonly { customerId: string; role: 'holder' | 'insured' | 'beneficiary' }[],
): Promise<void> {
  await db.insertInto('policies').values(row).execute();
  if (parties.length > 0) {
    await db
      .insertInto('policy_parties')
      .values(
        parties.map((party) => ({ policy_id: row.id, customer_id: party.customerId, role: party.role })),
      )
      .execute();
  }
}

export async function findPolicyByNumber(db: Db, number: string): Promise<PolicyRow | undefined> {
  return db.selectFrom('policies').select(POLICY_COLUMNS).where('number', '=', number).executeTakeFirst();
}

export async function findPolicy(db: Db, id: string): Promise<PolicyRow | undefined> {
  return db.selectFrom('policies').select(POLICY_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function policiesOfCustomer(db: Db, customerId: string): Promise<PolicyRow[]> {
  return db
    .selectFrom('policies')
    .select(POLICY_COLUMNS.map((column) => `policies.${column}` as const))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('policy_parties')
          .select('policy_parties.policy_id')
          .whereRef('policy_parties.policy_id', '=', 'policies.id')
          .where('policy_parties.customer_id', '=', customerId),
      ),
    )
    .orderBy('policies.starts_on', 'desc')
    .execute();
}

export async function partiesOf(
  db: Db,
  policyId: string,
): Promise<{ customer_id: string; role: 'holder' | 'insured' | 'beneficiary' }[]> {
  return db
    .selectFrom('policy_parties')
    .select(['customer_id', 'role'])
    .where('policy_id', '=', policyId)
    .execute();
}

export type ClaimRow = {
  id: string;
  number: string;
  policy_id: string;
  claimant_id: string;
  product_line: string;
  branch: string;
  state: string;
  version: number;
  channel: 'portal' | 'phone' | 'import';
  incident_date: string;
  amount_claimed: string | null;
  description_ct: Uint8Array | null;
  incident_location_ct: Uint8Array | null;
  assignee_id: string | null;
  surveyor_id: string | null;
  verification: 'pending' | 'verified' | 'manual-review' | 'failed';
  resolution_reason: string | null;
  reported_by: string | null;
  reported_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  /** A honeytoken (detection module): listed to its one recipient only. */
  decoy: boolean;
};

const CLAIM_COLUMNS = [
  'id',
  'number',
  'policy_id',
  'claimant_id',
  'product_line',
  'branch',
  'state',
  'version',
  'channel',
  'incident_date',
  'amount_claimed',
  'description_ct',
  'incident_location_ct',
  'assignee_id',
  'surveyor_id',
  'verification',
  'resolution_reason',
  'reported_by',
  'reported_at',
  'updated_at',
  'closed_at',
  'decoy',
] as const;

/** Next claim number of a year, gapless per year under concurrency (the upsert takes the row lock). */
export async function nextClaimSequence(db: Db, year: number): Promise<number> {
  const row = await db
    .insertInto('claim_number_sequences')
    .values({ year, last_value: 1 })
    .onConflict((oc) =>
      oc.column('year').doUpdateSet({ last_value: sql`claim_number_sequences.last_value + 1` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return row.last_value;
}

export async function insertClaim(db: Db, row: Insertable<Database['claims']>): Promise<void> {
  await db.insertInto('claims').values(row).execute();
}

export async function findClaim(db: Db, id: string): Promise<ClaimRow | undefined> {
  return db.selectFrom('claims').select(CLAIM_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** A claim with everything its detail page shows, read in one statement (see {@link findClaimForDetail}). */
export type ClaimDetailRows = {
  claim: ClaimRow;
  policy: PolicyRow;
  claimant: CustomerRow;
  notes: NoteRow[];
  transitions: TransitionRow[];
};

type JsonNote = { id: string; author_id: string; author_role: string; body: string; created_at: string };
type JsonTransition = Omit<TransitionRow, 'at'> & { at: string };

/**
 * The claim, its policy, its claimant's (still encrypted) row, its notes and its status history in ONE
 * round trip: the claim detail is the most read page, and each extra statement costs a socket round trip on
 * both sides (issue 4 §11, bench/claims.bench.ts). Notes and history come as JSON arrays (bytea as base64),
 * turned back into the same rows {@link notesOf} and {@link transitionsOf} give.
 */
const claimForDetailQuery = prepareQuery(1, (id: string) =>
  sqlBuilder
    .selectFrom('claims')
    .innerJoin('policies', 'policies.id', 'claims.policy_id')
    .innerJoin('customers', 'customers.id', 'claims.claimant_id')
    .select(CLAIM_COLUMNS.map((column) => `claims.${column}` as const))
    .select([
      'policies.number as policy_number',
      'policies.product_line as policy_product_line',
      'policies.branch as policy_branch',
      'policies.holder_id as policy_holder_id',
      'policies.starts_on as policy_starts_on',
      'policies.ends_on as policy_ends_on',
      'policies.sum_insured as policy_sum_insured',
      'policies.currency as policy_currency',
      'customers.name_ct as claimant_name_ct',
      'customers.id_type as claimant_id_type',
      'customers.id_number_ct as claimant_id_number_ct',
      'customers.phone_ct as claimant_phone_ct',
      'customers.email_ct as claimant_email_ct',
      'customers.address_ct as claimant_address_ct',
      'customers.language as claimant_language',
      'customers.branch as claimant_branch',
      'customers.created_at as claimant_created_at',
      'customers.contact_changed_at as claimant_contact_changed_at',
      sql<unknown>`(select coalesce(json_agg(json_build_object('id', n.id, 'author_id', n.author_id,
        'author_role', n.author_role, 'body', encode(n.body_ct, 'base64'), 'created_at', n.created_at)
        order by n.created_at, n.id), '[]'::json) from claim_notes n where n.claim_id = claims.id)`.as(
        'notes_json',
      ),
      sql<unknown>`(select coalesce(json_agg(json_build_object('from_state', t.from_state,
        'to_state', t.to_state, 'actor_type', t.actor_type, 'actor_id', t.actor_id,
        'actor_role', t.actor_role, 'reason', t.reason, 'at', t.at) order by t.id), '[]'::json)
        from claim_transitions t where t.claim_id = claims.id)`.as('transitions_json'),
    ])
    .where('claims.id', '=', id),
);

export async function findClaimForDetail(db: Db, id: string): Promise<ClaimDetailRows | undefined> {
  // Compiled once at load (prepared-query.ts): building this statement cost more than running it.
  const row = await claimForDetailQuery.executeTakeFirst(db, id);
  if (!row) return undefined;
  const {
    policy_number,
    policy_product_line,
    policy_branch,
    policy_holder_id,
    policy_starts_on,
    policy_ends_on,
    policy_sum_insured,
    policy_currency,
    claimant_name_ct,
    claimant_id_type,
    claimant_id_number_ct,
    claimant_phone_ct,
    claimant_email_ct,
    claimant_address_ct,
    claimant_language,
    claimant_branch,
    claimant_created_at,
    claimant_contact_changed_at,
    notes_json,
    transitions_json,
    ...claim
  } = row;
  return {
    claim,
    policy: {
      id: claim.policy_id,
      number: policy_number,
      product_line: policy_product_line,
      branch: policy_branch,
      holder_id: policy_holder_id,
      starts_on: policy_starts_on,
      ends_on: policy_ends_on,
      sum_insured: policy_sum_insured,
      currency: policy_currency,
    },
    claimant: {
      id: claim.claimant_id,
      name_ct: claimant_name_ct,
      id_type: claimant_id_type,
      id_number_ct: claimant_id_number_ct,
      phone_ct: claimant_phone_ct,
      email_ct: claimant_email_ct,
      address_ct: claimant_address_ct,
      language: claimant_language,
      branch: claimant_branch,
      created_at: claimant_created_at,
      contact_changed_at: claimant_contact_changed_at,
    },
    notes: parseJson<JsonNote[]>(notes_json).map((note) => ({
      id: note.id,
      author_id: note.author_id,
      author_role: note.author_role,
      body_ct: Buffer.from(note.body, 'base64'),
      created_at: new Date(note.created_at),
    })),
    transitions: parseJson<JsonTransition[]>(transitions_json).map((entry) => ({
      ...entry,
      at: new Date(entry.at),
    })),
  };
}

/** A json column: node-postgres and PGlite give it parsed, a driver that does not gives the text. */
function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The claimants of these claims (distinct), for containment checks on a bulk export. */
export async function claimantsOf(db: Db, claimIds: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (let at = 0; at < claimIds.length; at += 1_000) {
    const rows = await db
      .selectFrom('claims')
      .select('claimant_id')
      .distinct()
      .where('id', 'in', claimIds.slice(at, at + 1_000))
      .execute();
    for (const row of rows) found.add(row.claimant_id);
  }
  return [...found];
}

export async function findClaimByNumber(db: Db, number: string): Promise<ClaimRow | undefined> {
  return db.selectFrom('claims').select(CLAIM_COLUMNS).where('number', '=', number).executeTakeFirst();
}

/** A duty scope as SQL: the OR of the caller's CASL conditions on claims (null: every claim). */
export type ClaimScope =
  | null
  | readonly { assigneeId?: string; surveyorId?: string; branch?: string | null }[];

function scopeCondition(eb: ExpressionBuilder<Database, 'claims'>, scope: ClaimScope): Expression<SqlBool> {
  if (scope === null) return eb.lit(true);
  if (scope.length === 0) return eb.lit(false);
  return eb.or(
    scope.map((condition) => {
      const parts: Expression<SqlBool>[] = [];
      if (condition.assigneeId !== undefined) parts.push(eb('claims.assignee_id', '=', condition.assigneeId));
      if (condition.surveyorId !== undefined) parts.push(eb('claims.surveyor_id', '=', condition.surveyorId));
      if (condition.branch !== undefined)
        parts.push(
          condition.branch === null
            ? eb('claims.branch', 'is', null)
            : eb('claims.branch', '=', condition.branch),
        );
      return parts.length === 0 ? eb.lit(true) : eb.and(parts);
    }),
  );
}

export type ClaimListFilter = {
  states?: readonly string[];
  productLine?: string;
  number?: string;
  policyId?: string;
  claimantIds?: readonly string[];
  assigneeId?: string;
  reportedFrom?: Date;
  reportedTo?: Date;
  /**
   * Who is listing. SECURITY: decoy claims (honeytokens, S2.3) are listed only to the handler they were
   * planted with (assignee or surveyor); absent or null, no decoy is listed at all.
   */
  viewerId?: string | null;
};

export async function listClaims(
  db: Db,
  scope: ClaimScope,
  filter: ClaimListFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: ClaimRow[]; total: number }> {
  let query = db.selectFrom('claims').where((eb) => scopeCondition(eb, scope));
  const viewer = filter.viewerId ?? null;
  query = query.where((eb) =>
    viewer === null
      ? eb('decoy', '=', false)
      : eb.or([eb('decoy', '=', false), eb('assignee_id', '=', viewer), eb('surveyor_id', '=', viewer)]),
  );
  if (filter.states && filter.states.length > 0) query = query.where('state', 'in', filter.states);
  if (filter.productLine) query = query.where('product_line', '=', filter.productLine);
  if (filter.number) query = query.where('number', '=', filter.number);
  if (filter.policyId) query = query.where('policy_id', '=', filter.policyId);
  if (filter.claimantIds) {
    if (filter.claimantIds.length === 0) return { rows: [], total: 0 };
    query = query.where('claimant_id', 'in', filter.claimantIds);
  }
  if (filter.assigneeId) query = query.where('assignee_id', '=', filter.assigneeId);
  if (filter.reportedFrom) query = query.where('reported_at', '>=', filter.reportedFrom);
  if (filter.reportedTo) query = query.where('reported_at', '<', filter.reportedTo);
  const [rows, count] = await Promise.all([
    query
      .select(CLAIM_COLUMNS)
      .orderBy('reported_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** Moves a claim if it is still at `version`; returns the new row, or undefined when someone else moved it. */
export async function updateClaimAt(
  db: Db,
  id: string,
  version: number,
  changes: Partial<
    Pick<
      Insertable<Database['claims']>,
      'state' | 'assignee_id' | 'surveyor_id' | 'resolution_reason' | 'closed_at' | 'verification'
    >
  >,
): Promise<ClaimRow | undefined> {
  return db
    .updateTable('claims')
    .set({ ...changes, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returning(CLAIM_COLUMNS)
    .executeTakeFirst();
}

export async function insertTransition(
  db: Db,
  row: Insertable<Database['claim_transitions']>,
): Promise<void> {
  await db.insertInto('claim_transitions').values(row).execute();
}

export type TransitionRow = {
  from_state: string | null;
  to_state: string;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  reason: string | null;
  at: Date;
};

export async function transitionsOf(db: Db, claimId: string): Promise<TransitionRow[]> {
  return db
    .selectFrom('claim_transitions')
    .select(['from_state', 'to_state', 'actor_type', 'actor_id', 'actor_role', 'reason', 'at'])
    .where('claim_id', '=', claimId)
    .orderBy('id')
    .execute();
}

export async function insertNote(db: Db, row: Insertable<Database['claim_notes']>): Promise<void> {
  await db.insertInto('claim_notes').values(row).execute();
}

export type NoteRow = {
  id: string;
  author_id: string;
  author_role: string;
  body_ct: Uint8Array;
  created_at: Date;
};

export async function notesOf(db: Db, claimId: string): Promise<NoteRow[]> {
  return db
    .selectFrom('claim_notes')
    .select(['id', 'author_id', 'author_role', 'body_ct', 'created_at'])
    .where('claim_id', '=', claimId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Open claims per handler, for assignment by workload. */
export async function openWorkload(
  db: Db,
  column: 'assignee_id' | 'surveyor_id',
  userIds: readonly string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('claims')
    .select([column, (eb) => eb.fn.countAll<number>().as('open')])
    .where(column, 'in', userIds)
    .where('state', 'not in', ['closed', 'rejected', 'withdrawn'])
    // A decoy claim is nobody's work.
    .where('decoy', '=', false)
    .groupBy(column)
    .execute();
  return new Map(rows.map((row) => [row[column] as string, Number(row.open)]));
}

export async function skillsOf(db: Db, userIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const skills = new Map<string, Set<string>>();
  if (userIds.length === 0) return skills;
  const rows = await db
    .selectFrom('handler_skills')
    .select(['user_id', 'product_line'])
    .where('user_id', 'in', userIds)
    .execute();
  for (const row of rows) {
    const set = skills.get(row.user_id) ?? new Set<string>();
    set.add(row.product_line);
    skills.set(row.user_id, set);
  }
  return skills;
}

export async function setSkills(db: Db, userId: string, productLines: readonly string[]): Promise<void> {
  await db.deleteFrom('handler_skills').where('user_id', '=', userId).execute();
  if (productLines.length > 0) {
    await db
      .insertInto('handler_skills')
      .values(productLines.map((product_line) => ({ user_id: userId, product_line })))
      .execute();
  }
}

export async function customerIndexes(
  db: Db,
  id: string,
): Promise<
  { id_number_bi: Uint8Array; phone_bi: Uint8Array | null; contact_changed_at: Date | null } | undefined
> {
  return db
    .selectFrom('customers')
    .select(['id_number_bi', 'phone_bi', 'contact_changed_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Verification is beside the lifecycle: it does not move the claim's version. */
export async function setClaimVerification(
  db: Db,
  id: string,
  verification: 'pending' | 'verified' | 'manual-review' | 'failed',
): Promise<void> {
  await db.updateTable('claims').set({ verification }).where('id', '=', id).execute();
}

export type VerificationRow = {
  claim_id: string;
  status: 'code-sent' | 'verified' | 'manual-review';
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  attempts: number;
  channel: string | null;
  reasons: string[];
  decided_at: Date | null;
};

export async function findVerification(db: Db, claimId: string): Promise<VerificationRow | undefined> {
  return db
    .selectFrom('claimant_verifications')
    .select([
      'claim_id',
      'status',
      'code_hash',
      'code_expires_at',
      'attempts',
      'channel',
      'reasons',
      'decided_at',
    ])
    .where('claim_id', '=', claimId)
    .forUpdate()
    .executeTakeFirst();
}

export async function saveVerification(
  db: Db,
  row: {
    claim_id: string;
    status: 'code-sent' | 'verified' | 'manual-review';
    code_hash: Uint8Array | null;
    code_expires_at: Date | null;
    attempts: number;
    channel: string | null;
    reasons: string[];
    started_by: string | null;
    decided_at: Date | null;
  },
): Promise<void> {
  const values = { ...row, reasons: JSON.stringify(row.reasons) as unknown as string[] };
  await db
    .insertInto('claimant_verifications')
    .values(values)
    .onConflict((oc) =>
      oc.column('claim_id').doUpdateSet({
        status: row.status,
        code_hash: row.code_hash,
        code_expires_at: row.code_expires_at,
        attempts: row.attempts,
        channel: row.channel,
        reasons: values.reasons,
        decided_at: row.decided_at,
      }),
    )
    .execute();
}

// ---- compensation claims for a data leak (issue 5 section 8) -------------------------------------------

export type CompensationClaimRow = { id: string; number: string; state: string; reported_at: Date };

/** The claimant's compensation claims for one incident, newest first (open and finished). */
export async function compensationClaimsOf(
  db: Db,
  claimantId: string,
  incidentReference: string,
): Promise<CompensationClaimRow[]> {
  return db
    .selectFrom('claims')
    .select(['id', 'number', 'state', 'reported_at'])
    .where('claimant_id', '=', claimantId)
    .where('incident_reference', '=', incidentReference)
    .where('decoy', '=', false)
    .orderBy('reported_at', 'desc')
    .orderBy('id')
    .execute();
}

/** How many compensation claims an incident has, per state (decoys left out). */
export async function compensationStateCounts(
  db: Db,
  incidentReference: string,
): Promise<{ state: string; count: number }[]> {
  const rows = await db
    .selectFrom('claims')
    .select(['state', (eb) => eb.fn.countAll<string | number>().as('count')])
    .where('incident_reference', '=', incidentReference)
    .where('decoy', '=', false)
    .groupBy('state')
    .orderBy('state')
    .execute();
  return rows.map((row) => ({ state: row.state, count: Number(row.count) }));
}
