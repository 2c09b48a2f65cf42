/**
 * Errors that services throw. Each has a stable code; the HTTP layer turns the code into an RFC 9457
 * problem (`src/http/problem-details.ts`) and the CLI into a message and an exit code. Services never
 * know about HTTP beyond the status number each code maps to. A message must never carry personal data or echo input: it reaches clients and logs.
 */
/**
 * Every error code the product can answer with: the HTTP status it maps to and an English title that never
 * changes (the console shows its own translation, keyed by code).
 */
export const ERROR_CODES = {
  'validation-failed': { status: 400, title: 'The request does not match the schema' },
  'malformed-body': { status: 400, title: 'The request body cannot be parsed' },
  'bad-request': { status: 400, title: 'The request cannot be processed' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'You are not allowed to do this' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'The method is not allowed here' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The content type is not supported' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'not-ready': { status: 503, title: 'The service is not ready' },
  'store-unavailable': { status: 503, title: 'The data store is unavailable' },
  internal: { status: 500, title: 'Internal error' },
  'invalid-credentials': { status: 401, title: 'The login name or password is wrong' },
  'too-many-attempts': { status: 429, title: 'Too many failed attempts; try again later' },
  'session-expired': { status: 401, title: 'The session has ended; sign in again' },
  'second-factor-required': { status: 401, title: 'Confirm the sign-in with your second factor' },
  'enrolment-required': { status: 403, title: 'Set up a second factor before going on' },
  'password-change-required': { status: 403, title: 'Choose a new password before going on' },
  'step-up-required': { status: 403, title: 'Confirm this action with your second factor' },
  'invalid-code': { status: 401, title: 'The code is wrong, expired or already used' },
  'csrf-failed': { status: 403, title: 'The request lacks a valid CSRF token' },
  'access-expired': { status: 403, title: "This account's access has expired" },
  'password-rejected': { status: 400, title: 'The password is too weak or too common' },
  'purpose-required': { status: 400, title: 'A purpose is required to read personal data' },
  'purpose-not-allowed': { status: 403, title: 'This purpose does not allow reading this personal data' },
  'unmask-required': {
    status: 403,
    title: 'This personal data can only be shown unmasked, which is not allowed',
  },
  'subject-shredded': { status: 410, title: "The data subject's personal data has been erased" },
  'ciphertext-invalid': { status: 500, title: 'Stored personal data failed its integrity check' },
  'vault-keys-unavailable': { status: 503, title: 'The personal-data keys are unavailable' },
  'illegal-transition': { status: 409, title: 'The claim cannot move to that state from where it is' },
  'stale-version': {
    status: 409,
    title: 'The record changed since you loaded it; reload and try again',
  },
  'reason-required': { status: 400, title: 'This action needs a written reason' },
  'not-a-policy-party': {
    status: 422,
    title: 'The claimant is not insured or a beneficiary under this policy',
  },
  'invalid-id-number': { status: 422, title: 'The resident ID number is not valid' },
  'invalid-contact': {
    status: 422,
    title: 'The mobile number, email address or postal address is not valid',
  },
  'outside-policy-period': { status: 422, title: 'The incident date is outside the policy period' },
  'four-eyes-required': {
    status: 403,
    title: 'Another person must take this step (nobody checks their own work)',
  },
  'already-approved': { status: 409, title: 'You have already approved this payout' },
  'payee-not-claimant': { status: 422, title: 'The payee account is not a bank account of the claimant' },
  'payee-name-mismatch': { status: 422, title: "The account holder's name is not the claimant's name" },
  'payout-on-hold': {
    status: 409,
    title: 'The payout is on hold until a supervisor re-verifies its payee',
  },
  'payout-state': { status: 409, title: 'The payout cannot take this step in its current state' },
  'idempotency-key-conflict': {
    status: 409,
    title: 'This payout is paid or being paid under another idempotency key, or the key was used elsewhere',
  },
  'payment-failed': { status: 502, title: 'The bank did not confirm the transfer; retry with the same key' },
  'incident-state': { status: 409, title: 'The incident cannot take this step in its current state' },
  'records-frozen': {
    status: 409,
    title: "This customer's records are frozen by a security incident: no unmasking, no export",
  },
  'exports-blocked': {
    status: 409,
    title: 'Bulk exports are blocked while a security incident is contained',
  },
  'changes-held': {
    status: 409,
    title: "Changes to this customer's contact details and payee accounts are held until re-verified",
  },
  'personal-data-in-text': {
    status: 422,
    title: 'The text looks like it holds personal data (an ID, phone or card number, an email address)',
  },
  'campaign-state': { status: 409, title: 'The notice campaign cannot take this step in its current state' },
  'not-affected': {
    status: 403,
    title: 'You were not notified as affected by this incident, so no compensation claim can be filed for it',
  },
  'no-policy-in-force': {
    status: 422,
    title: 'You have no policy in force today on which to file this claim',
  },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    /** Human explanation for this occurrence. SECURITY: no personal data, no echoed input. */
    readonly detail?: string,
    /** Extra members for the problem body (e.g. which fields failed), equally free of input values. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail ?? ERROR_CODES[code].title);
  }
}
