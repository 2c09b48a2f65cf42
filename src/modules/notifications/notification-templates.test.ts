import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../config/config.js';
import {
  maskClaimNumber,
  maskedClaimNumber,
  NOTIFICATION_TEMPLATES,
  placeholdersOf,
  renderTemplate,
  TEMPLATE_IDS,
} from './notification-templates.js';

describe('notification templates', () => {
  it.each(TEMPLATE_IDS)('%s: every language has a subject and body using only its parameters', (id) => {
    const template = NOTIFICATION_TEMPLATES[id];
    const shape = Object.keys((template.params as unknown as { shape: Record<string, unknown> }).shape);
    for (const language of LANGUAGES) {
      const text = template.text[language];
      expect(text.subject.length).toBeGreaterThan(0);
      expect(text.body.length).toBeGreaterThan(0);
      const resolved: readonly string[] = template.resolvedParams;
      for (const name of [...placeholdersOf(text.subject), ...placeholdersOf(text.body)])
        expect([...shape, ...resolved], `${id} ${language} uses {${name}}`).toContain(name);
      // A resolved parameter is never also stored.
      for (const name of resolved) expect(shape).not.toContain(name);
      // Every parameter is shown somewhere in every language (a code nobody sees is a bug).
      for (const name of shape)
        expect(`${text.subject} ${text.body}`, `${id} ${language} shows ${name}`).toContain(`{${name}}`);
    }
    for (const name of [...template.secretParams, ...template.linkParams]) expect(shape).toContain(name);
  });

  it('renders in the language asked for, with links under the public URL', () => {
    const params = { claimNumber: 'CLM-****0123', state: 'approved', link: '/portal/claims/42' };
    const zh = renderTemplate('claim.state-changed', 'zh-CN', params, 'https://claims.example.com/');
    const en = renderTemplate('claim.state-changed', 'en-US', params, 'https://claims.example.com/');
    expect(zh).toEqual({
      subject: '您的理赔 CLM-****0123 状态已更新',
      body: '您的理赔 CLM-****0123 当前状态：approved。详情：https://claims.example.com/portal/claims/42',
    });
    expect(en.subject).toBe('Your claim CLM-****0123 has a new status');
    expect(en.body).toContain('https://claims.example.com/portal/claims/42');
  });

  it('refuses parameter values that could carry personal data', () => {
    const { params } = NOTIFICATION_TEMPLATES['claim.state-changed'];
    const good = { claimNumber: 'CLM-****0123', state: 'approved', link: '/portal/claims/42' };
    expect(params.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, claimNumber: 'CLM-2026-000123' }, // unmasked
      { ...good, state: '欧阳娜娜' },
      { ...good, link: '/portal?phone=13912345678' },
      { ...good, link: 'https://evil.example.com/' },
      { ...good, name: 'Ouyang Nana' }, // no extra parameters
    ])
      expect(params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('renders a breach notice with the categories as catalogue labels and the resolved texts (S4.2)', () => {
    const params = {
      incident: 'INC-2026-0042',
      categories: 'identity,financial',
      link: '/portal/compensation/INC-2026-0042',
      drill: '',
      headline: 'Unauthorised access to claim files',
      whatHappened: 'W',
      harms: 'H',
      measures: 'M',
      advice: 'A',
      contact: 'C',
    };
    const zh = renderTemplate('breach.notice', 'zh-CN', params, 'https://claims.example.com');
    expect(zh.subject).toBe('【个人信息安全事件告知 INC-2026-0042】Unauthorised access to claim files');
    expect(zh.body).toContain('涉及您的个人信息种类：身份信息、金融账户信息');
    expect(zh.body).toContain('https://claims.example.com/portal/compensation/INC-2026-0042');
    const en = renderTemplate('breach.notice', 'en-US', { ...params, categories: '' }, 'https://x.example');
    expect(en.body).toContain('Your personal data involved: still under investigation');
    const { params: schema } = NOTIFICATION_TEMPLATES['breach.notice'];
    const good = { incident: 'INC-2026-0042', categories: 'identity', link: '/portal/compensation/INC-1' };
    expect(schema.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, categories: 'identity,ouyang-nana' },
      { ...good, incident: 'INC 2026/张三' },
      { ...good, whatHappened: 'texts are not stored per row' },
    ])
      expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('masks claim numbers into the shape the templates accept, never showing half of one', () => {
    for (const number of ['CLM-2026-000123', 'CLM2026000123', 'AB12', '12345678901234567890']) {
      const masked = maskClaimNumber(number);
      expect(maskedClaimNumber.safeParse(masked).success, masked).toBe(true);
      expect(masked.replace(/\*/g, '').length).toBeLessThanOrEqual(number.length / 2);
    }
    expect(maskClaimNumber('CLM-2026-000123')).toBe('CLM****0123');
  });
});
