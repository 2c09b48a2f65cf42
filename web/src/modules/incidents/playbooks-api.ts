import { queryOptions } from '@tanstack/react-query';
import { apiGet, apiRequest } from '../../api/api-client';
import type { StaffRole } from '../auth/auth-api';
import type { IncidentKind } from './incidents-api';

/**
 * Incident playbooks (S2.5, issue 5 §2 "Playbooks, editable"; server: src/modules/incidents/incident-playbooks.ts).
 * Each save is a new version; version 0 is the shipped one.
 */
export type LocalizedText = { 'zh-CN': string; 'en-US': string };

export type PlaybookStep = {
  key: string;
  title: LocalizedText;
  ownerRole: StaffRole;
  /** Due this many hours after the incident is declared. */
  dueHours: number;
};

export type Playbook = {
  kind: IncidentKind;
  version: number;
  labels: LocalizedText;
  steps: PlaybookStep[];
  updatedBy: string | null;
  updatedAt: string | null;
};

/** What `PUT /incidents/playbooks/:kind` takes. */
export type PlaybookInput = { labels: LocalizedText; steps: PlaybookStep[] };

/** The server's rule for a step id (playbookStepSchema). */
export const STEP_KEY = /^[a-z][a-z0-9-]{0,63}$/;
/** The server's bounds (playbookInputSchema). */
export const MAX_STEPS = 50;
export const MAX_DUE_HOURS = 24 * 365;

export const playbooksKey = ['incidents', 'playbooks'] as const;

export const playbooksQueryOptions = queryOptions({
  queryKey: playbooksKey,
  queryFn: ({ signal }) => apiGet<{ items: Playbook[] }>('/api/v1/incidents/playbooks', { signal }),
});

export const playbookHistoryQueryOptions = (kind: IncidentKind) =>
  queryOptions({
    queryKey: [...playbooksKey, kind, 'versions'] as const,
    queryFn: ({ signal }) =>
      apiGet<{ items: Playbook[] }>(`/api/v1/incidents/playbooks/${encodeURIComponent(kind)}/versions`, {
        signal,
      }),
  });

export const savePlaybook = (kind: IncidentKind, input: PlaybookInput) =>
  apiRequest<Playbook>('PUT', `/api/v1/incidents/playbooks/${encodeURIComponent(kind)}`, input);

/** The editor's starting values: a copy of the playbook's labels and steps. */
export function formOf(playbook: Playbook): PlaybookInput {
  return {
    labels: { ...playbook.labels },
    steps: playbook.steps.map((step) => ({ ...step, title: { ...step.title } })),
  };
}

/** What is sent: texts trimmed, hours as numbers, nothing but the fields the API takes. */
export function inputOf(form: PlaybookInput): PlaybookInput {
  return {
    labels: { 'zh-CN': form.labels['zh-CN'].trim(), 'en-US': form.labels['en-US'].trim() },
    steps: form.steps.map((step) => ({
      key: step.key.trim(),
      title: { 'zh-CN': step.title['zh-CN'].trim(), 'en-US': step.title['en-US'].trim() },
      ownerRole: step.ownerRole,
      dueHours: Number(step.dueHours),
    })),
  };
}

/** Step ids used more than once (the server refuses them). */
export function duplicateKeys(steps: readonly Pick<PlaybookStep, 'key'>[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { key } of steps) {
    const id = (key ?? '').trim();
    if (seen.has(id)) twice.add(id);
    seen.add(id);
  }
  return [...twice];
}

/** A fresh id for a new step: `step-<n>` with the first n not yet used. */
export function nextStepKey(steps: readonly Pick<PlaybookStep, 'key'>[]): string {
  const used = new Set(steps.map((step) => (step.key ?? '').trim()));
  let n = steps.length + 1;
  while (used.has(`step-${n}`)) n++;
  return `step-${n}`;
}

/** Whether the edited playbook says the same as the saved one (then there is nothing to save). */
export function sameAs(playbook: Playbook, form: PlaybookInput): boolean {
  return JSON.stringify(inputOf(formOf(playbook))) === JSON.stringify(inputOf(form));
}
