import { DATA_CATEGORIES, type DataCategory, type LocalizedLabel } from '../vault/personal-data-catalogue.js';

/**
 * An incident's severity (S1, S2.5, S4): the five S1 impact dimensions as the security officer rates them,
 * the number of people affected and whether sensitive personal information (PIPL Art. 28) is involved,
 * combined into an internal level, and the Chinese grading of network-security incidents for personal
 * information (一般 / 较大 / 重大 / 特别重大 at 1,000,000 / 10,000,000 / 100,000,000 people; the CAC
 * measures in force since 2025-11-01 and their grading guide). Every conclusion carries its reasons, in
 * both languages, so the officer, the auditor and the regulator report all see why.
 */

/** The five S1 impact dimensions (feature map S1). */
export const IMPACT_DIMENSIONS = [
  'privacy-harm',
  'loss-of-trust',
  'legal-liability',
  'competitor-exploitation',
  'social-impact',
] as const;
export type ImpactDimension = (typeof IMPACT_DIMENSIONS)[number];

export const IMPACT_DIMENSION_LABELS: Record<ImpactDimension, LocalizedLabel> = {
  'privacy-harm': { 'zh-CN': '隐私侵害', 'en-US': 'Privacy harm' },
  'loss-of-trust': { 'zh-CN': '信任损失', 'en-US': 'Loss of trust' },
  'legal-liability': { 'zh-CN': '法律责任', 'en-US': 'Legal liability' },
  'competitor-exploitation': { 'zh-CN': '被竞争对手利用', 'en-US': 'Exploitation by competitors' },
  'social-impact': { 'zh-CN': '社会影响', 'en-US': 'Social impact' },
};

/** 0 none, 1 low, 2 moderate, 3 high, 4 severe. */
export type ImpactRating = 0 | 1 | 2 | 3 | 4;
export type ImpactRatings = Record<ImpactDimension, ImpactRating>;

export const RATING_LABELS: Record<ImpactRating, LocalizedLabel> = {
  0: { 'zh-CN': '无', 'en-US': 'none' },
  1: { 'zh-CN': '低', 'en-US': 'low' },
  2: { 'zh-CN': '中', 'en-US': 'moderate' },
  3: { 'zh-CN': '高', 'en-US': 'high' },
  4: { 'zh-CN': '严重', 'en-US': 'severe' },
};

export const NO_IMPACT: ImpactRatings = {
  'privacy-harm': 0,
  'loss-of-trust': 0,
  'legal-liability': 0,
  'competitor-exploitation': 0,
  'social-impact': 0,
};

export const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];
export const SEVERITY_LEVEL_LABELS: Record<SeverityLevel, LocalizedLabel> = {
  low: { 'zh-CN': '低', 'en-US': 'Low' },
  medium: { 'zh-CN': '中', 'en-US': 'Medium' },
  high: { 'zh-CN': '高', 'en-US': 'High' },
  critical: { 'zh-CN': '危急', 'en-US': 'Critical' },
};

/** The Chinese grading of a network-security incident, by personal information affected. */
export const CN_GRADES = ['general', 'larger', 'major', 'especially-major'] as const;
export type CnGrade = (typeof CN_GRADES)[number];
export const CN_GRADE_LABELS: Record<CnGrade, LocalizedLabel> = {
  general: { 'zh-CN': '一般', 'en-US': 'General' },
  larger: { 'zh-CN': '较大', 'en-US': 'Larger' },
  major: { 'zh-CN': '重大', 'en-US': 'Major' },
  'especially-major': { 'zh-CN': '特别重大', 'en-US': 'Especially major' },
};

/** People whose personal information leaked at or above which each grade applies. */
export const CN_GRADE_THRESHOLDS: readonly { grade: CnGrade; people: number }[] = [
  { grade: 'especially-major', people: 100_000_000 },
  { grade: 'major', people: 10_000_000 },
  { grade: 'larger', people: 1_000_000 },
];

/**
 * The categories PIPL Art. 28 names that an insurer holds (ID numbers under "specific identity",
 * financial accounts, medical health) plus the others of the catalogue marked sensitive.
 */
export type SeverityInput = {
  impact: ImpactRatings;
  /** People affected according to the latest saved scope (null: no scope computed yet). */
  scopeSubjects: number | null;
  scopeVersion: number | null;
  /** The officer's estimate, where the audit log cannot tell (a lost device, a processor's leak). */
  estimatedSubjects: number | null;
  /** Catalogue categories of the sensitive fields exposed, and how many people had any. */
  sensitiveCategories: readonly DataCategory[];
  sensitiveSubjects: number;
  /** Whether an identity document number was among the exposed fields. */
  idNumbersExposed: boolean;
  /**
   * The grade the security officer raised it to, and why: the grading guide also grades by what the audit log
   * cannot count (critical systems, economic loss, social impact). Ignored where the computed grade is as high.
   */
  raisedGrade?: { grade: CnGrade; reason: string } | null;
};

