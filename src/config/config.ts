import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * ClaimGuard's configuration: environment variables (`CLAIMGUARD_*`, `DATABASE_URL`) over an optional
 * JSON file over defaults that serve a first run. Validated once at start-up; a bad value stops the start
 * with one line that names the setting and what it allows (see {@link ConfigError}).
 */

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One row per setting: where it comes from and what it allows. Also the source of the README table. */
export const SETTINGS = {
  port: {
    env: 'CLAIMGUARD_PORT',
    schema: z.coerce.number().int().min(0).max(65535),
    default: 3000,
    allowed: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'TCP port the server listens on.',
  },
  host: {
    env: 'CLAIMGUARD_HOST',
    schema: z.string().min(1),
    default: 'localhost',
    allowed: 'a host name or IP address, e.g. 0.0.0.0 to listen on every interface',
    description: 'Interface the server listens on. The default keeps it off the network.',
  },
  dataDir: {
    env: 'CLAIMGUARD_DATA_DIR',
    schema: z.string().min(1),
    default: './data',
    allowed: 'a directory path',
    description: 'Where the embedded store (PGlite) keeps its files. Unused when DATABASE_URL is set.',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    schema: z
      .string()
      .refine((value) => /^postgres(ql)?:\/\/.+/.test(value))
      .optional(),
    default: undefined,
    allowed: 'a postgres:// or postgresql:// connection URL',
    description:
      'PostgreSQL connection URL. When set, ClaimGuard uses PostgreSQL instead of the embedded store.',
  },
  databasePoolSize: {
    env: 'CLAIMGUARD_DB_POOL_SIZE',
    schema: z.coerce.number().int().min(1).max(200),
    default: 10,
    allowed: 'an integer from 1 to 200',
    description: 'Connections per process to PostgreSQL.',
  },
  databaseNamedStatements: {
    env: 'CLAIMGUARD_DB_NAMED_STATEMENTS',
    schema: z.enum(['on', 'off']),
    default: 'on' as 'on' | 'off',
    allowed: 'on, off',
    description:
      'Prepare frequently run statements on each PostgreSQL connection (off behind a transaction-mode pooler that cannot keep them, e.g. PgBouncer before 1.21).',
  },
  logLevel: {
    env: 'CLAIMGUARD_LOG_LEVEL',
    schema: z.enum(LOG_LEVELS),
    default: 'info' as (typeof LOG_LEVELS)[number],
    allowed: LOG_LEVELS.join(', '),
    description: 'Least severe log level written (JSON lines on standard output).',
  },
  language: {
    env: 'CLAIMGUARD_LANGUAGE',
    schema: z.enum(LANGUAGES),
    default: 'zh-CN' as Language,
    allowed: LANGUAGES.join(', '),
    description: 'Default language of the web console, until a user chooses their own.',
  },
  bodyLimit: {
    env: 'CLAIMGUARD_BODY_LIMIT',
    schema: z.coerce
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024),
    default: 1024 * 1024,
    allowed: 'a number of bytes from 1024 to 104857600',
    description: 'Largest request body accepted; larger bodies get 413.',
  },
  rateLimit: {
    env: 'CLAIMGUARD_RATE_LIMIT',
    schema: z.coerce.number().int().min(1).max(1_000_000),
    default: 600,
    allowed: 'an integer from 1 to 1000000',
    description: 'Requests per minute allowed from one client address; more get 429.',
  },
  trustProxy: {
    env: 'CLAIMGUARD_TRUST_PROXY',
    schema: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]),
    default: false,
    allowed: 'true or false',
    description: 'Trust X-Forwarded-* headers (set true only behind your own reverse proxy).',
  },
  sessionIdleMinutes: {
    env: 'CLAIMGUARD_SESSION_IDLE_MINUTES',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    default: 30,
    allowed: 'an integer from 1 to 1440',
    description: 'A staff session ends after this many minutes without a request.',
  },
  sessionMaxHours: {
    env: 'CLAIMGUARD_SESSION_MAX_HOURS',
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 7),
    default: 12,
    allowed: 'an integer from 1 to 168',
    description: 'A staff session ends this many hours after sign-in, however active.',
  },
  identityKey: {
    env: 'CLAIMGUARD_IDENTITY_KEY',
    schema: z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length === 32)
      .optional(),
    default: undefined,
    allowed: 'base64 of 32 random bytes',
    description:
      'Key that seals second-factor secrets. Unset: the key file created by claimguard init in the data directory.',
  },
  publicUrl: {
    env: 'CLAIMGUARD_PUBLIC_URL',
    schema: z.string().refine(isOriginUrl),
    default: 'http://localhost:3000',
    allowed: 'an http:// or https:// URL without a path, e.g. https://claims.example.com',
    description:
      'The address people open the console at. Passkeys are bound to its origin and to its host name (the relying party ID).',
  },
  shutdownGraceMs: {
    env: 'CLAIMGUARD_SHUTDOWN_GRACE_MS',
    schema: z.coerce.number().int().min(0).max(600_000),
    default: 10_000,
    allowed: 'a number of milliseconds from 0 to 600000',
    description: 'How long in-flight requests may run on after SIGTERM before the process exits anyway.',
  },
  auditCheckpointDir: {
    env: 'CLAIMGUARD_AUDIT_CHECKPOINT_DIR',
    schema: z.string().min(1).optional(),
    default: undefined,
    allowed: 'a directory path, best on other storage than the database',
    description:
      'Where every signed audit checkpoint is also written as <size>.checkpoint. Unset: <CLAIMGUARD_DATA_DIR>/checkpoints.',
  },
  auditSigningKey: {
    env: 'CLAIMGUARD_AUDIT_SIGNING_KEY',
    schema: z
      .string()
      .refine((value) => value.includes('-----BEGIN PRIVATE KEY-----'))
      .optional(),
    default: undefined,
    allowed: 'an Ed25519 private key, PKCS #8 PEM',
    description:
      'Signs audit checkpoints. Unset: the key in <CLAIMGUARD_DATA_DIR>/keys/audit-checkpoint.key, created on first use.',
  },
  vaultKek: {
    env: 'CLAIMGUARD_VAULT_KEK',
    schema: z.string().refine(isBase64KeyList).optional(),
    default: undefined,
    allowed:
      'base64 of 32 random bytes; during a key rotation several, comma-separated, the last one current',
    description:
      'Key-encryption key of the personal-data vault, used instead of the key file in CLAIMGUARD_DATA_DIR/keys. Set together with CLAIMGUARD_VAULT_INDEX_KEY. Never printed.',
  },
  vaultIndexKey: {
    env: 'CLAIMGUARD_VAULT_INDEX_KEY',
    schema: z.string().refine(isBase64Key).optional(),
    default: undefined,
    allowed: 'base64 of 32 random bytes, different from the key-encryption key',
    description:
      'Key of the blind indexes that let the vault search personal data by exact match. Set together with CLAIMGUARD_VAULT_KEK. Never printed.',
  },
  smtpUrl: {
    env: 'CLAIMGUARD_SMTP_URL',
    schema: z
      .string()
      .refine((value) => /^smtps?:\/\/[^/]+/.test(value))
      .optional(),
    default: undefined,
    allowed: 'an smtp:// or smtps:// URL, e.g. smtps://user:password@mail.example.com:465',
    description:
      'Mail server that sends email notices. Unset: email notices are skipped. May hold a password: never printed.',
  },
  mailFrom: {
    env: 'CLAIMGUARD_MAIL_FROM',
    schema: z
      .string()
      .max(200)
      .refine((value) => /^[^@\s]+@[^@\s]+$|^[^<>]*<[^@\s<>]+@[^@\s<>]+>$/.test(value.trim()))
      .optional(),
    default: undefined,
    allowed: 'an email address, optionally with a name: ClaimGuard <noreply@claims.example.com>',
    description:
      'Sender of email notices. Email is sent only when both this and CLAIMGUARD_SMTP_URL are set.',
  },
} as const;

