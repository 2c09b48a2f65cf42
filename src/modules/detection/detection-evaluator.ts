import type { CanonicalEvent } from '../audit/canonical-event.js';
import {
  type AnyRuleSettings,
  limitFor,
  type RuleId,
  type RuleSettings,
  type Severity,
  watchesRole,
} from './detection-rules.js';

/**
 * The rules' logic (S2.3): given a batch of sequenced audit events and read access to the log up to the
 * batch's last event, which alerts the events trigger. Every answer is a function of the log alone (the
 * windows are ranges of `occurred_at` over events with `seq` up to the event being judged), never of what
 * a process happened to keep in memory, so evaluating the same events again, after a crash or in another
 * process, gives the same alerts.
 */
export type LogEvent = { seq: number; at: number; event: CanonicalEvent };

/** One event of an actor's history, from the log's indexed columns. */
export type HistoryRow = {
  seq: number;
  at: number;
  action: string;
  outcome: string;
  subject: string | null;
  resourceType: string;
  resourceId: string | null;
  /** Rows of an export (from the event's details), for export events only. */
  exportedRows: number | null;
};

export type HoneytokenRef = {
  id: string;
  subjectId: string;
  claimId: string | null;
  recipientKind: 'none' | 'staff' | 'external';
  recipientUserId: string | null;
  plantRequestId: string;
};

/** What the rules may read of the log; the repository answers within the engine's transaction. */
export interface EvaluationSource {
  /** The actor's events with occurred_at >= since and seq <= upToSeq, in seq order. */
  actorHistory(actorId: string, since: Date, upToSeq: number): Promise<HistoryRow[]>;
  /** When the actor's last event before `beforeSeq` happened (ms), or null if there is none. */
  previousActivity(actorId: string, beforeSeq: number): Promise<number | null>;
  /** The actor's personal-data events in [from, to) and the number of distinct hours they fall in. */
  hourlyActivity(actorId: string, from: Date, to: Date): Promise<{ events: number; activeHours: number }>;
  /** Failed staff sign-ins with occurred_at >= since and seq <= upToSeq. */
  failedLogins(
    since: Date,
    upToSeq: number,
  ): Promise<{ seq: number; at: number; account: string | null; ip: string | null }[]>;
  /** Addresses of the actor's successful sign-ins with occurred_at >= since and seq < beforeSeq. */
  loginAddresses(actorId: string, since: Date, beforeSeq: number): Promise<string[]>;
  /** Honeytokens whose decoy customer or claim is among these. */
  honeytokensTouching(subjectIds: readonly string[], claimIds: readonly string[]): Promise<HoneytokenRef[]>;
}

export type AlertCandidate = {
  ruleId: RuleId;
  severity: Severity;
  actor: { type: string | null; id: string | null; role: string | null };
  dedupKey: string;
  windowStart: Date;
  seq: number;
  at: number;
  /** Seqs of the events that make the case, the triggering one included. */
  evidence: number[];
  details: Record<string, string | number | boolean | null>;
  honeytokenId: string | null;
};

export const EXPORT_ACTIONS = ['claim.export', 'audit.exported'] as const;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Events are sequenced in commit order, which may differ from occurred_at by a little; scan this far past. */
const CLOCK_SLACK_MS = 5 * MINUTE;
const MAX_EVIDENCE = 200;

/** Staff and API tokens act in roles; rules about a user's own behaviour watch them. */
function isStaffActor(event: CanonicalEvent): event is CanonicalEvent & { actor: { id: string } } {
  return (event.actor.type === 'staff' || event.actor.type === 'api-token') && event.actor.id !== null;
}

function isPersonalDataAccess(row: { subject: string | null; outcome: string }): boolean {
  return row.subject !== null && row.outcome === 'success';
}

