import type { Generated } from 'kysely';

/**
 * Tables of the shares module (migration 2026-11-24T2340-shares). Only shares.repository.ts reads or
 * writes them. The share's token is never stored: `token_hash` is its SHA-256.
 */
export type SharesTables = {
  claim_shares: ClaimSharesTable;
  claim_share_documents: ClaimShareDocumentsTable;
};

export type ClaimSharesTable = {
  id: string;
  claim_id: string;
  /** The outside organisation (a garage's or hospital's name), not a person. */
  party_name: string;
  party_kind: 'garage' | 'hospital' | 'loss-adjuster' | 'other';
  /** Ids of the shareable fields the handler chose (SHAREABLE_FIELDS). */
  fields: string[];
  token_hash: Uint8Array;
  expires_at: Date;
  created_by: string;
  created_by_role: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  revoked_by: string | null;
  /** Set with revoked_at: revoked by a handler, or ended when the claim reached a final state. */
  end_reason: 'revoked' | 'claim-finished' | null;
  last_opened_at: Date | null;
  open_count: Generated<number>;
};

export type ClaimShareDocumentsTable = {
  share_id: string;
  document_id: string;
};
