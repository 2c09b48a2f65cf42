import { DomainError } from '../../errors/domain-error.js';
import type { BreachNoticeSources } from '../breach-notices/affected-subjects.js';
import type { IncidentsService } from './incidents.service.js';

/**
 * The incidents module's answer to the breach-notices module (S4.2): who is affected (the incident's current
 * blast-radius scope, in subject-id order, with the catalogue categories of each one's exposed fields) and
 * what the incident is called. A scope widened while a campaign is sending adds its new subjects to the pages
 * not yet sent; subjects sorting before the campaign's cursor are picked up by a new campaign (docs/incidents.md).
 */
export function breachNoticeSourcesOf(
  incidents: Pick<IncidentsService, 'affectedSubjects' | 'affectedCount' | 'affectedSubject' | 'incident'>,
): BreachNoticeSources {
  return {
    affected: {
      async affectedSubjects(db, incidentId, after, limit) {
        const page = await incidents.affectedSubjects(db, incidentId, { after, limit });
        return page.items.map((item) => ({ subjectId: item.subjectId, categories: item.categories }));
      },
      countAffectedSubjects: (db, incidentId) => incidents.affectedCount(db, incidentId),
      async affectedSubject(db, incidentId, subjectId) {
        const item = await incidents.affectedSubject(db, incidentId, subjectId);
        return item ? { subjectId: item.subjectId, categories: item.categories } : null;
      },
    },
    incidents: {
      async incidentSummary(db, incidentId) {
        try {
          const incident = await incidents.incident(db, incidentId);
          return {
            reference: incident.reference,
            title: incident.title,
            isDrill: incident.is_drill,
            status: incident.state,
          };
        } catch (error) {
          if (error instanceof DomainError && error.code === 'not-found') return null;
          throw error;
        }
      },
    },
  };
}
