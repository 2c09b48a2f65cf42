import { describe, expect, it } from 'vitest';
import { computeDeadline, deadlineState, evaluateTrigger, recipientsFor, ruleFor } from './applicability.js';
import type { IncidentFacts } from './incident-facts.js';
import { type RegimeDefinition, type ReportKind, regimeDefinitionSchema } from './regime-definition.js';
import { insiderLeakFacts } from './regulatory-reports-test-kit.js';
import { SHIPPED_REGIMES } from './shipped-regimes.js';

/** S4.4: each shipped regime's trigger and deadline, computed from realistic incident facts. */

const HOUR = 3_600_000;

function regime(id: string): RegimeDefinition {
  const found = SHIPPED_REGIMES.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no regime ${id}`);
  return found.definition;
}

function applies(id: string, facts: IncidentFacts): boolean {
  return evaluateTrigger(regime(id).trigger, facts).applies;
}

function due(
  id: string,
  facts: IncidentFacts,
  kind: ReportKind = 'initial',
  requestedAt = new Date('2026-11-21T00:00:00Z'),
) {
  const rule = ruleFor(regime(id), kind);
  if (!rule) throw new Error(`${id} has no ${kind} rule`);
  return computeDeadline(rule, facts, requestedAt);
}

const facts = insiderLeakFacts();
const closed = insiderLeakFacts({ closedAt: new Date('2026-12-01T08:00:00Z') });
const inEu = insiderLeakFacts({
  subjectsByJurisdiction: [
    { jurisdiction: 'CN', subjects: 1_234_000 },
    { jurisdiction: 'DE', subjects: 567 },
  ],
});

describe('shipped regimes', () => {
  it('all fit the regime schema, with sources cited', () => {
    expect(SHIPPED_REGIMES.map((entry) => entry.id)).toEqual([
      'pipl-57',
      'cac-incident-2025',
      'nfra-data-security',
      'gdpr-33',
      'gdpr-34',
      'naic-668',
    ]);
    for (const entry of SHIPPED_REGIMES) {
      const parsed = regimeDefinitionSchema.safeParse(entry.definition);
      expect(parsed.success, `${entry.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(entry.definition.sources.length).toBeGreaterThan(0);
    }
  });

  it('GDPR Art. 33 asks for the four items of 33(3), NAIC #668 for the thirteen of Section 6(B)', () => {
    const gdpr = regime('gdpr-33').contents.filter((item) => item.citation.startsWith('GDPR Art. 33(3)'));
    expect(gdpr.map((item) => item.citation)).toEqual([
      'GDPR Art. 33(3)(a)',
      'GDPR Art. 33(3)(b)',
      'GDPR Art. 33(3)(c)',
      'GDPR Art. 33(3)(d)',
    ]);
    const naic = regime('naic-668').contents.map((item) => item.citation);
    expect(naic).toEqual(Array.from({ length: 13 }, (_, index) => `NAIC #668 §6(B)(${index + 1})`));
    // Chinese regimes report in Chinese, the others in English.
    expect(SHIPPED_REGIMES.map((entry) => [entry.id, entry.definition.language])).toEqual([
      ['pipl-57', 'zh-CN'],
      ['cac-incident-2025', 'zh-CN'],
      ['nfra-data-security', 'zh-CN'],
      ['gdpr-33', 'en-US'],
      ['gdpr-34', 'en-US'],
      ['naic-668', 'en-US'],
    ]);
  });

  it('refuses a definition with duplicate item ids or an item filled by nobody', () => {
    const base = regime('gdpr-33');
    const duplicate = { ...base, contents: [...base.contents, base.contents[0]] };
    expect(regimeDefinitionSchema.safeParse(duplicate).success).toBe(false);
    const empty = { ...base, contents: [{ ...base.contents[0], facts: [], person: 'none' }] };
    expect(regimeDefinitionSchema.safeParse(empty).success).toBe(false);
  });
});

