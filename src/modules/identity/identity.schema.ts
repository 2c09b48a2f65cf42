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
    secondFactor: z.object({ totp: z.boolean(), recoveryCodesLeft: z.number().int() }),
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
});

export const updateUserSchema = z
  .object({
    role: z.enum(STAFF_ROLES).optional(),
    branch: z.string().trim().min(1).max(64).nullable().optional(),
    status: z.enum(['active', 'disabled']).optional(),
    accessExpiresAt: z.coerce.date().nullable().optional(),
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
