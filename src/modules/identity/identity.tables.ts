import type { Generated } from 'kysely';

/** Tables of the identity module (migrations 2026-11-24T1200-identity and 2026-11-24T1400-passkeys). */
export type IdentityTables = {
  staff_users: StaffUsersTable;
  staff_sessions: StaffSessionsTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
};

export type StaffUsersTable = {
  id: string;
  /** Login name. Staff names are personal data too: they never go to logs or audit details. */
  username: string;
  display_name: string;
  role: string;
  branch: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  status: Generated<'active' | 'disabled'>;
  /** External auditors' access ends on this date (S6.5). */
  access_expires_at: Date | null;
  created_at: Generated<Date>;
  last_login_at: Date | null;
  /**
   * Work email (migration 2026-11-25T0800-staff-email), personal data: sealed with the identity key, bound to
   * the user's id; read only by IdentityService, which audits every read and write.
   */
  email_sealed: string | null;
  /** Keyed HMAC of the normalised address (SecretBox.keyedHash): lookup and uniqueness, never the address. */
  email_hmac: string | null;
};

export type StaffSessionsTable = {
  id: string;
  /** SHA-256 of the cookie token: a stolen table does not yield usable sessions. */
  token_hash: string;
  user_id: string;
  state: 'mfa-pending' | 'enrolment-required' | 'active';
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: Date;
  expires_at: Date;
  second_factor_at: Date | null;
  ip: string | null;
  user_agent: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
};

export type TotpFactorsTable = {
  user_id: string;
  /** The shared secret, sealed with the identity key (AES-256-GCM). */
  secret_sealed: string;
  confirmed_at: Date | null;
  /** Highest time step accepted: a code of that step or earlier is refused (no replay). */
  last_used_step: number | null;
  created_at: Generated<Date>;
};

export type RecoveryCodesTable = {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: Generated<Date>;
};

export type ApiTokensTable = {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  expires_at: Date;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

export type LoginThrottleTable = {
  /** `account:<sha256 of the login name>` or `ip:<address>`: unknown accounts are throttled alike. */
  key: string;
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
};

/** A passkey (WebAuthn credential) registered as a second factor (migration 2026-11-24T1400-passkeys). */
export type WebauthnCredentialsTable = {
  id: string;
  user_id: string;
  /** The authenticator's credential id, base64url. */
  credential_id: string;
  /** COSE-encoded public key. */
  public_key: Uint8Array;
  /** Highest signature counter seen; a response that does not raise a non-zero counter is refused. */
  counter: Generated<number>;
  transports: Generated<string[]>;
  /** The name the person gave the device; shown to them only. */
  device_name: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
};

/** A WebAuthn challenge under way: one per session and purpose, consumed by its first answer. */
export type WebauthnChallengesTable = {
  id: string;
  user_id: string;
  session_id: string;
  purpose: 'registration' | 'authentication';
  challenge: string;
  expires_at: Date;
  created_at: Generated<Date>;
};