/** The network of an address: the /24 of an IPv4 address, the /64 of an IPv6 one. */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (!ip.includes(':')) return null;
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [
        ...headGroups,
        ...Array(Math.max(8 - headGroups.length - tailGroups.length, 0)).fill('0'),
        ...tailGroups,
      ]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => (group || '0').toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const localTimeFormats = new Map<string, Intl.DateTimeFormat>();
/** Hour (0-23) and ISO weekday (1 = Monday) of an instant in a time zone. */
export function localHourAndDay(at: number, timeZone: string): { hour: number; weekday: number } {
  let format = localTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hour: 'numeric',
      hourCycle: 'h23',
      weekday: 'short',
    });
    localTimeFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(at));
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0) % 24;
  const day = parts.find((part) => part.type === 'weekday')?.value ?? 'Mon';
  return { hour, weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(day) + 1 };
}

function bucketOf(at: number, windowMinutes: number): number {
  const width = windowMinutes * MINUTE;
  return Math.floor(at / width) * width;
}

function candidate(
  settings: AnyRuleSettings,
  e: LogEvent,
  actor: AlertCandidate['actor'],
  actorKey: string,
  evidence: number[],
  details: AlertCandidate['details'],
  honeytokenId: string | null = null,
): AlertCandidate {
  const windowStart = bucketOf(e.at, settings.windowMinutes);
  return {
    ruleId: settings.id,
    severity: settings.severity,
    actor,
    dedupKey: `${settings.id}:${honeytokenId ? `${honeytokenId}:` : ''}${actorKey}:${new Date(windowStart).toISOString()}`,
    windowStart: new Date(windowStart),
    seq: e.seq,
    at: e.at,
    evidence: evidence.length > MAX_EVIDENCE ? evidence.slice(-MAX_EVIDENCE) : evidence,
    details,
    honeytokenId,
  };
}

function actorOf(event: CanonicalEvent): AlertCandidate['actor'] {
  return { type: event.actor.type, id: event.actor.id, role: event.actor.role };
}

/**
 * The rows of `history` in the window that ends at event `e`: seq up to e's, occurred_at after e's minus
 * the window. `history` is in seq order; the scan walks back from e and stops once it is well before.
 */
function windowRows(history: readonly HistoryRow[], e: LogEvent, windowMinutes: number): HistoryRow[] {
  const from = e.at - windowMinutes * MINUTE;
  // The last row with seq <= e.seq (binary search: history is in seq order).
  let low = 0;
  let high = history.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((history[middle] as HistoryRow).seq <= e.seq) low = middle + 1;
    else high = middle;
  }
  let index = low - 1;
  const rows: HistoryRow[] = [];
  for (; index >= 0; index--) {
    const row = history[index] as HistoryRow;
    if (row.at <= from - CLOCK_SLACK_MS) break;
    if (row.at > from) rows.push(row);
  }
  return rows.reverse();
}

/** The event itself as a history row (the batch's events are in the log, so in the history too). */
function rowOf(e: LogEvent): HistoryRow {
  const rows = e.event.details.rows;
  return {
    seq: e.seq,
    at: e.at,
    action: e.event.action,
    outcome: e.event.outcome,
    subject: e.event.dataSubjectId,
    resourceType: e.event.resource.type,
    resourceId: e.event.resource.id,
    exportedRows:
      (EXPORT_ACTIONS as readonly string[]).includes(e.event.action) && typeof rows === 'number'
        ? rows
        : null,
  };
}

const isClaimDenial = (row: HistoryRow) =>
  row.outcome === 'denied' && (row.resourceType === 'claim' || row.action.startsWith('claim.'));
const isUnmask = (row: HistoryRow) => row.action === 'personal-data.unmask' && row.outcome === 'success';
const isExport = (row: HistoryRow) =>
  (EXPORT_ACTIONS as readonly string[]).includes(row.action) && row.outcome === 'success';

