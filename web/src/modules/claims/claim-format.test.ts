import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  formatBytes,
  formatIsoDate,
  lifecycleProgress,
  mergeReveals,
  withRevealed,
} from './claim-format';
import type { ClaimDetail, TimelineEntry } from './claims-api';

const at = '2026-05-03T06:00:00.000Z';
const step = (from: string | null, to: string): TimelineEntry => ({
  from,
  to,
  actorType: 'staff',
  actorId: null,
  actorRole: 'claims_intake',
  reason: null,
  at,
});

describe('lifecycle progress', () => {
  it('marks the current step of the main path, and a closed claim as finished', () => {
    expect(lifecycleProgress('reported', [])).toEqual({ current: 0, status: 'process' });
    expect(lifecycleProgress('assessing', [])).toEqual({ current: 3, status: 'process' });
    expect(lifecycleProgress('closed', [])).toEqual({ current: 7, status: 'finish' });
  });

  it('marks the last step reached as failed after a rejection, and waiting when reopened', () => {
    const rejected = [step(null, 'reported'), step('reported', 'registered'), step('registered', 'rejected')];
    expect(lifecycleProgress('rejected', rejected)).toEqual({
      current: 1,
      status: 'error',
      offPath: 'rejected',
    });
    expect(lifecycleProgress('reopened', [...rejected, step('rejected', 'reopened')])).toEqual({
      current: 1,
      status: 'wait',
      offPath: 'reopened',
    });
    expect(lifecycleProgress('withdrawn', [])).toMatchObject({ current: 0, status: 'error' });
  });
});

describe('formatting', () => {
  it('formats amounts in the interface language and currency', () => {
    expect(formatAmount('1234.5', 'zh-CN')).toBe('¥1,234.50');
    expect(formatAmount('1234.5', 'en-US')).toBe('CN¥1,234.50');
    expect(formatAmount(null, 'zh-CN')).toBe('');
  });

  it('reads a calendar date as that day in any time zone', () => {
    expect(formatIsoDate('2026-05-03', 'en-US')).toBe('May 3, 2026');
    expect(formatIsoDate('2026-05-03', 'zh-CN')).toBe('2026年5月3日');
  });

  it('formats sizes', () => {
    expect(formatBytes(80)).toBe('80 B');
    expect(formatBytes(512 * 1024)).toBe('512 KB');
    expect(formatBytes(2.4 * 1024 * 1024)).toBe('2.4 MB');
  });
});

function claim(overrides: Partial<ClaimDetail> = {}): ClaimDetail {
  return {
    id: 'c1',
    number: 'CLM-1',
    state: 'reported',
    version: 1,
    productLine: 'motor',
    branch: 'beijing',
    channel: 'phone',
    incidentDate: '2026-05-01',
    amountClaimed: null,
    verification: 'pending',
    assigneeId: null,
    surveyorId: null,
    reportedAt: at,
    updatedAt: at,
    policy: {
      id: 'p1',
      number: 'P1',
      productLine: 'motor',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
      sumInsured: '300000.00',
      currency: 'CNY',
    },
    claimant: {
      id: 'u1',
      idType: 'resident-id',
      language: 'zh-CN',
      fields: {
        name: { value: '张*丰', masked: true },
        idNumber: { value: '4403**********3458', masked: true },
      },
    },
    description: { value: '****', masked: true },
    incidentLocation: null,
    resolutionReason: null,
    closedAt: null,
    timeline: [],
    notes: [
      {
        id: 'n1',
        authorId: 'a',
        authorRole: 'adjuster',
        body: { value: '***', masked: true },
        createdAt: at,
      },
    ],
    allowedTransitions: [],
    ...overrides,
  };
}

describe('revealed values', () => {
  const revealed = claim({
    claimant: {
      id: 'u1',
      idType: 'resident-id',
      language: 'zh-CN',
      fields: {
        name: { value: '张*丰', masked: true },
        idNumber: { value: '440304198510123458', masked: false },
      },
    },
    notes: [
      {
        id: 'n1',
        authorId: 'a',
        authorRole: 'adjuster',
        body: { value: '已联系', masked: false },
        createdAt: at,
      },
    ],
  });

  it('keeps what a reveal unmasked when the claim is reloaded masked', () => {
    const reloaded = claim({ state: 'registered', version: 2 });
    const shown = withRevealed(reloaded, revealed);
    expect(shown.state).toBe('registered');
    expect(shown.claimant.fields.idNumber).toEqual({ value: '440304198510123458', masked: false });
    expect(shown.claimant.fields.name).toEqual({ value: '张*丰', masked: true });
    expect(shown.notes[0]?.body).toEqual({ value: '已联系', masked: false });
    expect(shown.description).toEqual({ value: '****', masked: true });
  });

  it('ignores a reveal of another claim, and adds a second reveal to the first', () => {
    expect(withRevealed(claim({ id: 'c2' }), revealed).claimant.fields.idNumber?.masked).toBe(true);
    const second = claim({ description: { value: '追尾', masked: false } });
    const merged = mergeReveals(revealed, second);
    expect(merged.description).toEqual({ value: '追尾', masked: false });
    expect(merged.claimant.fields.idNumber?.masked).toBe(false);
  });
});
