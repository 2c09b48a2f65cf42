import type { AppLanguage } from '../../i18n/app-language';
import {
  type ClaimDetail,
  type ClaimState,
  CUSTOMER_FIELDS,
  MAIN_PATH,
  type Maskable,
  type TimelineEntry,
} from './claims-api';

/** Tag colours: the main path in cool colours, decisions in warm ones, endings in green, red or grey. */
export const STATE_COLOURS: Record<ClaimState, string> = {
  reported: 'blue',
  registered: 'geekblue',
  surveying: 'cyan',
  assessing: 'purple',
  adjusting: 'magenta',
  approving: 'orange',
  paying: 'gold',
  closed: 'green',
  rejected: 'red',
  withdrawn: 'default',
  reopened: 'volcano',
};

export type LifecycleProgress = {
  /** Index into {@link MAIN_PATH} of the step to highlight. */
  current: number;
  /** antd Steps status of that step. */
  status: 'process' | 'finish' | 'error' | 'wait';
  /** Set when the claim has left the main path (拒赔, 撤案, 重开): the state to name beside the steps. */
  offPath?: ClaimState;
};

function mainIndexOf(state: string | null | undefined): number {
  return (MAIN_PATH as readonly string[]).indexOf(state ?? '');
}

/**
 * Where a claim stands on the main path: its own step while on it (a closed claim has finished it); after
 * a rejection or withdrawal, the last main step it reached marked as an error; when reopened, that step
 * waiting again.
 */
export function lifecycleProgress(state: ClaimState, timeline: readonly TimelineEntry[]): LifecycleProgress {
  const index = mainIndexOf(state);
  if (index >= 0) return { current: index, status: state === 'closed' ? 'finish' : 'process' };
  let reached = 0;
  for (const entry of timeline) {
    const step = mainIndexOf(entry.to);
    if (step >= 0) reached = step;
  }
  return { current: reached, status: state === 'reopened' ? 'wait' : 'error', offPath: state };
}

/** An amount such as "1234.50" in the interface language and the policy's currency: "¥1,234.50". */
export function formatAmount(
  amount: string | null | undefined,
  language: AppLanguage,
  currency = 'CNY',
): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  try {
    return new Intl.NumberFormat(language, { style: 'currency', currency }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

function preferUnmasked(current: Maskable | undefined, revealed: Maskable | undefined): Maskable | undefined {
  return revealed && !revealed.masked ? revealed : current;
}

/**
 * The claim as loaded, with every value an earlier reveal showed unmasked kept unmasked: a reload after a
 * transition or a new note answers masked again, and the person should not lose what they chose to see.
 */
export function withRevealed(detail: ClaimDetail, revealed: ClaimDetail | null): ClaimDetail {
  if (!revealed || revealed.id !== detail.id) return detail;
  const fields = { ...detail.claimant.fields };
  for (const field of CUSTOMER_FIELDS) {
    const value = preferUnmasked(fields[field], revealed.claimant.fields[field]);
    if (value !== undefined) fields[field] = value;
  }
  const revealedNotes = new Map(revealed.notes.map((note) => [note.id, note.body]));
  return {
    ...detail,
    claimant: { ...detail.claimant, fields },
    description: preferUnmasked(detail.description, revealed.description) ?? null,
    incidentLocation: preferUnmasked(detail.incidentLocation, revealed.incidentLocation) ?? null,
    notes: detail.notes.map((note) => ({
      ...note,
      body: preferUnmasked(note.body, revealedNotes.get(note.id)) ?? null,
    })),
  };
}

/** The unmasked values of a reveal merged into what was revealed before (a second reveal adds fields). */
export function mergeReveals(before: ClaimDetail | null, after: ClaimDetail): ClaimDetail {
  return before ? withRevealed(after, before) : after;
}

/** "2.4 MB", "512 KB", "80 B". */
export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** A calendar date (`YYYY-MM-DD`) in the interface language, read as that day wherever the browser is. */
export function formatIsoDate(date: string | null | undefined, language: AppLanguage): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  if (!match) return date ?? '';
  const local = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(local);
}
