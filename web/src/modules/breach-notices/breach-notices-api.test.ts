import { describe, expect, it } from 'vitest';
import {
  type Campaign,
  emptyTexts,
  findingsOf,
  mayApprove,
  progressPercent,
  retryTargets,
  TEXT_FIELDS,
} from './breach-notices-api';

const campaign = (overrides: Partial<Campaign>): Campaign =>
  ({
    id: 'c',
    state: 'draft',
    createdBy: 'maker',
    updatedBy: 'editor',
    progress: { done: 0, total: null, queued: 0 },
    ...overrides,
  }) as Campaign;

describe('breach notice helpers (S4.2)', () => {
  it('shows progress as a whole percent, never over 100, 0 while the total is unknown', () => {
    expect(progressPercent({ done: 0, total: null, queued: 0 })).toBe(0);
    expect(progressPercent({ done: 333, total: 1_000, queued: 999 })).toBe(33);
    expect(progressPercent({ done: 1_000, total: 1_000, queued: 3_000 })).toBe(100);
    expect(progressPercent({ done: 1_200, total: 1_000, queued: 3_600 })).toBe(100);
    expect(progressPercent({ done: 0, total: 0, queued: 0 })).toBe(0);
  });

  it('lets only a second officer approve a draft: not its author, not its last editor', () => {
    expect(mayApprove(campaign({}), 'checker')).toBe(true);
    expect(mayApprove(campaign({}), 'maker')).toBe(false);
    expect(mayApprove(campaign({}), 'editor')).toBe(false);
    expect(mayApprove(campaign({}), undefined)).toBe(false);
    expect(mayApprove(campaign({ state: 'approved' }), 'checker')).toBe(false);
  });

  it('retries a channel on the others only', () => {
    expect(retryTargets('sms')).toEqual(['in-app', 'email']);
    expect(retryTargets('email')).toEqual(['in-app', 'sms']);
  });

  it('starts a new campaign with every text empty in both languages', () => {
    const texts = emptyTexts();
    for (const language of ['zh-CN', 'en-US'] as const)
      expect(Object.keys(texts[language]).sort()).toEqual([...TEXT_FIELDS].sort());
    texts['zh-CN'].headline = 'x';
    expect(texts['en-US'].headline).toBe('');
  });

  it("reads the server's findings of personal data in the texts, dropping anything malformed", () => {
    expect(
      findingsOf([
        { field: 'zh-CN.contact', kinds: ['phone', 'nonsense'] },
        { field: 'en-US.whatHappened', kinds: ['id-number', 'email'] },
        { field: 'fr-FR.contact', kinds: ['phone'] },
        { field: 'zh-CN.other', kinds: ['phone'] },
        'junk',
        null,
      ]),
    ).toEqual([
      { language: 'zh-CN', field: 'contact', kinds: ['phone'] },
      { language: 'en-US', field: 'whatHappened', kinds: ['id-number', 'email'] },
    ]);
    expect(findingsOf(undefined)).toEqual([]);
  });
});
