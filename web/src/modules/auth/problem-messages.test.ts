import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../../src/errors/domain-error';
import { ApiProblem } from '../../api/api-client';
import { createI18n } from '../../i18n/i18n-setup';
import { translationResources } from '../../i18n/translation-resources';
import { problemMessage } from './problem-messages';

const serverCodes = Object.keys(ERROR_CODES);
const reasons = ['too-short', 'too-long', 'common', 'guessable', 'contains-login'];

function problem(code: string, extra: Record<string, unknown> = {}): ApiProblem {
  return new ApiProblem({ type: `/problems/${code}`, title: 'English title', status: 400, ...extra });
}

describe('problem messages', () => {
  it.each(Object.entries(translationResources))(
    '%s has a message for every server error code',
    (_, resources) => {
      const missing = serverCodes.filter((code) => !(code in resources.problems));
      expect(missing).toEqual([]);
      for (const code of serverCodes) {
        expect(String((resources.problems as Record<string, unknown>)[code]).trim()).not.toBe('');
      }
    },
  );

  it.each(Object.entries(translationResources))(
    '%s names no code the server does not define',
    (_, resources) => {
      expect(Object.keys(resources.problems).filter((code) => !serverCodes.includes(code))).toEqual([]);
    },
  );

  it.each(Object.entries(translationResources))(
    '%s explains every password rejection reason',
    (_, resources) => {
      expect(Object.keys(resources.passwordRejected).sort()).toEqual([...reasons].sort());
    },
  );

  it('translates by code, by rejection reason, and falls back for the unknown', () => {
    const zh = createI18n('zh-CN').t;
    const en = createI18n('en-US').t;
    expect(problemMessage(en, problem('invalid-code'))).toBe(
      translationResources['en-US'].problems['invalid-code'],
    );
    expect(problemMessage(zh, problem('invalid-code'))).toBe(
      translationResources['zh-CN'].problems['invalid-code'],
    );
    expect(problemMessage(en, problem('password-rejected', { reason: 'common' }))).toBe(
      translationResources['en-US'].passwordRejected.common,
    );
    expect(problemMessage(en, problem('password-rejected'))).toBe(
      translationResources['en-US'].problems['password-rejected'],
    );
    expect(problemMessage(en, problem('something-new'))).toBe(
      translationResources['en-US'].errors.unexpected,
    );
    expect(problemMessage(en, new TypeError('Failed to fetch'))).toBe(
      translationResources['en-US'].errors.unreachable,
    );
  });
});
