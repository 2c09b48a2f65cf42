import { apiGet } from '../../api/api-client';
import { portalRequest } from '../portal/portal-api';

/** Compensation claims for a data leak (issue 5 section 8): the portal form and the incident page's counts. */
export type CompensationForm = {
  incidentReference: string;
  isDrill: boolean;
  headline: Record<'zh-CN' | 'en-US', string>;
  categories: string[];
  categoryNames: Record<'zh-CN' | 'en-US', string[]>;
  policies: { number: string; productLine: string; startsOn: string; endsOn: string }[];
  claims: { id: string; number: string; state: string; reportedAt: string }[];
};

export type CompensationCounts = {
  incidentReference: string;
  total: number;
  byState: { state: string; count: number }[];
};

export const compensationApi = {
  form: (reference: string) =>
    portalRequest<CompensationForm>('GET', `/compensation/${encodeURIComponent(reference)}`),
  file: (
    reference: string,
    body: { description: string; amountClaimed?: string | null; policyNumber?: string },
  ) =>
    portalRequest<{ id: string; number: string }>(
      'POST',
      `/compensation/${encodeURIComponent(reference)}`,
      body,
    ),
  counts: (incidentId: string) =>
    apiGet<CompensationCounts>(`/api/v1/incidents/${encodeURIComponent(incidentId)}/compensation-claims`),
};
