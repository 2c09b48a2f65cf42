import { queryOptions } from '@tanstack/react-query';
import { apiGet, apiPatch, apiPost } from '../../api/api-client';
import type { StaffRole } from '../auth/auth-api';

/** The detection API (S2.3, S13.4, S13.5) as the console uses it. */
export const RULE_IDS = [
  'bulk-access',
  'baseline-deviation',
  'off-hours',
  'repeated-denials',
  'unmask-spike',
  'export-spike',
  'dormant-account',
  'failed-login-burst',
  'new-network',
  'privilege-change',
  'honeytoken',
] as const;
export type RuleId = (typeof RULE_IDS)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALERT_STATUSES = ['open', 'acknowledged', 'dismissed', 'escalated'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export type ThresholdValue = number | string | boolean | number[] | Record<string, number>;

export type DetectionRule = {
  id: RuleId;
  enabled: boolean;
  severity: Severity;
  windowMinutes: number;
  roles: StaffRole[];
  thresholds: Record<string, ThresholdValue>;
  updatedAt: string | null;
  updatedBy: string | null;
};

export type RuleChange = Partial<
  Pick<DetectionRule, 'enabled' | 'severity' | 'windowMinutes' | 'roles' | 'thresholds'>
>;

export type DetectionAlert = {
  id: string;
  ruleId: RuleId;
  severity: Severity;
  status: AlertStatus;
  actor: { type: string | null; id: string | null; role: string | null };
  windowStart: string;
  firstSeq: number;
  lastSeq: number;
  firstEventAt: string;
  lastEventAt: string;
  evidenceSeqs: number[];
  hitCount: number;
  details: Record<string, string | number | boolean | null>;
  honeytokenId: string | null;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  dismissedAt: string | null;
  dismissedBy: string | null;
  dismissReason: string | null;
  escalatedAt: string | null;
  escalatedBy: string | null;
  incidentId: string | null;
};

export type EvidenceEvent = {
  seq: number;
  at: string;
  actor: { type: string; id: string | null; role: string | null; ip: string | null };
  action: string;
  resource: { type: string; id: string | null };
  dataSubjectId: string | null;
  fields: string[];
  purpose: string | null;
  outcome: string;
  details: Record<string, string | number | boolean | null>;
};

export type AlertDetail = DetectionAlert & { evidence: EvidenceEvent[] };

export type AlertFilter = {
  status?: AlertStatus[];
  severity?: Severity[];
  ruleId?: RuleId;
  actorId?: string;
};

export type RiskSummary = {
  generatedAt: string;
  hours: number;
  volume: { hour: string; accesses: number; denials: number }[];
  alertsByRule: { ruleId: RuleId; severity: Severity; count: number }[];
  alertsBySeverity: { severity: Severity; count: number }[];
  openAlerts: number;
  riskiestUsers: {
    actorId: string;
    role: string | null;
    score: number;
    alerts: number;
    critical: number;
    lastAlertAt: string;
  }[];
  earlyWarnings: {
    actorId: string;
    role: string | null;
    gauge: 'bulk-access' | 'unmask-spike' | 'repeated-denials';
    value: number;
    limit: number;
    ratio: number;
  }[];
  engine: { evaluatedUpTo: number; logHead: number; lag: number };
};

export type Honeytoken = {
  id: string;
  kind: 'customer' | 'claim';
  subjectId: string;
  claimId: string | null;
  claimNumber: string | null;
  recipient:
    | { kind: 'none' }
    | { kind: 'staff'; userId: string }
    | { kind: 'external'; label: string; partyKind: string | null };
  plantedBy: string;
  plantedAt: string;
  note: string | null;
  alerts: number;
  lastTouchAt: string | null;
};

export type PlantedHoneytoken = Honeytoken & {
  decoy: { name: string; idNumber: string; phone: string; email: string; address: string };
};

export type PlantRequest = {
  kind: 'customer' | 'claim';
  recipient: Honeytoken['recipient'] & { partyKind?: string };
  productLine?: string;
  branch?: string | null;
  note?: string | null;
};

export type LookupMatch = {
  honeytoken: Honeytoken;
  matchedOn: 'claim-number' | 'phone' | 'id-number' | 'email';
};

/** The query string of an alert list; the values are ids and codes, never personal data. */
export function alertQueryString(filter: AlertFilter, page: { limit: number; offset: number }): string {
  const params = new URLSearchParams();
  if (filter.status?.length) params.set('status', filter.status.join(','));
  if (filter.severity?.length) params.set('severity', filter.severity.join(','));
  if (filter.ruleId) params.set('ruleId', filter.ruleId);
  if (filter.actorId) params.set('actorId', filter.actorId);
  params.set('limit', String(page.limit));
  params.set('offset', String(page.offset));
  return params.toString();
}

export const detectionKeys = {
  all: ['detection'] as const,
  alerts: (filter: AlertFilter, page: { limit: number; offset: number }) =>
    ['detection', 'alerts', filter, page] as const,
  alert: (id: string) => ['detection', 'alert', id] as const,
  rules: ['detection', 'rules'] as const,
  risk: (hours: number) => ['detection', 'risk', hours] as const,
  honeytokens: ['detection', 'honeytokens'] as const,
};

export const alertsQueryOptions = (filter: AlertFilter, page: { limit: number; offset: number }) =>
  queryOptions({
    queryKey: detectionKeys.alerts(filter, page),
    queryFn: ({ signal }) =>
      apiGet<{ items: DetectionAlert[]; total: number }>(
        `/api/v1/detection/alerts?${alertQueryString(filter, page)}`,
        {
          signal,
        },
      ),
    // New alerts appear without a reload: the engine raises them within a second of the access, and the
    // open list asks each second (one indexed query; TanStack pauses it while the tab is hidden).
    refetchInterval: 1_000,
  });

export const alertQueryOptions = (id: string) =>
  queryOptions({
    queryKey: detectionKeys.alert(id),
    queryFn: ({ signal }) =>
      apiGet<AlertDetail>(`/api/v1/detection/alerts/${encodeURIComponent(id)}`, { signal }),
  });

export const rulesQueryOptions = queryOptions({
  queryKey: detectionKeys.rules,
  queryFn: ({ signal }) => apiGet<{ items: DetectionRule[] }>('/api/v1/detection/rules', { signal }),
});

export const riskQueryOptions = (hours: number) =>
  queryOptions({
    queryKey: detectionKeys.risk(hours),
    queryFn: ({ signal }) => apiGet<RiskSummary>(`/api/v1/detection/risk?hours=${hours}`, { signal }),
    refetchInterval: 10_000,
  });

export const honeytokensQueryOptions = queryOptions({
  queryKey: detectionKeys.honeytokens,
  queryFn: ({ signal }) => apiGet<{ items: Honeytoken[] }>('/api/v1/detection/honeytokens', { signal }),
});

export const acknowledgeAlert = (id: string) =>
  apiPost<DetectionAlert>(`/api/v1/detection/alerts/${encodeURIComponent(id)}/acknowledge`);
export const dismissAlert = (id: string, reason: string) =>
  apiPost<DetectionAlert>(`/api/v1/detection/alerts/${encodeURIComponent(id)}/dismiss`, { reason });
export const assignAlert = (id: string, assigneeId: string | null) =>
  apiPost<DetectionAlert>(`/api/v1/detection/alerts/${encodeURIComponent(id)}/assign`, { assigneeId });
export const updateRule = (id: RuleId, change: RuleChange) =>
  apiPatch<DetectionRule>(`/api/v1/detection/rules/${encodeURIComponent(id)}`, change);
export const plantHoneytoken = (request: PlantRequest) =>
  apiPost<PlantedHoneytoken>('/api/v1/detection/honeytokens', request);
export const lookupHoneytoken = (value: string) =>
  apiPost<{ items: LookupMatch[] }>('/api/v1/detection/honeytokens/lookup', { value });
