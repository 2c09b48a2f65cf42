import type { ColumnType, Generated } from 'kysely';

/**
 * Tables of the claims module (migration 2026-11-24T1500-claims). Only the claims repositories read or
 * write them. `*_ct` columns hold vault ciphertexts, `*_bi` HMAC blind indexes; neither is ever returned
 * as it is stored.
 */
export type ClaimsTables = {
  customers: CustomersTable;
  bank_accounts: BankAccountsTable;
  policies: PoliciesTable;
  policy_parties: PolicyPartiesTable;
  claims: ClaimsTable;
  claim_transitions: ClaimTransitionsTable;
  claim_notes: ClaimNotesTable;
  handler_skills: HandlerSkillsTable;
  claim_number_sequences: ClaimNumberSequencesTable;
  claimant_verifications: ClaimantVerificationsTable;
};

export type ClaimantVerificationsTable = {
  claim_id: string;
  status: 'code-sent' | 'verified' | 'manual-review';
  /** HMAC-SHA256 of the one-time code under the server's key; null once decided. Never the code. */
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  attempts: Generated<number>;
  channel: string | null;
  reasons: Generated<string[]>;
  started_by: string | null;
  started_at: Generated<Date>;
  decided_at: Date | null;
};

export type CustomersTable = {
  /** The customer's vault data subject id. */
  id: string;
  name_ct: Uint8Array;
  id_type: 'resident-id' | 'passport';
  id_number_ct: Uint8Array;
  id_number_bi: Uint8Array;
  phone_ct: Uint8Array | null;
  phone_bi: Uint8Array | null;
  email_ct: Uint8Array | null;
  email_bi: Uint8Array | null;
  address_ct: Uint8Array | null;
  language: Generated<string>;
  branch: string | null;
  created_at: Generated<Date>;
  contact_changed_at: Date | null;
};

export type BankAccountsTable = {
  id: string;
  customer_id: string;
  bank_name: string;
  number_ct: Uint8Array;
  number_bi: Uint8Array;
  holder_name_ct: Uint8Array;
  created_at: Generated<Date>;
  verified_at: Date | null;
};

export type PoliciesTable = {
  id: string;
  number: string;
  product_line: string;
  branch: string;
  holder_id: string;
  starts_on: string;
  ends_on: string;
  sum_insured: string;
  currency: Generated<string>;
  created_at: Generated<Date>;
};

export type PolicyPartiesTable = {
  policy_id: string;
  customer_id: string;
  role: 'holder' | 'insured' | 'beneficiary';
};

export type ClaimsTable = {
  id: string;
  number: string;
  policy_id: string;
  claimant_id: string;
  product_line: string;
  branch: string;
  state: string;
  version: Generated<number>;
  channel: 'portal' | 'phone' | 'import';
  incident_date: string;
  amount_claimed: string | null;
  description_ct: Uint8Array | null;
  incident_location_ct: Uint8Array | null;
  assignee_id: string | null;
  surveyor_id: string | null;
  verification: Generated<'pending' | 'verified' | 'manual-review' | 'failed'>;
  resolution_reason: string | null;
  reported_by: string | null;
  reported_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_at: Date | null;
  /**
   * A honeytoken planted by the security officer (detection module, migration 2026-11-25T0300-detection):
   * listed to its one recipient only, left out of workloads, and never notified to its (decoy) claimant.
   */
  decoy: Generated<boolean>;
  /**
   * A compensation claim for a data leak (issue 5 section 8, migration 2026-11-25T0700-compensation): the
   * incident's public reference, set only when the claimant was affected; null for every other claim.
   */
  incident_reference: ColumnType<string | null, string | null | undefined, never>;
};

export type ClaimTransitionsTable = {
  id: Generated<number>;
  claim_id: string;
  from_state: string | null;
  to_state: string;
  actor_type: string;
  actor_id: string | null;
  actor_role: string | null;
  reason: string | null;
  at: Generated<Date>;
};

export type ClaimNotesTable = {
  id: string;
  claim_id: string;
  author_id: string;
  author_role: string;
  body_ct: Uint8Array;
  created_at: Generated<Date>;
};

export type HandlerSkillsTable = { user_id: string; product_line: string };

export type ClaimNumberSequencesTable = { year: number; last_value: number };