/** An origin: http(s), a host, perhaps a port, and no path, query or fragment. */
function isOriginUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.origin === value.replace(/\/$/, '')
    );
  } catch {
    return false;
  }
}

/** A 32-byte key in standard base64 (the vault's keys). Checked by shape only: never echoed. */
function isBase64Key(value: string): boolean {
  const trimmed = value.trim();
  return /^[A-Za-z0-9+/]{43}=$/.test(trimmed) && Buffer.from(trimmed, 'base64').length === 32;
}

function isBase64KeyList(value: string): boolean {
  return value.split(',').every(isBase64Key);
}

export type SettingName = keyof typeof SETTINGS;

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databaseNamedStatements: 'on' | 'off';
  logLevel: (typeof LOG_LEVELS)[number];
  language: Language;
  bodyLimit: number;
  rateLimit: number;
  trustProxy: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  identityKey: string | undefined;
  publicUrl: string;
  shutdownGraceMs: number;
  auditCheckpointDir: string | undefined;
  auditSigningKey: string | undefined;
  /** SECURITY: key material; never print, log or return it. */
  vaultKek: string | undefined;
  /** SECURITY: key material; never print, log or return it. */
  vaultIndexKey: string | undefined;
  /** SECURITY: may hold the mail server's password; never print, log or return it. */
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
};

