import { z } from 'zod';
import { STAFF_ROLES } from '../access/roles.js';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';

const code = z.string().trim().min(6).max(32);

export const loginBodySchema = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const loginResponseSchema = z
  .object({
    next: z.enum(['verify-second-factor', 'enrol-second-factor', 'change-password', 'done']),
    csrfToken: z.string(),
    session: z.object({ id: z.uuid(), expiresAt: z.date() }),
  })
  .meta({ id: 'LoginResult' });

export const codeBodySchema = z.object({ code });

export const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

export const userSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(STAFF_ROLES),
    branch: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    mustChangePassword: z.boolean(),
    accessExpiresAt: z.date().nullable(),
    createdAt: z.date(),
    lastLoginAt: z.date().nullable(),
    email: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'The work email, masked (e.g. d***@claimguard.example); null: none on file' }),
  })
  .meta({ id: 'StaffUser' });

export const meSchema = z
  .object({
    user: userSchema,
    session: z.object({
      id: z.uuid(),
      state: z.enum(['mfa-pending', 'enrolment-required', 'active']),
      secondFactorFresh: z.boolean(),
    }),
    secondFactor: z.object({
      totp: z.boolean(),
      passkeys: z.number().int(),
      recoveryCodesLeft: z.number().int(),
    }),
    csrfToken: z.string(),
    permissions: z.array(z.object({ action: z.string(), subject: z.string() })),
  })
  .meta({ id: 'Me' });

export const sessionSchema = z
  .object({
    id: z.uuid(),
    state: z.enum(['mfa-pending', 'enrolment-required', 'active']),
    createdAt: z.date(),
    lastSeenAt: z.date(),
    expiresAt: z.date(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  })
  .meta({ id: 'StaffSession' });

export const idParamsSchema = z.object({ id: z.uuid() });

/** A staff work email (issue 5 section 1): validated, at most 254 characters (RFC 5321). */
export const staffEmailSchema = z.string().trim().max(254).pipe(z.email());

export const createUserSchema = z.object({
  username: z
    .string()
    .trim()
    .min(3)
    .max(64)
    .regex(/^[a-z0-9._-]+$/, 'lower-case letters, digits, dot, dash and underscore'),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum(STAFF_ROLES),
  branch: z.string().trim().min(1).max(64).nullable().default(null),
  accessExpiresAt: z.coerce.date().nullable().default(null),
  email: staffEmailSchema.nullable().default(null),
});

export const myEmailBodySchema = z.object({ email: staffEmailSchema.nullable() });
export const myEmailSchema = z
  .object({ email: z.string().nullable().meta({ description: 'Masked; null: none on file' }) })
  .meta({ id: 'MyWorkEmail' });

export const updateUserSchema = z
  .object({
    role: z.enum(STAFF_ROLES).optional(),
    branch: z.string().trim().min(1).max(64).nullable().optional(),
    status: z.enum(['active', 'disabled']).optional(),
    accessExpiresAt: z.coerce.date().nullable().optional(),
    /** A new work email, or null to remove it. */
    email: staffEmailSchema.nullable().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'name at least one change');

export const apiTokenCreateSchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.string().regex(/^[a-z]+:[A-Za-z]+$/, 'action:Subject, e.g. read:AuditLog'))
    .max(20)
    .default([]),
  expiresInDays: z.number().int().min(1).max(365).default(30),
});

export const apiTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.date(),
    createdAt: z.date(),
    lastUsedAt: z.date().nullable(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiToken' });

// ---- passkeys (WebAuthn) ---------------------------------------------------------------------------
// The browser's WebAuthn JSON is passed to @simplewebauthn/server, which checks it thoroughly; here the
// objects stay loose (authenticators add members) but every string the server reads is bounded.

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url');
const transports = z.array(z.string().max(32)).max(10);

export const registrationBodySchema = z.looseObject({
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url(8_192),
    attestationObject: base64url(65_536),
    authenticatorData: base64url(65_536).optional(),
    publicKey: base64url(8_192).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    transports: transports.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.looseObject({}).default({}),
  /** What the person calls the device, e.g. "Work laptop"; shown to them only. */
  deviceName: z.string().trim().max(64).optional(),
});

export const authenticationBodySchema = z.looseObject({
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64url(8_192),
    authenticatorData: base64url(65_536),
    signature: base64url(2_048),
    userHandle: base64url(256).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.looseObject({}).default({}),
});

// The options the browser hands to navigator.credentials (the WebAuthn JSON forms), member by member.
const credentialDescriptor = z.object({
  id: z.string(),
  type: z.string(),
  transports: z.array(z.string()).optional(),
});

export const registrationOptionsSchema = z
  .object({
    challenge: z.string(),
    rp: z.object({ name: z.string(), id: z.string().optional() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.string() })),
    timeout: z.number().optional(),
    excludeCredentials: z.array(credentialDescriptor).optional(),
    authenticatorSelection: z
      .object({
        authenticatorAttachment: z.string().optional(),
        residentKey: z.string().optional(),
        requireResidentKey: z.boolean().optional(),
        userVerification: z.string().optional(),
      })
      .optional(),
    hints: z.array(z.string()).optional(),
    attestation: z.string().optional(),
  })
  .meta({ id: 'PasskeyRegistrationOptions' });

export const authenticationOptionsSchema = z
  .object({
    challenge: z.string(),
    rpId: z.string().optional(),
    timeout: z.number().optional(),
    allowCredentials: z.array(credentialDescriptor).optional(),
    userVerification: z.string().optional(),
    hints: z.array(z.string()).optional(),
  })
  .meta({ id: 'PasskeyAuthenticationOptions' });

export const passkeySchema = z
  .object({
    id: z.uuid(),
    deviceName: z.string(),
    transports: z.array(z.string()),
    createdAt: z.date(),
    lastUsedAt: z.date().nullable(),
  })
  .meta({ id: 'Passkey' });
