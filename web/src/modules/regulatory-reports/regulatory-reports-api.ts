import { queryOptions } from '@tanstack/react-query';
import { apiDownload, apiGet, apiPatch, apiPost, apiRequest } from '../../api/api-client';

/**
 * Reports to regulators (S4.4): the console's view of `/api/v1/regulatory-reports`. Types mirror the
 * server's response schemas (`regulatory-reports.schema.ts`).
 */

export type Localized = { 'zh-CN': string; 'en-US': string };
export type ReportKind = 'initial' | 'update' | 'summary';
export type ReportStatus = 'draft' | 'ready' | 'submitted' | 'waived';
export type DeadlineState = 'none' | 'open' | 'approaching' | 'missed' | 'met' | 'late';
export type ExportFormat = 'pdf' | 'docx' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['pdf', 'docx', 'json'];

export type ReportItem = {
  id: string;
  label: Localized;
  citation: string;
  person: 'none' | 'optional' | 'required';
  facts: string[];
  text: string | null;
};

export type RegulatoryReport = {
  id: string;
  incidentId: string;
  incidentReference: string;
  regimeId: string;
  regimeVersion: number;
  regimeName: Localized;
  regimeShortName: Localized;
  kind: ReportKind;
  parentId: string | null;
  sequence: number;
  language: 'zh-CN' | 'en-US';
  isDrill: boolean;
  status: ReportStatus;
  recipients: Localized[];
  updatesAllowed: boolean;
  deadline: {
    startsAt: string | null;
    dueAt: string | null;
    hours: number | null;
    toBeConfirmed: boolean;
    state: DeadlineState;
    note: Localized | null;
  };
  items: ReportItem[];
  missing: string[];
  waivedReason: string | null;
  submission: { at: string; by: string | null; channel: string; reference: string | null } | null;
  factsAt: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

export type ReportList = { items: RegulatoryReport[]; serverTime: string; warnFraction: number };

export type Condition = { kind: string; [key: string]: unknown };
export type DeadlineAnchor = 'detected' | 'declared' | 'aware' | 'closed' | 'requested';
export type DeadlineRule = {
  hours: number | null;
  from: DeadlineAnchor;
  overrides: { when: Condition; hours: number }[];
  toBeConfirmed: boolean;
  note: Localized | null;
};
export type RegimeDefinition = {
  name: Localized;
  shortName: Localized;
  jurisdiction: string;
  language: 'zh-CN' | 'en-US';
  recipients: { kind: string; name: Localized; when: Condition | null }[];
  trigger: { all: Condition[]; any: Condition[] };
  initial: DeadlineRule;
  update: DeadlineRule | null;
  summary: DeadlineRule | null;
  contents: {
    id: string;
    label: Localized;
    citation: string;
    facts: string[];
    person: string;
    kinds: ReportKind[];
  }[];
  sources: { citation: string; url: string | null }[];
  notes: Localized | null;
};
export type Regime = {
  id: string;
  version: number;
  enabled: boolean;
  builtin: boolean;
  definition: RegimeDefinition;
  updatedAt: string;
  updatedBy: string | null;
};

const BASE = '/api/v1/regulatory-reports';
const incidentBase = (incidentId: string) => `${BASE}/incidents/${encodeURIComponent(incidentId)}`;
const reportBase = (id: string) => `${BASE}/reports/${encodeURIComponent(id)}`;

export const incidentReportsQueryKey = (incidentId: string) =>
  ['regulatory-reports', 'incident', incidentId] as const;

export const incidentReportsQueryOptions = (incidentId: string) =>
  queryOptions({
    queryKey: incidentReportsQueryKey(incidentId),
    queryFn: () => apiGet<ReportList>(`${incidentBase(incidentId)}/reports`),
    // Deadlines move: refresh now and then (the countdown itself ticks locally every second).
    refetchInterval: 60_000,
  });

export const reportQueryOptions = (id: string) =>
  queryOptions({
    queryKey: ['regulatory-reports', 'report', id] as const,
    queryFn: () => apiGet<RegulatoryReport>(reportBase(id)),
  });

export const regimesQueryKey = ['regulatory-reports', 'regimes'] as const;

export const regimesQueryOptions = () =>
  queryOptions({ queryKey: regimesQueryKey, queryFn: () => apiGet<{ items: Regime[] }>(`${BASE}/regimes`) });

export function assessIncident(incidentId: string): Promise<{ opened: string[] }> {
  return apiPost(`${incidentBase(incidentId)}/assessment`);
}

export function updateReport(
  id: string,
  body: {
    expectedVersion: number;
    fields?: Record<string, string>;
    status?: 'draft' | 'ready';
    refreshFacts?: boolean;
  },
): Promise<RegulatoryReport> {
  return apiPatch(reportBase(id), body);
}

export function waiveReport(
  id: string,
  body: { expectedVersion: number; reason: string },
): Promise<RegulatoryReport> {
  return apiPost(`${reportBase(id)}/waiver`, body);
}

export function openUpdate(id: string): Promise<RegulatoryReport> {
  return apiPost(`${reportBase(id)}/updates`);
}

export function recordSubmission(
  id: string,
  body: { expectedVersion: number; submittedAt: string; channel: string; reference: string | null },
): Promise<RegulatoryReport> {
  return apiPost(`${reportBase(id)}/submission`, body);
}

export function downloadReport(id: string, format: ExportFormat) {
  return apiDownload(`${reportBase(id)}/export?format=${format}`);
}

export function updateRegime(
  id: string,
  body: { definition: RegimeDefinition; enabled: boolean; expectedVersion: number },
): Promise<Regime> {
  return apiRequest('PUT', `${BASE}/regimes/${encodeURIComponent(id)}`, body);
}
