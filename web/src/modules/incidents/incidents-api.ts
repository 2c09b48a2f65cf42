import { queryOptions } from '@tanstack/react-query';
import { apiDownload, apiGet, apiPatch, apiPost, apiRequest } from '../../api/api-client';

/** The incidents API (server: src/modules/incidents). Subjects are ids; names come masked. */
export const INCIDENT_KINDS = [
  'insider-misuse',
  'stolen-credentials',
  'external-intrusion',
  'misdirected-documents',
  'processor-leak',
  'lost-device',
  'ransomware',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const INCIDENT_STATES = [
  'declared',
  'investigating',
  'contained',
  'notifying',
  'remediating',
  'closed',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const IMPACT_DIMENSIONS = [
  'privacy-harm',
  'loss-of-trust',
  'legal-liability',
  'competitor-exploitation',
  'social-impact',
] as const;
export type ImpactDimension = (typeof IMPACT_DIMENSIONS)[number];
export type ImpactRating = 0 | 1 | 2 | 3 | 4;
export type Impact = Record<ImpactDimension, ImpactRating>;

export const CONTAINMENT_KINDS = [
  'suspend-user',
  'revoke-sessions',
  'revoke-api-tokens',
  'freeze-records',
  'block-exports',
  'rotate-keys',
  'hold-changes',
] as const;
export type ContainmentKind = (typeof CONTAINMENT_KINDS)[number];

export type SeverityLevel = 'low' | 'medium' | 'high' | 'critical';
export type CnGrade = 'general' | 'larger' | 'major' | 'especially-major';
export type Label = { 'zh-CN': string; 'en-US': string };
export type Reason = { code: string; params: Record<string, string | number>; text: Label };

export type IncidentSummary = {
  id: string;
  reference: string;
  title: string;
  kind: IncidentKind;
  isDrill: boolean;
  state: IncidentState;
  declaredAt: string;
  detectedAt: string;
  containedAt: string | null;
  closedAt: string | null;
  notification: {
    decision: 'undecided' | 'notify' | 'not-required';
    reasons: string;
    decidedBy: string | null;
    decidedAt: string | null;
  };
  severity: { level: SeverityLevel; grade: CnGrade; subjects: number };
};

export type IncidentTask = {
  id: string;
  source: 'playbook' | 'remedial' | 'regulator' | 'follow-up';
  stepKey: string | null;
  title: Label;
  ownerRole: string;
  ownerId: string | null;
  dueAt: string | null;
  state: 'open' | 'done' | 'cancelled';
  evidence: string;
  doneBy: string | null;
  doneAt: string | null;
  overdue: boolean;
};

type Details = Record<string, string | number | boolean | null>;

export type ContainmentAction = {
  id: string;
  kind: ContainmentKind;
  target: Details;
  result: Details;
  simulated: boolean;
  reversible: boolean;
  state: 'active' | 'done' | 'reversal-requested' | 'reversed';
  takenBy: string;
  takenAt: string;
  reversalRequestedBy: string | null;
  reversalRequestedAt: string | null;
  reversalReason: string | null;
  reversedBy: string | null;
  reversedAt: string | null;
};

export type IncidentDetail = IncidentSummary & {
  summary: string;
  sourceAlertId: string | null;
  declaredBy: string;
  startedAt: string | null;
  impact: Impact;
  estimatedSubjects: number | null;
  raisedGrade: { grade: CnGrade; reason: string } | null;
  playbookVersion: number;
  version: number;
  assessment: {
    impact: Impact;
    subjects: { count: number; source: 'scope' | 'estimate' | 'none'; scopeVersion: number | null };
    sensitiveCategories: string[];
    sensitiveSubjects: number;
    level: SeverityLevel;
    grade: CnGrade;
    gradeLabel: Label;
    levelReasons: Reason[];
    gradeReasons: Reason[];
  };
  tasks: IncidentTask[];
  containment: ContainmentAction[];
  scopes: { version: number; subjects: number; events: number; createdAt: string; createdBy: string }[];
  review: {
    cause: string;
    whatWorked: string;
    lessons: string;
    followUps: { title: string; ownerRole: string; dueAt: string | null }[];
    recordedBy: string;
    recordedAt: string;
  } | null;
  allowedTransitions: { to: IncidentState; blockers: string[] }[];
};

export type ScopeCriteria = {
  userIds: string[];
  apiTokenIds: string[];
  sessionIds: string[];
  ipAddresses: string[];
  resources: { type: string; id: string }[];
  from: string;
  to: string;
};

export type Scope = {
  version: number;
  criteria: ScopeCriteria;
  summary: {
    subjects: number;
    events: number;
    unmaskedSubjects: number;
    sensitiveSubjects: number;
    bySensitivity: { sensitive: number; other: number };
    byCategory: { category: string; subjects: number }[];
    byField: {
      field: string;
      category: string;
      sensitive: boolean;
      subjects: number;
      unmaskedSubjects: number;
    }[];
    sensitiveCategories: string[];
    idNumbersExposed: boolean;
    firstExposureAt: string | null;
    lastExposureAt: string | null;
    decoySubjects?: number;
  };
  subjects: number;
  events: number;
  computedMs: number;
  createdBy: string;
  createdAt: string;
};

export type AffectedSubject = {
  subjectId: string;
  maskedName: string | null;
  fields: string[];
  unmaskedFields: string[];
  categories: string[];
  sensitive: boolean;
  events: number;
  firstAt: string;
  lastAt: string;
};

export type TimelineEntry = {
  id: number;
  at: string;
  actor: { type: string; id: string | null; role: string | null };
  entry: string;
  details: Details;
};

const base = (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}`;
export const incidentsKey = ['incidents'] as const;
export const incidentKey = (id: string) => ['incidents', id] as const;

export const registerQueryOptions = (filter: { state?: IncidentState; drill?: boolean }) =>
  queryOptions({
    queryKey: ['incidents', 'register', filter] as const,
    queryFn: ({ signal }) => {
      const query = new URLSearchParams({ limit: '200' });
      if (filter.state) query.set('state', filter.state);
      if (filter.drill !== undefined) query.set('drill', String(filter.drill));
      return apiGet<{ items: IncidentSummary[]; total: number }>(`/api/v1/incidents?${query}`, { signal });
    },
  });

export const incidentQueryOptions = (id: string) =>
  queryOptions({
    queryKey: incidentKey(id),
    queryFn: ({ signal }) => apiGet<IncidentDetail>(base(id), { signal }),
  });

export const timelineQueryOptions = (id: string) =>
  queryOptions({
    queryKey: [...incidentKey(id), 'timeline'] as const,
    queryFn: ({ signal }) => apiGet<{ items: TimelineEntry[] }>(`${base(id)}/timeline`, { signal }),
  });

export const scopeQueryOptions = (id: string, version: number) =>
  queryOptions({
    queryKey: [...incidentKey(id), 'scope', version] as const,
    queryFn: ({ signal }) => apiGet<Scope>(`${base(id)}/scopes/${version}`, { signal }),
  });

export const subjectsQueryOptions = (id: string, version: number, after: string | null) =>
  queryOptions({
    queryKey: [...incidentKey(id), 'scope', version, 'subjects', after] as const,
    queryFn: ({ signal }) =>
      apiGet<{ items: AffectedSubject[]; nextCursor: string | null }>(
        `${base(id)}/scopes/${version}/subjects?limit=20${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        { signal },
      ),
  });