describe('PIPL Art. 57', () => {
  it('applies to any leak of personal information, not to an incident without one', () => {
    expect(applies('pipl-57', facts)).toBe(true);
    expect(
      applies('pipl-57', insiderLeakFacts({ affectedSubjects: 0, byCategory: [], sensitiveCategories: [] })),
    ).toBe(false);
  });

  it('is due "immediately": the short setting (1 hour) from the declaration', () => {
    const deadline = due('pipl-57', facts);
    expect(deadline.startsAt).toEqual(facts.declaredAt);
    expect(deadline.dueAt).toEqual(new Date(facts.declaredAt.getTime() + HOUR));
    expect(deadline.toBeConfirmed).toBe(false);
    expect(recipientsFor(regime('pipl-57'), facts).map((recipient) => recipient.kind)).toEqual([
      'authority',
      'individuals',
    ]);
  });
});

describe('CAC incident reporting measures (2025)', () => {
  it('applies to incidents graded 较大 or above only', () => {
    expect(applies('cac-incident-2025', facts)).toBe(true);
    expect(
      applies('cac-incident-2025', insiderLeakFacts({ severity: { ...facts.severity, grade: 'serious' } })),
    ).toBe(true);
    expect(
      applies('cac-incident-2025', insiderLeakFacts({ severity: { ...facts.severity, grade: 'general' } })),
    ).toBe(false);
  });

  it('is due 4 hours after detection, 1 hour where critical information infrastructure is involved', () => {
    expect(due('cac-incident-2025', facts).dueAt).toEqual(new Date('2026-11-20T18:05:00Z'));
    const cii = insiderLeakFacts({ involvesCriticalInfrastructure: true });
    expect(due('cac-incident-2025', cii)).toMatchObject({
      dueAt: new Date('2026-11-20T15:05:00Z'),
      hours: 1,
    });
    // …and then goes to the CII protection department and the police as well.
    expect(recipientsFor(regime('cac-incident-2025'), facts)).toHaveLength(1);
    expect(recipientsFor(regime('cac-incident-2025'), cii)).toHaveLength(2);
  });

  it('asks for a summary within 30 days of closing, with no clock before the incident closes', () => {
    expect(due('cac-incident-2025', facts, 'summary')).toMatchObject({ startsAt: null, dueAt: null });
    expect(due('cac-incident-2025', closed, 'summary').dueAt).toEqual(new Date('2026-12-31T08:00:00Z'));
  });

  it('takes updates without a fixed deadline', () => {
    expect(due('cac-incident-2025', facts, 'update')).toMatchObject({ hours: null, dueAt: null });
  });
});

describe('NFRA data-security measures', () => {
  it('applies to a personal-information leak; its deadline is a setting marked to be confirmed', () => {
    expect(applies('nfra-data-security', facts)).toBe(true);
    const deadline = due('nfra-data-security', facts);
    expect(deadline).toMatchObject({ hours: 2, toBeConfirmed: true });
    expect(deadline.dueAt).toEqual(new Date(facts.detectedAt.getTime() + 2 * HOUR));
  });
});

describe('GDPR Art. 33', () => {
  it('applies only where affected data subjects are in the EU/EEA', () => {
    expect(applies('gdpr-33', facts)).toBe(false);
    expect(
      applies(
        'gdpr-33',
        insiderLeakFacts({ subjectsByJurisdiction: [{ jurisdiction: 'US-NY', subjects: 900 }] }),
      ),
    ).toBe(false);
    expect(applies('gdpr-33', inEu)).toBe(true);
    expect(
      applies('gdpr-33', insiderLeakFacts({ subjectsByJurisdiction: [{ jurisdiction: 'EU', subjects: 3 }] })),
    ).toBe(true);
    expect(
      applies('gdpr-33', insiderLeakFacts({ subjectsByJurisdiction: [{ jurisdiction: 'NO', subjects: 1 }] })),
    ).toBe(true);
  });

  it('is due 72 hours after becoming aware (the declaration)', () => {
    expect(due('gdpr-33', inEu).dueAt).toEqual(new Date('2026-11-23T14:35:00Z'));
  });
});

