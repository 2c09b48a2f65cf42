import type { Generated } from 'kysely';

/**
 * Tables of the documents module (migration 2026-11-24T1800-documents). Only documents.repository.ts reads
 * or writes them. `*_ct` columns hold vault ciphertexts and are never returned as stored.
 */
export type DocumentsTables = {
  documents: DocumentsTable;
};

export type DocumentsTable = {
  id: string;
  claim_id: string;
  /** The claimant's vault data subject id (their customer id). */
  subject_id: string;
  field: 'document.accident_photo' | 'document.health_record';
  /** Detected from the content, never taken from the client. */
  content_type: string;
  size: number;
  content_ct: Uint8Array;
  /** A metadata-free WebP thumbnail of an image; null for PDFs and images sharp cannot decode. */
  thumbnail_ct: Uint8Array | null;
  uploaded_by_type: 'staff' | 'customer' | 'api-token' | 'system';
  uploaded_by_id: string | null;
  uploaded_by_role: string | null;
  created_at: Generated<Date>;
};