export type SeverityReason = {
  code: string;
  params: Record<string, string | number>;
  text: LocalizedLabel;
};

export type SeverityAssessment = {
  impact: ImpactRatings;
  subjects: { count: number; source: 'scope' | 'estimate' | 'none'; scopeVersion: number | null };
  sensitiveCategories: DataCategory[];
  sensitiveSubjects: number;
  level: SeverityLevel;
  grade: CnGrade;
  gradeLabel: LocalizedLabel;
  levelReasons: SeverityReason[];
  gradeReasons: SeverityReason[];
};

const fmt = (n: number) => n.toLocaleString('en-US');
const atLeast = (a: SeverityLevel, b: SeverityLevel): SeverityLevel =>
  SEVERITY_LEVELS.indexOf(a) >= SEVERITY_LEVELS.indexOf(b) ? a : b;

export function gradeFor(people: number): CnGrade {
  for (const { grade, people: threshold } of CN_GRADE_THRESHOLDS) if (people >= threshold) return grade;
  return 'general';
}

export function assessSeverity(input: SeverityInput): SeverityAssessment {
  const scope = input.scopeSubjects;
  const estimate = input.estimatedSubjects;
  // The larger of what the audit log proves and what the officer estimates: under-grading is the worse error.
  const subjects =
    scope === null && estimate === null
      ? { count: 0, source: 'none' as const, scopeVersion: null }
      : estimate !== null && (scope === null || estimate > scope)
        ? { count: estimate, source: 'estimate' as const, scopeVersion: input.scopeVersion }
        : { count: scope ?? 0, source: 'scope' as const, scopeVersion: input.scopeVersion };

  const levelReasons: SeverityReason[] = [];
  const worst = Math.max(...IMPACT_DIMENSIONS.map((dimension) => input.impact[dimension])) as ImpactRating;
  let level: SeverityLevel = worst >= 4 ? 'critical' : worst === 3 ? 'high' : worst === 2 ? 'medium' : 'low';
  const rated = IMPACT_DIMENSIONS.filter((dimension) => input.impact[dimension] === worst && worst > 0);
  levelReasons.push(
    worst === 0
      ? {
          code: 'impact-none',
          params: {},
          text: { 'zh-CN': '五个影响维度均评为“无”', 'en-US': 'All five impact dimensions are rated none' },
        }
      : {
          code: 'impact-highest',
          params: { rating: worst, dimensions: rated.join(',') },
          text: {
            'zh-CN': `最高影响评级“${RATING_LABELS[worst]['zh-CN']}”：${rated.map((d) => IMPACT_DIMENSION_LABELS[d]['zh-CN']).join('、')}`,
            'en-US': `Highest impact rating "${RATING_LABELS[worst]['en-US']}": ${rated.map((d) => IMPACT_DIMENSION_LABELS[d]['en-US']).join(', ')}`,
          },
        },
  );
  if (input.sensitiveCategories.length > 0) {
    level = atLeast(level, 'high');
    const names = (language: 'zh-CN' | 'en-US') =>
      input.sensitiveCategories
        .map((category) => DATA_CATEGORIES[category][language])
        .join(language === 'zh-CN' ? '、' : ', ');
    levelReasons.push({
      code: 'sensitive-involved',
      params: { categories: input.sensitiveCategories.join(','), subjects: input.sensitiveSubjects },
      text: {
        'zh-CN': `涉及敏感个人信息（《个人信息保护法》第二十八条）：${names('zh-CN')}，${fmt(input.sensitiveSubjects)} 人；至少为“高”`,
        'en-US': `Sensitive personal information is involved (PIPL Art. 28): ${names('en-US')}, ${fmt(input.sensitiveSubjects)} people; at least high`,
      },
    });
  }
  if (input.idNumbersExposed) {
    levelReasons.push({
      code: 'id-numbers-exposed',
      params: {},
      text: {
        'zh-CN': '身份证件号码外泄：存在冒名投保、理赔和开户风险',
        'en-US':
          'Identity document numbers were exposed: risk of impersonation in policies, claims and accounts',
      },
    });
  }
  if (subjects.count >= 1_000_000) {
    level = 'critical';
    levelReasons.push({
      code: 'subjects-million',
      params: { subjects: subjects.count },
      text: {
        'zh-CN': `受影响 ${fmt(subjects.count)} 人，达到 100 万人：危急`,
        'en-US': `${fmt(subjects.count)} people affected, 1,000,000 or more: critical`,
      },
    });
  } else if (subjects.count >= 10_000) {
    level = atLeast(level, 'high');
    levelReasons.push({
      code: 'subjects-ten-thousand',
      params: { subjects: subjects.count },
      text: {
        'zh-CN': `受影响 ${fmt(subjects.count)} 人，达到 1 万人：至少为“高”`,
        'en-US': `${fmt(subjects.count)} people affected, 10,000 or more: at least high`,
      },
    });
  } else if (subjects.count >= 100) {
    level = atLeast(level, 'medium');
    levelReasons.push({
      code: 'subjects-hundred',
      params: { subjects: subjects.count },
      text: {
        'zh-CN': `受影响 ${fmt(subjects.count)} 人，达到 100 人：至少为“中”`,
        'en-US': `${fmt(subjects.count)} people affected, 100 or more: at least medium`,
      },
    });
  }

  const computedGrade = gradeFor(subjects.count);
  const raised =
    input.raisedGrade && CN_GRADES.indexOf(input.raisedGrade.grade) > CN_GRADES.indexOf(computedGrade)
      ? input.raisedGrade
      : null;
  const grade = raised ? raised.grade : computedGrade;
  const gradeReasons: SeverityReason[] = [];
  const source =
    subjects.source === 'scope'
      ? {
          'zh-CN': `依据审计日志计算的影响范围（第 ${subjects.scopeVersion} 版）`,
          'en-US': `from the blast radius computed from the audit log (version ${subjects.scopeVersion})`,
        }
      : subjects.source === 'estimate'
        ? { 'zh-CN': '依据安全官的估计', 'en-US': "from the security officer's estimate" }
        : { 'zh-CN': '尚无影响范围或估计', 'en-US': 'no blast radius or estimate yet' };
  const threshold = CN_GRADE_THRESHOLDS.find((entry) => entry.grade === computedGrade);
  gradeReasons.push({
    code: 'grade-by-people',
    params: { subjects: subjects.count, source: subjects.source, grade: computedGrade },
    text: threshold
      ? {
          'zh-CN': `个人信息泄露 ${fmt(subjects.count)} 人（${source['zh-CN']}），达到 ${fmt(threshold.people)} 人：${CN_GRADE_LABELS[computedGrade]['zh-CN']}`,
          'en-US': `Personal information of ${fmt(subjects.count)} people (${source['en-US']}), at least ${fmt(threshold.people)}: ${CN_GRADE_LABELS[computedGrade]['en-US']}`,
        }
      : {
          'zh-CN': `个人信息泄露 ${fmt(subjects.count)} 人（${source['zh-CN']}），低于 1,000,000 人：一般`,
          'en-US': `Personal information of ${fmt(subjects.count)} people (${source['en-US']}), under 1,000,000: General`,
        },
  });
  if (raised) {
    gradeReasons.push({
      code: 'grade-raised',
      params: { grade: raised.grade, computed: computedGrade },
      text: {
        'zh-CN': `安全官将分级提高为“${CN_GRADE_LABELS[raised.grade]['zh-CN']}”（按人数为“${CN_GRADE_LABELS[computedGrade]['zh-CN']}”）：${raised.reason}`,
        'en-US': `Raised to ${CN_GRADE_LABELS[raised.grade]['en-US']} by the security officer (${CN_GRADE_LABELS[computedGrade]['en-US']} by people affected): ${raised.reason}`,
      },
    });
  }
  const next = raised
    ? undefined
    : [...CN_GRADE_THRESHOLDS].reverse().find((entry) => entry.people > subjects.count);
  if (next) {
    gradeReasons.push({
      code: 'next-grade',
      params: { people: next.people, grade: next.grade },
      text: {
        'zh-CN': `达到 ${fmt(next.people)} 人将升为“${CN_GRADE_LABELS[next.grade]['zh-CN']}”`,
        'en-US': `Reaching ${fmt(next.people)} people would raise it to ${CN_GRADE_LABELS[next.grade]['en-US']}`,
      },
    });
  }
  return {
    impact: { ...input.impact },
    subjects,
    sensitiveCategories: [...input.sensitiveCategories],
    sensitiveSubjects: input.sensitiveSubjects,
    level,
    grade,
    gradeLabel: CN_GRADE_LABELS[grade],
    levelReasons,
    gradeReasons,
  };
}

export function isImpactRatings(value: unknown): value is ImpactRatings {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return IMPACT_DIMENSIONS.every(
    (dimension) =>
      typeof record[dimension] === 'number' &&
      Number.isInteger(record[dimension]) &&
      (record[dimension] as number) >= 0 &&
      (record[dimension] as number) <= 4,
  );
}
