import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlindIndexer, normaliseForIndex } from './blind-index.js';

describe('blind index', () => {
  const indexer = new BlindIndexer(randomBytes(32));
  const same = (field: Parameters<BlindIndexer['compute']>[0], a: string, b: string) =>
    expect(indexer.compute(field, a).equals(indexer.compute(field, b)), `${a} vs ${b}`).toBe(true);

  it('normalises full-width input, spaces, hyphens, the x check character, case and +86', () => {
    expect(normaliseForIndex('id-number', '１１０１０５ １９４９１２３１ ００２ｘ')).toBe(
      '11010519491231002X',
    );
    expect(normaliseForIndex('id-number', '110105-19491231-002x')).toBe('11010519491231002X');
    expect(normaliseForIndex('phone', '+86 139-1234-5678')).toBe('13912345678');
    expect(normaliseForIndex('phone', '＋８６　１３９１２３４５６７８')).toBe('13912345678');
    expect(normaliseForIndex('phone', '0086 (139) 1234 5678')).toBe('13912345678');
    expect(normaliseForIndex('email', ' Zhang.Wei@Example.COM ')).toBe('zhang.wei@example.com');
    expect(normaliseForIndex('email', 'ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('zhang@example.com');
    expect(normaliseForIndex('bank-account', '6222 0202 0011 2233 445')).toBe('6222020200112233445');
    expect(normaliseForIndex('passport', 'e 1234 5678')).toBe('E12345678');
  });

  it('matches differently typed forms of one value', () => {
    same('customer.id_number', '11010519491231002X', '１１０１０５１９４９１２３１００２ｘ');
    same('customer.id_number', '11010519491231002x', '110105 19491231 002X');
    same('customer.phone', '13912345678', '+86 139 1234 5678');
    same('customer.phone', '13912345678', '0086-139-1234-5678');
    same('customer.email', 'zhang.wei@example.com', 'Zhang.Wei@EXAMPLE.com');
    same('bank_account.number', '6222020200112233445', '6222-0202-0011-2233-445');
    same('customer.passport_number', 'E12345678', 'e12345678');
  });

  it('keeps fields apart, is keyed, and is 16 bytes', () => {
    const digits = '13912345678';
    const asPhone = indexer.compute('customer.phone', digits);
    expect(asPhone).toHaveLength(16);
    expect(asPhone.equals(indexer.compute('bank_account.number', digits))).toBe(false);
    expect(asPhone.equals(indexer.compute('customer.id_number', digits))).toBe(false);
    expect(asPhone.equals(new BlindIndexer(randomBytes(32)).compute('customer.phone', digits))).toBe(false);
    expect(asPhone.includes(Buffer.from(digits))).toBe(false);
    expect(() => indexer.compute('customer.name', '张三')).toThrow(/not searchable/);
  });
});