export type NewIncident = {
  title: string;
  kind: IncidentKind;
  isDrill: boolean;
  summary?: string;
  impact?: Impact;
  estimatedSubjects?: number | null;
  /** Declared from a detection alert: the alert, when it was detected and when the activity began. */
  sourceAlertId?: string;
  detectedAt?: string;
  startedAt?: string;
};

export const declareIncident = (input: NewIncident) => apiPost<IncidentDetail>('/api/v1/incidents', input);
export const updateIncident = (
  id: string,
  changes: {
    impact?: Impact;
    estimatedSubjects?: number | null;
    raisedGrade?: { grade: CnGrade; reason: string } | null;
    summary?: string;
    version: number;
  },
) => apiPatch<IncidentDetail>(base(id), changes);
export const moveIncident = (id: string, move: { to: IncidentState; reason?: string; version: number }) =>
  apiPost<IncidentDetail>(`${base(id)}/transitions`, move);
export const decideNotification = (
  id: string,
  input: { decision: 'notify' | 'not-required'; reasons: string },
) => apiRequest<IncidentDetail>('PUT', `${base(id)}/notification-decision`, input);
export const computeScope = (id: string, criteria: ScopeCriteria) =>
  apiPost<Scope>(`${base(id)}/scopes`, criteria);
export const takeContainment = (
  id: string,
  input: { kind: ContainmentKind; userId?: string | null; scopeVersion?: number | null },
) => apiPost<ContainmentAction>(`${base(id)}/containment`, input);
export const requestReversal = (id: string, actionId: string, reason: string) =>
  apiPost<ContainmentAction>(`${base(id)}/containment/${encodeURIComponent(actionId)}/reversal`, { reason });
export const approveReversal = (id: string, actionId: string) =>
  apiPost<ContainmentAction>(`${base(id)}/containment/${encodeURIComponent(actionId)}/reversal/approval`);
export const rejectReversal = (id: string, actionId: string) =>
  apiPost<ContainmentAction>(`${base(id)}/containment/${encodeURIComponent(actionId)}/reversal/rejection`);
export const updateTask = (
  id: string,
  taskId: string,
  changes: { state?: IncidentTask['state']; evidence?: string },
) => apiPatch<IncidentTask>(`${base(id)}/tasks/${encodeURIComponent(taskId)}`, changes);
export const addTask = (
  id: string,
  input: { title: string; source: 'remedial' | 'regulator'; ownerRole: string; dueAt?: string | null },
) => apiPost<IncidentTask>(`${base(id)}/tasks`, input);
export const recordReview = (
  id: string,
  input: {
    cause: string;
    whatWorked: string;
    lessons: string;
    followUps: { title: string; ownerRole: string; dueAt: string | null }[];
  },
) => apiRequest<IncidentDetail>('PUT', `${base(id)}/review`, input);
export const exportScope = (id: string, version: number, password: string) =>
  apiDownload(`${base(id)}/scopes/${version}/export`, { method: 'POST', body: { json: { password } } });
