import type { Generated } from 'kysely';

/**
 * Tables of the customer portal (migration 2026-11-24T2350-portal). Only `portal.repository.ts` reads or
 * writes them. SECURITY: none holds a one-time code, a session token or a login name in the clear: codes and
 * tokens are kept as keyed or plain hashes, throttle keys as keyed hashes (a phone number or ID number has
 * too few possible values for a plain hash to hide it).
 */
export type PortalTables = {
  portal_accounts: PortalAccountsTable;
  portal_registrations: PortalRegistrationsTable;
  portal_sessions: PortalSessionsTable;
  portal_throttle: PortalThrottleTable;
  portal_contact_changes: PortalContactChangesTable;
};

/** A portal account of an existing customer (created by the insurer); the customer id is the key. */
export type PortalAccountsTable = {
  customer_id: string;
  /** argon2id, same policy and cost as staff passwords. */
  password_hash: string;
  status: Generated<'active' | 'disabled'>;
  created_at: Generated<Date>;
  password_changed_at: Date;
  last_login_at: Date | null;
};

/**
 * A registration under way: the person proved nothing yet but that they know an ID number and a matching
 * phone or email. A row is kept even when nothing matched (customer_id null, no code), so that the answer,
 * and what follows, looks the same either way.
 */
export type PortalRegistrationsTable = {
  id: string;
  /** SHA-256 of the ticket handed to the browser. */
  ticket_hash: string;
  customer_id: string | null;
  channel: 'sms' | 'email';
  /** HMAC of the code under the portal code key, bound to this row; null when none was sent or once used. */
  code_hash: Uint8Array | null;
  code_expires_at: Date;
  attempts: Generated<number>;
  completed_at: Date | null;
  created_at: Generated<Date>;
};

export type PortalSessionsTable = {
  id: string;
  /** SHA-256 of the cookie token. */
  token_hash: string;
  customer_id: string;
  state: 'code-pending' | 'active';
  csrf_token: string;
  channel: 'sms' | 'email';
  /** While `code-pending`: HMAC of the sign-in code; wiped when the session becomes active. */
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  code_attempts: Generated<number>;
  created_at: Generated<Date>;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
};

export type PortalThrottleTable = {
  /** `login:<keyed hash>`, `login-ip:<address>`, `register:<keyed hash>`, `register-ip:<address>`. */
  key: string;
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
};

/**
 * A signed-in customer's request to change their own phone or email (S3.1, S4.3; migration
 * 2026-11-25T0800-contact-changes): the code goes to the CURRENT contact; the new value is given with the
 * code and never stored here.
 */
export type PortalContactChangesTable = {
  id: string;
  customer_id: string;
  session_id: string;
  field: 'phone' | 'email';
  channel: 'sms' | 'email';
  /** HMAC of the code under the portal code key, bound to this row; null once used or given up. */
  code_hash: Uint8Array | null;
  code_expires_at: Date;
  attempts: Generated<number>;
  completed_at: Date | null;
  created_at: Generated<Date>;
};