/** Names the config file setting itself; it is read before everything else. */
export const CONFIG_FILE_ENV = 'CLAIMGUARD_CONFIG';
export const DEFAULT_CONFIG_FILE = 'claimguard.config.json';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Source =
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string; key: string }
  | { kind: 'default' };

function describeSource(source: Source): string {
  switch (source.kind) {
    case 'env':
      return source.name;
    case 'file':
      return `"${source.key}" in ${source.path}`;
    case 'default':
      return 'the default';
  }
}

function readConfigFile(
  env: NodeJS.ProcessEnv,
  cwd: string,
): { path: string; values: Record<string, unknown> } | null {
  const explicit = env[CONFIG_FILE_ENV];
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (explicit) {
      throw new ConfigError(`${CONFIG_FILE_ENV}: file ${path} does not exist`);
    }
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError(`${path}: not valid JSON; expected an object such as {"port": 3000}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${path}: expected a JSON object such as {"port": 3000}`);
  }
  const values = parsed as Record<string, unknown>;
  const unknownKeys = Object.keys(values).filter((key) => !(key in SETTINGS));
  if (unknownKeys.length > 0) {
    throw new ConfigError(
      `${path}: unknown setting "${unknownKeys[0]}"; allowed: ${Object.keys(SETTINGS).join(', ')}`,
    );
  }
  return { path, values };
}

/**
 * Loads and validates the configuration. Throws {@link ConfigError} with a one-line message; never echoes a
 * value back, since DATABASE_URL may carry a password.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const file = readConfigFile(env, cwd);
  const result: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const fromEnv = env[setting.env];
    let raw: unknown;
    let source: Source;
    if (fromEnv !== undefined && fromEnv !== '') {
      raw = fromEnv;
      source = { kind: 'env', name: setting.env };
    } else if (file && name in file.values) {
      raw = file.values[name];
      source = { kind: 'file', path: file.path, key: name };
    } else {
      raw = setting.default;
      source = { kind: 'default' };
    }
    const parsed = (setting.schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(`${describeSource(source)}: invalid value; allowed: ${setting.allowed}`);
    }
    result[name] = parsed.data;
  }
  return result as Config;
}

/** The store a configuration selects, for messages and status. */
export function storeKindOf(config: Pick<Config, 'databaseUrl'>): 'embedded' | 'postgres' {
  return config.databaseUrl ? 'postgres' : 'embedded';
}