/** Which events each rule over an actor's window judges (the event that may trigger it). */
const RELEVANT: Record<ActorRule['id'], (row: HistoryRow) => boolean> = {
  'bulk-access': isPersonalDataAccess,
  'baseline-deviation': isPersonalDataAccess,
  'off-hours': isPersonalDataAccess,
  'repeated-denials': isClaimDenial,
  'unmask-spike': isUnmask,
  'export-spike': isExport,
};

type ActorRule = Extract<
  AnyRuleSettings,
  {
    id:
      | 'bulk-access'
      | 'baseline-deviation'
      | 'off-hours'
      | 'repeated-denials'
      | 'unmask-spike'
      | 'export-spike';
  }
>;

/** Evaluates every enabled rule on a batch of events, in seq order. */
export async function evaluateBatch(
  events: readonly LogEvent[],
  rules: readonly AnyRuleSettings[],
  source: EvaluationSource,
): Promise<AlertCandidate[]> {
  if (events.length === 0) return [];
  const upToSeq = (events.at(-1) as LogEvent).seq;
  const enabled = rules.filter((rule) => rule.enabled);
  const rule = <R extends RuleId>(id: R) =>
    enabled.find((candidateRule) => candidateRule.id === id) as RuleSettings<R> | undefined;
  const out: AlertCandidate[] = [];

  // ---- rules over one actor's recent events ----------------------------------------------------------
  const actorRules = enabled.filter((settings): settings is ActorRule =>
    [
      'bulk-access',
      'baseline-deviation',
      'off-hours',
      'repeated-denials',
      'unmask-spike',
      'export-spike',
    ].includes(settings.id),
  );
  const byActor = new Map<string, LogEvent[]>();
  for (const e of events) {
    if (!isStaffActor(e.event)) continue;
    const list = byActor.get(e.event.actor.id) ?? [];
    list.push(e);
    byActor.set(e.event.actor.id, list);
  }
  const baselineMemo = new Map<string, Promise<{ events: number; activeHours: number }>>();
  for (const [actorId, actorEvents] of byActor) {
    // Only the rules some event of this actor could trigger, and only their windows: most batches of a
    // busy reader need no history for the unmask, export or refusal rules.
    const judged = actorEvents.map((e) => {
      const self = rowOf(e);
      const rules = actorRules.filter(
        (settings) => watchesRole(settings, e.event.actor.role) && RELEVANT[settings.id](self),
      );
      return { e, self, rules };
    });
    const lookbackMinutes = Math.max(
      -1,
      ...judged.flatMap(({ rules }) =>
        rules.map((settings) =>
          settings.id === 'off-hours' && settings.thresholds.minEvents <= 1 ? 0 : settings.windowMinutes,
        ),
      ),
    );
    if (lookbackMinutes < 0) continue;
    const firstAt = Math.min(...actorEvents.map((e) => e.at));
    const history =
      lookbackMinutes > 0
        ? await source.actorHistory(
            actorId,
            new Date(firstAt - lookbackMinutes * MINUTE - CLOCK_SLACK_MS),
            upToSeq,
          )
        : [];
    for (const { e, self, rules } of judged) {
      const actor = actorOf(e.event);
      for (const settings of rules) {
        const found = await evaluateActorRule(
          settings,
          e,
          self,
          history,
          e.event.actor.role,
          source,
          baselineMemo,
          actorId,
        );
        if (found) out.push(candidate(settings, e, actor, `actor:${actorId}`, found.evidence, found.details));
      }
    }
  }

  // ---- dormant accounts -------------------------------------------------------------------------------
  const dormant = rule('dormant-account');
  if (dormant) {
    for (const [actorId, actorEvents] of byActor) {
      let previous: number | null | undefined;
      for (const e of actorEvents) {
        if (previous === undefined) previous = await source.previousActivity(actorId, e.seq);
        const gapDays = previous === null ? 0 : (e.at - previous) / DAY;
        if (
          previous !== null &&
          gapDays > dormant.thresholds.dormantDays &&
          watchesRole(dormant, e.event.actor.role)
        ) {
          out.push(
            candidate(dormant, e, actorOf(e.event), `actor:${actorId}`, [e.seq], {
              idleDays: Math.floor(gapDays),
              dormantDays: dormant.thresholds.dormantDays,
              action: e.event.action,
            }),
          );
        }
        previous = Math.max(previous ?? e.at, e.at);
      }
    }
  }

  // ---- sign-ins ---------------------------------------------------------------------------------------
  const burst = rule('failed-login-burst');
  const failures = events.filter((e) => e.event.action === 'auth.login' && e.event.outcome === 'failure');
  if (burst && failures.length > 0) {
    const windowMs = burst.windowMinutes * MINUTE;
    const all = await source.failedLogins(
      new Date(Math.min(...failures.map((e) => e.at)) - windowMs - CLOCK_SLACK_MS),
      upToSeq,
    );
    for (const e of failures) {
      const inWindow = all.filter((row) => row.seq <= e.seq && row.at > e.at - windowMs);
      const account = e.event.resource.type === 'staff-user' ? e.event.resource.id : null;
      const network = networkOf(e.event.actor.ip);
      if (account) {
        const rows = inWindow.filter((row) => row.account === account);
        if (rows.length > burst.thresholds.perAccount) {
          out.push(
            candidate(
              burst,
              e,
              { type: 'staff', id: account, role: null },
              `account:${account}`,
              rows.map((row) => row.seq),
              { failures: rows.length, limit: burst.thresholds.perAccount, scope: 'account', network },
            ),
          );
        }
      }
      if (network) {
        const rows = inWindow.filter((row) => networkOf(row.ip) === network);
        if (rows.length > burst.thresholds.perNetwork) {
          out.push(
            candidate(
              burst,
              e,
              { type: null, id: null, role: null },
              `network:${network}`,
              rows.map((row) => row.seq),
              { failures: rows.length, limit: burst.thresholds.perNetwork, scope: 'network', network },
            ),
          );
        }
      }
    }
  }

  const newNetwork = rule('new-network');
  if (newNetwork) {
    for (const e of events) {
      if (e.event.action !== 'auth.login' || e.event.outcome !== 'success' || !isStaffActor(e.event))
        continue;
      if (!watchesRole(newNetwork, e.event.actor.role)) continue;
      const network = networkOf(e.event.actor.ip);
      if (!network) continue;
      const previous = await source.loginAddresses(
        e.event.actor.id,
        new Date(e.at - newNetwork.thresholds.lookbackDays * DAY),
        e.seq,
      );
      // A first sign-in has nothing to compare with: that is not a new network, it is a new account.
      if (previous.length === 0) continue;
      const known = new Set(previous.map(networkOf));
      if (!known.has(network)) {
        out.push(
          candidate(newNetwork, e, actorOf(e.event), `actor:${e.event.actor.id}`, [e.seq], {
            network,
            knownNetworks: known.size,
          }),
        );
      }
    }
  }

  // ---- privilege changes -----------------------------------------------------------------------------
  const privilege = rule('privilege-change');
  if (privilege) {
    for (const e of events) {
      const { event } = e;
      if (event.outcome !== 'success') continue;
      if (
        privilege.thresholds.roleChanges &&
        event.action === 'user.updated' &&
        typeof event.details.toRole === 'string'
      ) {
        const toRole = event.details.toRole;
        if (!watchesRole(privilege, toRole) || !event.resource.id) continue;
        out.push(
          candidate(
            privilege,
            e,
            { type: 'staff', id: event.resource.id, role: toRole },
            `actor:${event.resource.id}`,
            [e.seq],
            {
              change: 'role',
              fromRole: typeof event.details.fromRole === 'string' ? event.details.fromRole : null,
              toRole,
              by: event.actor.id,
            },
          ),
        );
      } else if (
        (privilege.thresholds.breakGlass && event.action === 'access.break-glass.opened') ||
        (privilege.thresholds.apiTokens && event.action === 'api-token.created')
      ) {
        if (!isStaffActor(event) || !watchesRole(privilege, event.actor.role)) continue;
        out.push(
          candidate(privilege, e, actorOf(event), `actor:${event.actor.id}`, [e.seq], {
            change: event.action === 'api-token.created' ? 'api-token' : 'break-glass',
            ...(typeof event.details.minutes === 'number' ? { minutes: event.details.minutes } : {}),
          }),
        );
      }
    }
  }

  // ---- honeytokens ------------------------------------------------------------------------------------
  const honeytoken = rule('honeytoken');
  if (honeytoken) {
    const subjects = new Set<string>();
    const claims = new Set<string>();
    for (const { event } of events) {
      if (event.dataSubjectId) subjects.add(event.dataSubjectId);
      if (event.resource.id && (event.resource.type === 'customers' || event.resource.type === 'customer'))
        subjects.add(event.resource.id);
      if (event.resource.id && event.resource.type === 'claim') claims.add(event.resource.id);
    }
    const tokens =
      subjects.size + claims.size > 0 ? await source.honeytokensTouching([...subjects], [...claims]) : [];
    if (tokens.length > 0) {
      const bySubject = new Map(tokens.map((token) => [token.subjectId, token]));
      const byClaim = new Map(
        tokens.flatMap((token) => (token.claimId ? [[token.claimId, token] as const] : [])),
      );
      for (const e of events) {
        const { event } = e;
        const token =
          (event.dataSubjectId ? bySubject.get(event.dataSubjectId) : undefined) ??
          (event.resource.id && event.resource.type === 'claim'
            ? byClaim.get(event.resource.id)
            : undefined) ??
          (event.resource.id && (event.resource.type === 'customers' || event.resource.type === 'customer')
            ? bySubject.get(event.resource.id)
            : undefined);
        if (!token) continue;
        // The planting's own events are not touches.
        if (event.requestId !== null && event.requestId === token.plantRequestId) continue;
        if (!watchesRole(honeytoken, event.actor.role)) continue;
        // Being listed in its one recipient's queue is how a decoy claim is shown: a masked name in a list.
        if (
          honeytoken.thresholds.exemptRecipientListing &&
          token.recipientKind === 'staff' &&
          event.actor.id === token.recipientUserId &&
          event.action === 'personal-data.read' &&
          event.fields.length === 1 &&
          event.fields[0] === 'customer.name' &&
          event.resource.type === 'customers'
        )
          continue;
        out.push(
          candidate(
            honeytoken,
            e,
            actorOf(event),
            `${event.actor.type}:${event.actor.id ?? 'none'}`,
            [e.seq],
            {
              action: event.action,
              outcome: event.outcome,
              recipient:
                token.recipientKind === 'staff' && event.actor.id === token.recipientUserId
                  ? 'recipient'
                  : 'other',
            },
            token.id,
          ),
        );
      }
    }
  }

  return out.sort((a, b) => a.seq - b.seq);
}

