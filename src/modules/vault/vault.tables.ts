import type { Generated } from 'kysely';

/**
 * The vault's tables (migration 2026-11-24T1100-vault). Only `vault.repository.ts` reads or writes them.
 */
export type VaultTables = {
  vault_subjects: VaultSubjectsTable;
  vault_key_rotations: VaultKeyRotationsTable;
};

/** One row per data subject: the subject's data key, stored only wrapped under a key-encryption key. */
export type VaultSubjectsTable = {
  subject_id: string;
  /** AES-256-GCM-wrapped DEK; null once the subject is shredded. SECURITY: never the unwrapped key. */
  wrapped_dek: Uint8Array | null;
  /** The KEK the DEK is wrapped under (after a shred: the one it was wrapped under). */
  kek_id: string;
  /** Version of the subject's DEK, written into every ciphertext header. */
  dek_version: Generated<number>;
  created_at: Generated<Date>;
  rewrapped_at: Date | null;
  shredded_at: Date | null;
  /** SHA-256 of the destroyed wrapped DEK, the shred proof's fingerprint. */
  shred_key_hash: string | null;
};

/** One row per key rotation; at most one is running (finished_at null) at any time. */
export type VaultKeyRotationsTable = {
  id: string;
  /** The KEK subjects are being moved to; null for the moment between starting and creating it. */
  target_kek_id: string | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
  subjects_rewrapped: Generated<number>;
  started_by: string | null;
};
