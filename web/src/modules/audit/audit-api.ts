import { apiDownload, apiGet, apiPost } from '../../api/api-client';
import type { InclusionProof } from './verify-inclusion';

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;

export type AuditEventRecord = {
  seq: number;
  leafHash: string;
  event: {
    v: number;
    seq: number;
    ts: string;
    actor: {
      type: string;
      id: string | null;
      role: string | null;
      sessionId: string | null;
      ip: string | null;
      userAgent: string | null;
    };
    action: string;
    resource: { type: string; id: string | null };
    dataSubjectId: string | null;
    fields: string[];
    purpose: string | null;
    outcome: string;
    requestId: string | null;
    details: Record<string, string | number | boolean | null>;
  };
};

export type AuditPage = { items: AuditEventRecord[]; nextCursor: number | null };

export type AuditVerifyReport = {
  intact: boolean;
  events: number;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  checkpointFilesChecked: number;
  latestVerifiedCheckpointSize: number | null;
  problems: {
    kind: string;
    fromSeq: number | null;
    toSeq: number | null;
    checkpoint: { id: number | null; file: string | null; size: number } | null;
    message: string;
  }[];
  problemsTruncated: boolean;
  durationMs: number;
};

export type InclusionProofAnswer = InclusionProof & { checkpoint: string | null };

/** The filters the search and the export share; empty ones are left out of the query. */
export type AuditFilter = {
  action?: string;
  actorId?: string;
  dataSubjectId?: string;
  resourceType?: string;
  outcome?: string;
  from?: string;
  to?: string;
};

export function auditQueryString(filter: AuditFilter, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    const text = typeof value === 'number' ? String(value) : value?.trim();
    if (text) params.set(key, text);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

export const AUDIT_PAGE_SIZE = 50;

export const fetchAuditEvents = (filter: AuditFilter, after: number | undefined, signal?: AbortSignal) =>
  apiGet<AuditPage>(
    `/api/v1/audit/events${auditQueryString(filter, { limit: AUDIT_PAGE_SIZE, ...(after === undefined ? {} : { after }) })}`,
    { signal },
  );

export const verifyAuditLog = () => apiPost<AuditVerifyReport>('/api/v1/audit/verify');

export const fetchInclusionProof = (seq: number) =>
  apiGet<InclusionProofAnswer>(`/api/v1/audit/events/${seq}/inclusion-proof`);

/** The matching events as JSONL (a bulk export: the server asks for a fresh second factor first). */
export async function exportAuditLog(filter: AuditFilter): Promise<{ blob: Blob; fileName: string }> {
  const { blob, fileName } = await apiDownload(`/api/v1/audit/export${auditQueryString(filter)}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return { blob, fileName: fileName ?? `claimguard-audit-${stamp}.jsonl` };
}

/** Saves a blob as a file through a temporary object URL. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
