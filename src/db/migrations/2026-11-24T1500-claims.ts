import { type Kysely, sql } from 'kysely';

/**
 * The claims module's tables (S0.1, S3.1–S3.3). Personal fields are stored only as vault ciphertexts
 * (`*_ct`), searchable ones beside an HMAC blind index (`*_bi`); a customer's id is their vault data
 * subject id, so shredding the subject erases every personal field of theirs in these tables.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run below the typed schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('name_ct', 'bytea', (col) => col.notNull())
    .addColumn('id_type', 'text', (col) => col.notNull().check(sql`id_type in ('resident-id', 'passport')`))
    .addColumn('id_number_ct', 'bytea', (col) => col.notNull())
    .addColumn('id_number_bi', 'bytea', (col) => col.notNull())
    .addColumn('phone_ct', 'bytea')
    .addColumn('phone_bi', 'bytea')
    .addColumn('email_ct', 'bytea')
    .addColumn('email_bi', 'bytea')
    .addColumn('address_ct', 'bytea')
    .addColumn('language', 'text', (col) => col.notNull().defaultTo('zh-CN'))
    .addColumn('branch', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // When the phone, email or address last changed: a claim soon after is a fraud signal (S3.1).
    .addColumn('contact_changed_at', 'timestamptz')
    .execute();
  for (const column of ['id_number_bi', 'phone_bi', 'email_bi']) {
    await db.schema.createIndex(`customers_${column}_idx`).on('customers').column(column).execute();
  }

  await db.schema
    .createTable('bank_accounts')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('customer_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('bank_name', 'text', (col) => col.notNull())
    .addColumn('number_ct', 'bytea', (col) => col.notNull())
    .addColumn('number_bi', 'bytea', (col) => col.notNull())
    .addColumn('holder_name_ct', 'bytea', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('verified_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('bank_accounts_customer_idx')
    .on('bank_accounts')
    .column('customer_id')
    .execute();
  await db.schema
    .createIndex('bank_accounts_number_bi_idx')
    .on('bank_accounts')
    .column('number_bi')
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('number', 'text', (col) => col.notNull().unique())
    .addColumn('product_line', 'text', (col) =>
      col.notNull().check(sql`product_line in ('motor', 'health', 'property', 'life', 'accident', 'cyber')`),
    )
    .addColumn('branch', 'text', (col) => col.notNull())
    .addColumn('holder_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('starts_on', 'date', (col) => col.notNull())
    .addColumn('ends_on', 'date', (col) => col.notNull())
    .addColumn('sum_insured', 'numeric(14, 2)', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull().defaultTo('CNY'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('policies_period_check', sql`ends_on >= starts_on`)
    .execute();
  await db.schema.createIndex('policies_holder_idx').on('policies').column('holder_id').execute();

  await db.schema
    .createTable('policy_parties')
    .addColumn('policy_id', 'uuid', (col) => col.notNull().references('policies.id'))
    .addColumn('customer_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('role', 'text', (col) =>
      col.notNull().check(sql`role in ('holder', 'insured', 'beneficiary')`),
    )
    .addPrimaryKeyConstraint('policy_parties_pk', ['policy_id', 'customer_id', 'role'])
    .execute();
  await db.schema
    .createIndex('policy_parties_customer_idx')
    .on('policy_parties')
    .column('customer_id')
    .execute();

  await db.schema
    .createTable('claims')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('number', 'text', (col) => col.notNull().unique())
    .addColumn('policy_id', 'uuid', (col) => col.notNull().references('policies.id'))
    .addColumn('claimant_id', 'uuid', (col) => col.notNull().references('customers.id'))
    .addColumn('product_line', 'text', (col) => col.notNull())
    .addColumn('branch', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('portal', 'phone', 'import')`))
    .addColumn('incident_date', 'date', (col) => col.notNull())
    .addColumn('amount_claimed', 'numeric(14, 2)')
    .addColumn('description_ct', 'bytea')
    .addColumn('incident_location_ct', 'bytea')
    .addColumn('assignee_id', 'uuid')
    .addColumn('surveyor_id', 'uuid')
    .addColumn('verification', 'text', (col) =>
      col
        .notNull()
        .defaultTo('pending')
        .check(sql`verification in ('pending', 'verified', 'manual-review', 'failed')`),
    )
    .addColumn('resolution_reason', 'text')
    .addColumn('reported_by', 'uuid')
    .addColumn('reported_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('claims_state_idx').on('claims').columns(['state', 'reported_at']).execute();
  await db.schema.createIndex('claims_assignee_idx').on('claims').columns(['assignee_id', 'state']).execute();
  await db.schema.createIndex('claims_surveyor_idx').on('claims').columns(['surveyor_id', 'state']).execute();
  await db.schema.createIndex('claims_branch_idx').on('claims').columns(['branch', 'reported_at']).execute();
  await db.schema.createIndex('claims_claimant_idx').on('claims').column('claimant_id').execute();
  await db.schema.createIndex('claims_policy_idx').on('claims').column('policy_id').execute();

  await db.schema
    .createTable('claim_transitions')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('claim_id', 'uuid', (col) => col.notNull().references('claims.id'))
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (col) => col.notNull())
    .addColumn('actor_type', 'text', (col) => col.notNull())
    .addColumn('actor_id', 'uuid')
    .addColumn('actor_role', 'text')
    // A reason a handler writes about the claim, e.g. why it was rejected. Kept short; never personal data
    // by rule of the console's hint, and shown only to those who can read the claim.
    .addColumn('reason', 'text')
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('claim_transitions_claim_idx')
    .on('claim_transitions')
    .columns(['claim_id', 'id'])
    .execute();

  await db.schema
    .createTable('claim_notes')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('claim_id', 'uuid', (col) => col.notNull().references('claims.id'))
    .addColumn('author_id', 'uuid', (col) => col.notNull())
    .addColumn('author_role', 'text', (col) => col.notNull())
    .addColumn('body_ct', 'bytea', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('claim_notes_claim_idx')
    .on('claim_notes')
    .columns(['claim_id', 'created_at'])
    .execute();

  // Product-line skills of handlers, for assignment by rule; a handler without any takes every line.
  await db.schema
    .createTable('handler_skills')
    .addColumn('user_id', 'uuid', (col) => col.notNull())
    .addColumn('product_line', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('handler_skills_pk', ['user_id', 'product_line'])
    .execute();

  await db.schema
    .createTable('claim_number_sequences')
    .addColumn('year', 'integer', (col) => col.primaryKey())
    .addColumn('last_value', 'integer', (col) => col.notNull())
    .execute();
}
