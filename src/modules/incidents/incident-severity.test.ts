import { describe, expect, it } from 'vitest';
import { assessSeverity, gradeFor, NO_IMPACT, type SeverityInput } from './incident-severity.js';

/** Severity on the five S1 dimensions and the Chinese grading by people affected (S1, S2.5, S4). */
const base: SeverityInput = {
  impact: NO_IMPACT,
  scopeSubjects: null,
  scopeVersion: null,
  estimatedSubjects: null,
  sensitiveCategories: [],
  sensitiveSubjects: 0,
  idNumbersExposed: false,
};

describe('Chinese grading of a personal-information incident (S4)', () => {
  it('grades at 1,000,000 / 10,000,000 / 100,000,000 people', () => {
    expect(gradeFor(0)).toBe('general');
    expect(gradeFor(999_999)).toBe('general');
    expect(gradeFor(1_000_000)).toBe('larger');
    expect(gradeFor(9_999_999)).toBe('larger');
    expect(gradeFor(10_000_000)).toBe('major');
    expect(gradeFor(99_999_999)).toBe('major');
    expect(gradeFor(100_000_000)).toBe('especially-major');
  });

  it('shows the reason with the count, its source and the next threshold, in both languages', () => {
    const assessment = assessSeverity({ ...base, scopeSubjects: 1_234_567, scopeVersion: 2 });
    expect(assessment.grade).toBe('larger');
    expect(assessment.gradeLabel['zh-CN']).toBe('较大');
    const [why, next] = assessment.gradeReasons;
    expect(why?.text['zh-CN']).toContain('1,234,567');
    expect(why?.text['zh-CN']).toContain('第 2 版');
    expect(why?.text['zh-CN']).toContain('较大');
    expect(why?.text['en-US']).toContain('version 2');
    expect(next?.params).toMatchObject({ people: 10_000_000, grade: 'major' });
  });

  it("takes the officer's estimate when it is larger than what the audit log proves", () => {
    const assessment = assessSeverity({
      ...base,
      scopeSubjects: 10,
      scopeVersion: 1,
      estimatedSubjects: 2_000_000,
    });
    expect(assessment.subjects).toEqual({ count: 2_000_000, source: 'estimate', scopeVersion: 1 });
    expect(assessment.grade).toBe('larger');
    expect(assessment.level).toBe('critical');
    const smaller = assessSeverity({ ...base, scopeSubjects: 10, scopeVersion: 1, estimatedSubjects: 5 });
    expect(smaller.subjects.source).toBe('scope');
    expect(smaller.subjects.count).toBe(10);
  });

  it('takes a grade the officer raised it to, with the reason, but never lowers the computed one', () => {
    const raised = assessSeverity({
      ...base,
      scopeSubjects: 31,
      scopeVersion: 1,
      raisedGrade: { grade: 'larger', reason: '内部人员蓄意批量窃取' },
    });
    expect(raised.grade).toBe('larger');
    expect(raised.gradeLabel['zh-CN']).toBe('较大');
    const codes = raised.gradeReasons.map((reason) => reason.code);
    expect(codes).toEqual(['grade-by-people', 'grade-raised']);
    expect(raised.gradeReasons[0]?.params).toMatchObject({ grade: 'general' });
    expect(raised.gradeReasons[1]?.text['zh-CN']).toBe(
      '安全官将分级提高为“较大”（按人数为“一般”）：内部人员蓄意批量窃取',
    );
    // Ten million people grade it 重大 by themselves: a raise to 较大 is no raise and is not shown.
    const lower = assessSeverity({
      ...base,
      scopeSubjects: 10_000_000,
      scopeVersion: 1,
      raisedGrade: { grade: 'larger', reason: 'x' },
    });
    expect(lower.grade).toBe('major');
    expect(lower.gradeReasons.map((reason) => reason.code)).not.toContain('grade-raised');
  });
});

describe('severity level on the S1 dimensions', () => {
  it('follows the highest impact rating and names the dimensions', () => {
    const assessment = assessSeverity({
      ...base,
      impact: { ...NO_IMPACT, 'privacy-harm': 3, 'legal-liability': 3, 'social-impact': 1 },
    });
    expect(assessment.level).toBe('high');
    expect(assessment.levelReasons[0]).toMatchObject({
      code: 'impact-highest',
      params: { rating: 3, dimensions: 'privacy-harm,legal-liability' },
    });
    expect(assessment.levelReasons[0]?.text['zh-CN']).toContain('隐私侵害');
    expect(assessSeverity({ ...base, impact: { ...NO_IMPACT, 'loss-of-trust': 4 } }).level).toBe('critical');
    expect(assessSeverity(base).level).toBe('low');
  });

  it('is at least high when sensitive personal information is involved (PIPL Art. 28)', () => {
    const assessment = assessSeverity({
      ...base,
      impact: { ...NO_IMPACT, 'privacy-harm': 1 },
      scopeSubjects: 3,
      scopeVersion: 1,
      sensitiveCategories: ['financial', 'health'],
      sensitiveSubjects: 2,
      idNumbersExposed: true,
    });
    expect(assessment.level).toBe('high');
    const codes = assessment.levelReasons.map((reason) => reason.code);
    expect(codes).toContain('sensitive-involved');
    expect(codes).toContain('id-numbers-exposed');
    expect(assessment.levelReasons.find((r) => r.code === 'sensitive-involved')?.text['zh-CN']).toContain(
      '金融账户信息',
    );
  });

  it('rises with the number of people affected', () => {
    expect(assessSeverity({ ...base, scopeSubjects: 99, scopeVersion: 1 }).level).toBe('low');
    expect(assessSeverity({ ...base, scopeSubjects: 100, scopeVersion: 1 }).level).toBe('medium');
    expect(assessSeverity({ ...base, scopeSubjects: 10_000, scopeVersion: 1 }).level).toBe('high');
    expect(assessSeverity({ ...base, scopeSubjects: 1_000_000, scopeVersion: 1 }).level).toBe('critical');
  });
});