async function evaluateActorRule(
  settings: ActorRule,
  e: LogEvent,
  self: HistoryRow,
  history: readonly HistoryRow[],
  role: string | null,
  source: EvaluationSource,
  baselineMemo: Map<string, Promise<{ events: number; activeHours: number }>>,
  actorId: string,
): Promise<{ evidence: number[]; details: AlertCandidate['details'] } | null> {
  switch (settings.id) {
    case 'bulk-access': {
      if (!isPersonalDataAccess(self)) return null;
      const limit = limitFor(settings.thresholds, role);
      const firstSeqOf = new Map<string, number>();
      for (const row of windowRows(history, e, settings.windowMinutes)) {
        if (isPersonalDataAccess(row) && !firstSeqOf.has(row.subject as string))
          firstSeqOf.set(row.subject as string, row.seq);
      }
      if (firstSeqOf.size <= limit) return null;
      return {
        evidence: [...firstSeqOf.values()],
        details: { distinctSubjects: firstSeqOf.size, limit, windowMinutes: settings.windowMinutes },
      };
    }
    case 'baseline-deviation': {
      if (!isPersonalDataAccess(self)) return null;
      const rows = windowRows(history, e, settings.windowMinutes).filter(isPersonalDataAccess);
      if (rows.length < settings.thresholds.minEvents) return null;
      // The baseline ends where the window begins, on whole hours, so one query serves a whole hour's events.
      const to = Math.floor((e.at - settings.windowMinutes * MINUTE) / HOUR) * HOUR;
      const from = to - settings.thresholds.baselineDays * DAY;
      const key = `${actorId}:${from}:${to}`;
      let memo = baselineMemo.get(key);
      if (!memo) {
        memo = source.hourlyActivity(actorId, new Date(from), new Date(to));
        baselineMemo.set(key, memo);
      }
      const baseline = await memo;
      if (baseline.activeHours < settings.thresholds.minHistoryHours) return null;
      const perHour = baseline.events / baseline.activeHours;
      if (rows.length <= settings.thresholds.factor * perHour) return null;
      return {
        evidence: rows.map((row) => row.seq),
        details: {
          events: rows.length,
          baselinePerHour: Math.round(perHour * 10) / 10,
          factor: settings.thresholds.factor,
          windowMinutes: settings.windowMinutes,
        },
      };
    }
    case 'off-hours': {
      if (!isPersonalDataAccess(self)) return null;
      const { timeZone, startHour, endHour, workdays, minEvents } = settings.thresholds;
      const outside = (at: number) => {
        const local = localHourAndDay(at, timeZone);
        return !workdays.includes(local.weekday) || local.hour < startHour || local.hour >= endHour;
      };
      if (!outside(e.at)) return null;
      const rows =
        minEvents <= 1
          ? [self]
          : windowRows(history, e, settings.windowMinutes).filter(
              (row) => isPersonalDataAccess(row) && outside(row.at),
            );
      if (rows.length < minEvents) return null;
      const local = localHourAndDay(e.at, timeZone);
      return {
        evidence: rows.map((row) => row.seq),
        details: { localHour: local.hour, weekday: local.weekday, timeZone, startHour, endHour },
      };
    }
    case 'repeated-denials': {
      if (!isClaimDenial(self)) return null;
      const rows = windowRows(history, e, settings.windowMinutes).filter(isClaimDenial);
      if (rows.length <= settings.thresholds.maxDenials) return null;
      return {
        evidence: rows.map((row) => row.seq),
        details: {
          denials: rows.length,
          claims: new Set(rows.map((row) => row.resourceId)).size,
          limit: settings.thresholds.maxDenials,
          windowMinutes: settings.windowMinutes,
        },
      };
    }
    case 'unmask-spike': {
      const isUnmask = (row: HistoryRow) =>
        row.action === 'personal-data.unmask' && row.outcome === 'success';
      if (!isUnmask(self)) return null;
      const limit = limitFor(settings.thresholds, role);
      const rows = windowRows(history, e, settings.windowMinutes).filter(isUnmask);
      if (rows.length <= limit) return null;
      return {
        evidence: rows.map((row) => row.seq),
        details: { unmasks: rows.length, limit, windowMinutes: settings.windowMinutes },
      };
    }
    case 'export-spike': {
      if (!isExport(self)) return null;
      const rows = windowRows(history, e, settings.windowMinutes).filter(isExport);
      const exportedRows = rows.reduce((sum, row) => sum + (row.exportedRows ?? 0), 0);
      if (rows.length <= settings.thresholds.maxExports && exportedRows <= settings.thresholds.maxRows)
        return null;
      return {
        evidence: rows.map((row) => row.seq),
        details: {
          exports: rows.length,
          rows: exportedRows,
          maxExports: settings.thresholds.maxExports,
          maxRows: settings.thresholds.maxRows,
          windowMinutes: settings.windowMinutes,
        },
      };
    }
  }
}
