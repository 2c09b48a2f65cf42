import { GDPR_STATES, gradeRank, type IncidentFacts } from './incident-facts.js';
import type { Condition, DeadlineRule, RegimeDefinition, ReportKind, Trigger } from './regime-definition.js';

/**
 * Which regimes an incident's facts call for, and by when each report is due (S4.4). Pure functions of
 * the facts and the regime data, so each regime's trigger and deadline is tested without a store.
 */

const HOUR_MS = 3_600_000;

function jurisdictionMatches(wanted: string, key: string): boolean {
  if (key === wanted || key.startsWith(`${wanted}-`)) return true;
  return wanted === 'EU' && (key === 'EEA' || (GDPR_STATES as readonly string[]).includes(key.slice(0, 2)));
}

export function conditionHolds(condition: Condition, facts: IncidentFacts): boolean {
  switch (condition.kind) {
    case 'always':
      return true;
    case 'min-affected-subjects':
      return facts.affectedSubjects >= condition.min;
    case 'sensitive-categories':
      return facts.sensitiveCategories.length > 0;
    case 'critical-infrastructure':
      return facts.involvesCriticalInfrastructure;
    case 'cross-border':
      return facts.crossBorder;
    case 'min-severity':
      return gradeRank(facts.severity.grade) >= gradeRank(condition.grade);
    case 'subjects-in-jurisdiction':
      return (facts.subjectsByJurisdiction ?? []).some(
        (entry) =>
          jurisdictionMatches(condition.jurisdiction, entry.jurisdiction) && entry.subjects >= condition.min,
      );
  }
}

/** A condition in words, for the reasons shown with an applicability decision. */
export function describeCondition(condition: Condition, language: 'zh-CN' | 'en-US'): string {
  const zh = language === 'zh-CN';
  switch (condition.kind) {
    case 'always':
      return zh ? '始终适用' : 'always';
    case 'min-affected-subjects':
      return zh ? `受影响人数不少于 ${condition.min}` : `at least ${condition.min} data subjects affected`;
    case 'sensitive-categories':
      return zh ? '涉及敏感个人信息' : 'sensitive personal information involved';
    case 'critical-infrastructure':
      return zh ? '涉及关键信息基础设施' : 'critical information infrastructure involved';
    case 'cross-border':
      return zh ? '涉及跨境' : 'cross-border';
    case 'min-severity':
      return zh ? `事件级别不低于 ${condition.grade}` : `graded ${condition.grade} or above`;
    case 'subjects-in-jurisdiction':
      return zh
        ? `${condition.jurisdiction} 有不少于 ${condition.min} 名受影响者`
        : `at least ${condition.min} affected in ${condition.jurisdiction}`;
  }
}

export type Applicability = {
  applies: boolean;
  /** Each condition of the trigger with whether it held. */
  conditions: { condition: Condition; group: 'all' | 'any'; holds: boolean }[];
};

export function evaluateTrigger(trigger: Trigger, facts: IncidentFacts): Applicability {
  const conditions = [
    ...trigger.all.map((condition) => ({
      condition,
      group: 'all' as const,
      holds: conditionHolds(condition, facts),
    })),
    ...trigger.any.map((condition) => ({
      condition,
      group: 'any' as const,
      holds: conditionHolds(condition, facts),
    })),
  ];
  const allHold = conditions.filter((entry) => entry.group === 'all').every((entry) => entry.holds);
  const anyHolds =
    trigger.any.length === 0 || conditions.some((entry) => entry.group === 'any' && entry.holds);
  return { applies: allHold && anyHolds, conditions };
}

/** The deadline rule for a kind of report under a regime; null when the regime has no such report. */
export function ruleFor(definition: RegimeDefinition, kind: ReportKind): DeadlineRule | null {
  return kind === 'initial' ? definition.initial : kind === 'update' ? definition.update : definition.summary;
}

export type Deadline = {
  /** When the clock started; null while its anchor has not happened (a summary before closing). */
  startsAt: Date | null;
  /** Null when the rule sets no hours or the clock has not started. */
  dueAt: Date | null;
  /** The hours that applied (an override's, if one held). */
  hours: number | null;
  toBeConfirmed: boolean;
};

function anchorTime(rule: DeadlineRule, facts: IncidentFacts, requestedAt: Date): Date | null {
  switch (rule.from) {
    case 'detected':
      return facts.detectedAt;
    case 'declared':
    case 'aware':
      return facts.declaredAt;
    case 'closed':
      return facts.closedAt;
    case 'requested':
      return requestedAt;
  }
}

/** When a report under `rule` is due, given the incident's facts and when the report was opened. */
export function computeDeadline(rule: DeadlineRule, facts: IncidentFacts, requestedAt: Date): Deadline {
  const override = rule.overrides.find((candidate) => conditionHolds(candidate.when, facts));
  const hours = override ? override.hours : rule.hours;
  const startsAt = anchorTime(rule, facts, requestedAt);
  return {
    startsAt,
    dueAt: startsAt && hours !== null ? new Date(startsAt.getTime() + Math.round(hours * HOUR_MS)) : null,
    hours,
    toBeConfirmed: rule.toBeConfirmed,
  };
}

/** The recipients of a regime that apply to these facts. */
export function recipientsFor(
  definition: RegimeDefinition,
  facts: IncidentFacts,
): RegimeDefinition['recipients'] {
  return definition.recipients.filter(
    (recipient) => !recipient.when || conditionHolds(recipient.when, facts),
  );
}

export type DeadlineState = 'none' | 'open' | 'approaching' | 'missed' | 'met' | 'late';

/**
 * Where a report stands against its deadline at `now`: `approaching` once no more than `warnFraction` of
 * the time from start to due is left; a submitted report was `met` or `late`.
 */
export function deadlineState(
  report: { startsAt: Date | null; dueAt: Date | null; submittedAt: Date | null; closed: boolean },
  now: Date,
  warnFraction: number,
): DeadlineState {
  if (!report.dueAt) return 'none';
  if (report.submittedAt) return report.submittedAt.getTime() <= report.dueAt.getTime() ? 'met' : 'late';
  if (report.closed) return 'none';
  const due = report.dueAt.getTime();
  if (now.getTime() >= due) return 'missed';
  const start = report.startsAt?.getTime() ?? due;
  return due - now.getTime() <= (due - start) * warnFraction ? 'approaching' : 'open';
}
