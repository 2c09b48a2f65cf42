import { describe, expect, it } from 'vitest';
import { SAMPLE_TEXTS } from './breach-notices-test-kit.js';
import { findPersonalData } from './personal-data-in-text.js';

/** S4.2: staff texts that go to a million customers and a public page must not carry personal data. */
describe('personal data in staff texts', () => {
  it.each([
    ['18-digit resident ID', '客户 440304198510123458 的档案被查阅', 'id-number'],
    ['resident ID ending in X', 'affected: 11010519491231002X.', 'id-number'],
    ['resident ID in groups', 'ID 440304 19851012 3458 was read', 'id-number'],
    ['15-digit first-generation ID', '旧身份证 440304851012345 也受影响', 'id-number'],
  ] as const)('finds an ID number: %s', (_label, text, kind) => {
    expect(findPersonalData(text)).toEqual([kind]);
  });

  it.each([
    ['mobile number', '请联系张先生 13812345678', 'phone'],
    ['mobile number with dashes', 'call 138-1234-5678 today', 'phone'],
    ['mobile number with spaces', '致电 139 8765 4321', 'phone'],
    ['international format', 'reach him on +86 138 1234 5678', 'phone'],
    ['full-width digits', '手机１３８１２３４５６７８', 'phone'],
  ] as const)('finds a phone number: %s', (_label, text, kind) => {
    expect(findPersonalData(text)).toEqual([kind]);
  });

  it.each([
    ['16-digit card', '卡号 6222021234567890 被盗刷', 'bank-card'],
    ['19-digit card in groups', 'card 6217 0012 3456 7890 123 was exposed', 'bank-card'],
    ['card with dashes', '6222-0212-3456-7890', 'bank-card'],
  ] as const)('finds a bank card number: %s', (_label, text, kind) => {
    expect(findPersonalData(text)).toEqual([kind]);
  });

  it.each([
    ['plain address', 'write to zhang.sanfeng@example.cn', 'email'],
    ['address in Chinese text', '请发送至li_si+claims@mail.example.com.cn，谢谢', 'email'],
  ] as const)('finds an email address: %s', (_label, text, kind) => {
    expect(findPersonalData(text)).toEqual([kind]);
  });

  it('finds several kinds in one text', () => {
    expect(findPersonalData('13812345678 / 440304198510123458 / a@b.cn')).toEqual([
      'id-number',
      'phone',
      'email',
    ]);
  });

  it('lets company contacts, dates, references and amounts through', () => {
    for (const text of [
      '客户服务热线 95500（24小时）',
      'call 400-820-8888 or 800 820 8888',
      '北京办公室 010-12345678',
      '2026-11-20 至 2026-11-22 期间',
      'incident INC-2026-0042, 1,000,000 customers, 12:30',
      'https://claims.example.com/breach-status',
      ...Object.values(SAMPLE_TEXTS).flatMap((text) => Object.values(text)),
    ])
      expect(findPersonalData(text), text).toEqual([]);
  });
});
