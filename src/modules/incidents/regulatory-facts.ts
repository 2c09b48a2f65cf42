import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import type {
  IncidentFactsSource,
  IncidentFacts as ReportFacts,
  SeverityGrade,
} from '../regulatory-reports/incident-facts.js';
import type { CnGrade } from './incident-severity.js';
import type { IncidentsService } from './incidents.service.js';

/**
 * The incidents module's answer to the regulatory-reports module's `IncidentFactsSource` (S4.4): the
 * incident's facts in the shape a report is pre-filled from. Counts, categories, codes and staff roles only.
 *
 * What the incident record does not yet carry is answered conservatively and said here: critical
 * information infrastructure and cross-border transfer are `false` (no field for them yet, so the CAC's
 * 1-hour rule and the cross-border triggers are not chosen automatically), and the jurisdictions of the
 * affected subjects are not given (GDPR and NAIC #668 apply only when they are).
 */
const GRADES: Record<CnGrade, SeverityGrade> = {
  general: 'general', // 一般
  larger: 'major', // 较大
  major: 'serious', // 重大
  'especially-major': 'especially-serious', // 特别重大
};

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function regulatoryFactsOf(incidents: Pick<IncidentsService, 'incidentFacts'>): IncidentFactsSource {
  return {
    async incidentFacts(db: Kysely<Database>, incidentId: string): Promise<ReportFacts> {
      const facts = await incidents.incidentFacts(db, incidentId);
      const sensitive = new Set<string>(facts.affected.sensitiveCategories);
      const reason = (text: { 'zh-CN': string; 'en-US': string }) =>
        clip(`${text['zh-CN']} (${text['en-US']})`, 500);
      return {
        incidentId: facts.id,
        reference: facts.reference,
        title: clip(facts.title, 300),
        kind: facts.kind,
        isDrill: facts.isDrill,
        detectedAt: facts.detectedAt,
        declaredAt: facts.declaredAt,
        containedAt: facts.containedAt,
        closedAt: facts.closedAt,
        severity: {
          grade: GRADES[facts.severity.grade],
          reasons: [...facts.severity.gradeReasons, ...facts.severity.reasons]
            .map((item) => reason(item.text))
            .slice(0, 50),
          dimensions: { ...facts.severity.impact, level: facts.severity.level },
        },
        affectedSubjects: facts.affected.total,
        byCategory: facts.affected.byCategory.slice(0, 100).map((item) => ({
          category: item.category,
          sensitivity: sensitive.has(item.category) ? 'sensitive' : 'general',
          subjects: item.subjects,
        })),
        sensitiveCategories: [...sensitive].slice(0, 100),
        involvesCriticalInfrastructure: false,
        crossBorder: false,
        measures: facts.measures.slice(0, 500).map((measure) => ({
          at: measure.takenAt,
          action: clip(
            `${measure.kind}${measure.simulated ? ' (drill: simulated)' : ''}${measure.reversedAt ? ' (reversed)' : ''}`,
            1000,
          ),
          by: clip(measure.takenBy, 200),
        })),
        timeline: facts.timeline.slice(-2000).map((entry) => ({
          at: entry.at,
          what: clip(entry.entry, 1000),
          by: clip(entry.actor.role ?? entry.actor.type, 200),
        })),
      };
    },
  };
}