describe('GDPR Art. 34', () => {
  const euGeneral = insiderLeakFacts({
    subjectsByJurisdiction: [{ jurisdiction: 'FR', subjects: 40 }],
    sensitiveCategories: [],
    severity: { ...facts.severity, grade: 'general' },
  });

  it('applies where the breach is likely a high risk: sensitive data or a major grade', () => {
    expect(applies('gdpr-34', euGeneral)).toBe(false);
    expect(applies('gdpr-34', { ...euGeneral, sensitiveCategories: ['health'] })).toBe(true);
    expect(applies('gdpr-34', { ...euGeneral, severity: { ...euGeneral.severity, grade: 'major' } })).toBe(
      true,
    );
    expect(applies('gdpr-34', { ...facts, sensitiveCategories: ['health'] })).toBe(false);
  });

  it('goes to the data subjects, 72 hours after becoming aware', () => {
    expect(recipientsFor(regime('gdpr-34'), inEu).map((recipient) => recipient.kind)).toEqual([
      'individuals',
    ]);
    expect(due('gdpr-34', inEu).dueAt).toEqual(new Date('2026-11-23T14:35:00Z'));
  });
});

describe('NAIC Insurance Data Security Model Law #668', () => {
  it('applies where 250 or more consumers of one state are affected', () => {
    const state = (subjects: { jurisdiction: string; subjects: number }[]) =>
      applies('naic-668', insiderLeakFacts({ subjectsByJurisdiction: subjects }));
    expect(state([{ jurisdiction: 'US-NY', subjects: 250 }])).toBe(true);
    expect(
      state([
        { jurisdiction: 'US-NY', subjects: 249 },
        { jurisdiction: 'US-CA', subjects: 249 },
      ]),
    ).toBe(false);
    expect(state([{ jurisdiction: 'DE', subjects: 5000 }])).toBe(false);
  });

  it('is due 72 hours after the determination, with updates on a continuing obligation', () => {
    const us = insiderLeakFacts({ subjectsByJurisdiction: [{ jurisdiction: 'US-NY', subjects: 300 }] });
    expect(due('naic-668', us).dueAt).toEqual(new Date(us.declaredAt.getTime() + 72 * HOUR));
    const requestedAt = new Date('2026-11-25T00:00:00Z');
    expect(due('naic-668', us, 'update', requestedAt)).toMatchObject({ startsAt: requestedAt, dueAt: null });
  });
});

describe('deadline state', () => {
  const startsAt = new Date('2026-11-20T14:00:00Z');
  const dueAt = new Date('2026-11-20T18:00:00Z');
  const at = (iso: string) => new Date(iso);
  const open = { startsAt, dueAt, submittedAt: null, closed: false };

  it('is open, then approaching with a quarter of the time left, then missed', () => {
    expect(deadlineState(open, at('2026-11-20T16:59:00Z'), 0.25)).toBe('open');
    expect(deadlineState(open, at('2026-11-20T17:00:00Z'), 0.25)).toBe('approaching');
    expect(deadlineState(open, at('2026-11-20T18:00:00Z'), 0.25)).toBe('missed');
  });

  it('is met or late once submitted, and none without a due time or once waived', () => {
    expect(
      deadlineState({ ...open, submittedAt: at('2026-11-20T17:59:00Z') }, at('2026-11-21T00:00:00Z'), 0.25),
    ).toBe('met');
    expect(
      deadlineState({ ...open, submittedAt: at('2026-11-20T18:01:00Z') }, at('2026-11-21T00:00:00Z'), 0.25),
    ).toBe('late');
    expect(deadlineState({ ...open, dueAt: null }, at('2026-11-21T00:00:00Z'), 0.25)).toBe('none');
    expect(deadlineState({ ...open, closed: true }, at('2026-11-21T00:00:00Z'), 0.25)).toBe('none');
  });
});
