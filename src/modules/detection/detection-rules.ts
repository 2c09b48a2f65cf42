import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../access/roles.js';

/**
 * The detection rules (S2.3, S13.5) and their shipped settings. Each rule's settings live in
 * `detection_rules` (one row per rule, made from these defaults the first time they are read) and are
 * edited by the security officer: on/off, severity, window, the staff roles it watches and its thresholds,
 * whose shape each rule's Zod schema below checks.
 */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export const RULE_IDS = [
  'bulk-access',
  'baseline-deviation',
  'off-hours',
  'repeated-denials',
  'unmask-spike',
  'export-spike',
  'dormant-account',
  'failed-login-burst',
  'new-network',
  'privilege-change',
  'honeytoken',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

const count = z.number().int().min(1).max(1_000_000);
const perRole = z.partialRecord(z.enum(STAFF_ROLES), count);

/** A time zone the runtime knows (IANA name), e.g. Asia/Shanghai. */
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Asia/Shanghai');

export const THRESHOLD_SCHEMAS = {
  /** Distinct data subjects one user touched in the window, above the limit of their role. */
  'bulk-access': z.strictObject({ defaultLimit: count, limits: perRole }),
  /**
   * Personal-data events in the window far above the user's own average per active hour over the previous
   * `baselineDays`: more than `factor` times it, at least `minEvents`, once the user has `minHistoryHours`
   * of activity to compare with.
   */
  'baseline-deviation': z.strictObject({
    factor: z.number().min(1.5).max(100),
    minEvents: count,
    minHistoryHours: count,
    baselineDays: z.number().int().min(1).max(90),
  }),
  /** Personal data touched outside working hours (local time in `timeZone`, workdays 1 = Monday … 7). */
  'off-hours': z
    .strictObject({
      timeZone,
      startHour: z.number().int().min(0).max(23),
      endHour: z.number().int().min(1).max(24),
      workdays: z.array(z.number().int().min(1).max(7)).max(7),
      minEvents: count,
    })
    .refine((value) => value.startHour < value.endHour, 'startHour must come before endHour'),
  /** More than `maxDenials` refused attempts on claims (not assigned to the user, outside their branch) in the window. */
  'repeated-denials': z.strictObject({ maxDenials: count }),
  /** Unmasked reads in the window above the role's limit. */
  'unmask-spike': z.strictObject({ defaultLimit: count, limits: perRole }),
  /** Bulk exports in the window: more than `maxExports` of them, or more than `maxRows` rows together. */
  'export-spike': z.strictObject({ maxExports: count, maxRows: count }),
  /** An account active again after `dormantDays` without any activity. */
  'dormant-account': z.strictObject({ dormantDays: z.number().int().min(1).max(3650) }),
  /** Failed staff sign-ins in the window: per account aimed at, and per network (/24 or /64). */
  'failed-login-burst': z.strictObject({ perAccount: count, perNetwork: count }),
  /** A sign-in from a network (/24 or /64) the user has not signed in from in `lookbackDays`. */
  'new-network': z.strictObject({ lookbackDays: z.number().int().min(1).max(3650) }),
  /** Role grants and changes, break-glass openings and API tokens made. */
  'privilege-change': z.strictObject({
    roleChanges: z.boolean(),
    breakGlass: z.boolean(),
    apiTokens: z.boolean(),
  }),
  /** Any touch of a decoy customer or claim. */
  honeytoken: z.strictObject({ exemptRecipientListing: z.boolean() }),
} as const satisfies Record<RuleId, z.ZodType>;

export type Thresholds<R extends RuleId> = z.infer<(typeof THRESHOLD_SCHEMAS)[R]>;

export type RuleSettings<R extends RuleId = RuleId> = {
  id: R;
  enabled: boolean;
  severity: Severity;
  windowMinutes: number;
  /** Roles watched; empty: every role. */
  roles: StaffRole[];
  thresholds: Thresholds<R>;
};

export type AnyRuleSettings = { [R in RuleId]: RuleSettings<R> }[RuleId];

/** The shipped settings: what a fresh installation starts with, and what "reset" goes back to. */
export const DEFAULT_RULES: { [R in RuleId]: Omit<RuleSettings<R>, 'id'> } = {
  'bulk-access': {
    enabled: true,
    severity: 'high',
    windowMinutes: 60,
    roles: [],
    thresholds: {
      defaultLimit: 100,
      limits: {
        claims_intake: 80,
        adjuster: 60,
        surveyor: 40,
        claims_supervisor: 200,
        finance: 100,
        security_officer: 150,
      },
    },
  },
  'baseline-deviation': {
    enabled: true,
    severity: 'medium',
    windowMinutes: 60,
    roles: [],
    thresholds: { factor: 5, minEvents: 50, minHistoryHours: 8, baselineDays: 14 },
  },
  'off-hours': {
    enabled: true,
    severity: 'medium',
    windowMinutes: 1440,
    roles: [],
    thresholds: {
      timeZone: 'Asia/Shanghai',
      startHour: 8,
      endHour: 20,
      workdays: [1, 2, 3, 4, 5],
      minEvents: 1,
    },
  },
  'repeated-denials': {
    enabled: true,
    severity: 'high',
    windowMinutes: 30,
    roles: [],
    thresholds: { maxDenials: 4 },
  },
  'unmask-spike': {
    enabled: true,
    severity: 'high',
    windowMinutes: 60,
    roles: [],
    thresholds: { defaultLimit: 20, limits: { finance: 30, security_officer: 30 } },
  },
  'export-spike': {
    enabled: true,
    severity: 'high',
    windowMinutes: 60,
    roles: [],
    thresholds: { maxExports: 3, maxRows: 5_000 },
  },
  'dormant-account': {
    enabled: true,
    severity: 'medium',
    windowMinutes: 1440,
    roles: [],
    thresholds: { dormantDays: 30 },
  },
  'failed-login-burst': {
    enabled: true,
    severity: 'high',
    windowMinutes: 10,
    roles: [],
    thresholds: { perAccount: 5, perNetwork: 20 },
  },
  'new-network': {
    enabled: true,
    severity: 'low',
    windowMinutes: 1440,
    roles: [],
    thresholds: { lookbackDays: 90 },
  },
  'privilege-change': {
    enabled: true,
    severity: 'high',
    windowMinutes: 60,
    roles: [],
    thresholds: { roleChanges: true, breakGlass: true, apiTokens: true },
  },
  honeytoken: {
    enabled: true,
    severity: 'critical',
    windowMinutes: 60,
    roles: [],
    thresholds: { exemptRecipientListing: true },
  },
};

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

export function defaultSettings<R extends RuleId>(id: R): RuleSettings<R> {
  const defaults = DEFAULT_RULES[id];
  return {
    id,
    enabled: defaults.enabled,
    severity: defaults.severity,
    windowMinutes: defaults.windowMinutes,
    roles: [...defaults.roles],
    thresholds: structuredClone(defaults.thresholds) as Thresholds<R>,
  };
}

/** Checks a rule's thresholds against its schema; returns the names of what does not fit (no values). */
export function parseThresholds<R extends RuleId>(
  id: R,
  value: unknown,
): { ok: true; thresholds: Thresholds<R> } | { ok: false; fields: string[] } {
  const parsed = THRESHOLD_SCHEMAS[id].safeParse(value);
  if (parsed.success) return { ok: true, thresholds: parsed.data as Thresholds<R> };
  return {
    ok: false,
    fields: [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(object)'))],
  };
}

/** The per-role limit of a rule with `defaultLimit` and `limits`. */
export function limitFor(
  thresholds: { defaultLimit: number; limits: Partial<Record<StaffRole, number>> },
  role: string | null,
): number {
  return (role && thresholds.limits[role as StaffRole]) || thresholds.defaultLimit;
}

/** Whether a rule watches an actor of this role (an empty role list watches everyone). */
export function watchesRole(settings: { roles: readonly string[] }, role: string | null): boolean {
  return settings.roles.length === 0 || (role !== null && settings.roles.includes(role));
}
