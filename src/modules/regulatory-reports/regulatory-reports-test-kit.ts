import { DomainError } from '../../errors/domain-error.js';
import type { IncidentFacts, IncidentFactsSource } from './incident-facts.js';

/**
 * Realistic incident facts for the reports' tests: an insider at a claims branch bulk-read customers at
 * night and touched a honeytoken; the blast radius found 1,234,567 people (relatively major under the
 * CAC's grading), identity and financial-account data among them.
 */
export function insiderLeakFacts(overrides: Partial<IncidentFacts> = {}): IncidentFacts {
  const detectedAt = new Date('2026-11-20T14:05:00Z');
  return {
    incidentId: 'inc-2026-0007',
    reference: 'INC-2026-0007',
    title: '理赔专员夜间批量查询客户信息并触碰蜜罐',
    kind: 'insider-misuse',
    isDrill: false,
    detectedAt,
    declaredAt: new Date('2026-11-20T14:35:00Z'),
    containedAt: new Date('2026-11-20T15:10:00Z'),
    closedAt: null,
    severity: {
      grade: 'major',
      reasons: [
        '涉及 1,234,567 人的个人信息（≥ 100 万人：较大）',
        '含敏感个人信息（身份证件号码、金融账户）',
      ],
      dimensions: {
        confidentiality: 'high',
        integrity: 'low',
        availability: 'none',
        legal: 'high',
        reputation: 'high',
      },
    },
    affectedSubjects: 1_234_567,
    byCategory: [
      { category: 'identity', sensitivity: 'sensitive', subjects: 1_234_567 },
      { category: 'contact', sensitivity: 'general', subjects: 1_100_000 },
      { category: 'financial', sensitivity: 'sensitive', subjects: 87_654 },
    ],
    sensitiveCategories: ['identity', 'financial'],
    involvesCriticalInfrastructure: false,
    crossBorder: false,
    measures: [
      {
        at: new Date('2026-11-20T14:40:00Z'),
        action: '暂停涉事账号并撤销其全部会话',
        by: 'security_officer',
      },
      {
        at: new Date('2026-11-20T15:10:00Z'),
        action: '冻结受影响记录的导出和解除脱敏',
        by: 'security_officer',
      },
    ],
    timeline: [
      { at: detectedAt, what: '蜜罐客户被读取，产生严重告警', by: 'detection' },
      { at: new Date('2026-11-20T14:35:00Z'), what: '宣布安全事件', by: 'security_officer' },
      {
        at: new Date('2026-11-20T14:50:00Z'),
        what: '影响范围计算完成：1,234,567 人',
        by: 'security_officer',
      },
    ],
    ...overrides,
  };
}

/** An incidents module stand-in: facts by incident id, changeable by the test. */
export class FakeIncidentFacts implements IncidentFactsSource {
  readonly incidents = new Map<string, IncidentFacts>();
  reads = 0;

  constructor(...facts: IncidentFacts[]) {
    for (const entry of facts) this.incidents.set(entry.incidentId, entry);
  }

  set(facts: IncidentFacts): void {
    this.incidents.set(facts.incidentId, facts);
  }

  async incidentFacts(_db: unknown, incidentId: string): Promise<IncidentFacts> {
    this.reads++;
    const facts = this.incidents.get(incidentId);
    if (!facts) throw new DomainError('not-found', 'No such incident.');
    return structuredClone(facts);
  }
}
