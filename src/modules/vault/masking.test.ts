import { describe, expect, it } from 'vitest';
import { FULLY_MASKED, MASKING_RULES, mask } from './masking.js';

const revealed = (masked: string) => Array.from(masked).filter((char) => char !== '*' && char !== ' ').length;

describe('masking', () => {
  it('masks Chinese names to the first character and one star per remaining character', () => {
    expect(mask('name', '张三')).toBe('张*');
    expect(mask('name', '欧阳娜娜')).toBe('欧***');
    expect(mask('name', '𠮷野家')).toBe('𠮷**');
    expect(mask('name', '张')).toBe('*');
  });

  it('masks Latin names to the first letter, hiding their length', () => {
    expect(mask('name', 'Zhang Wei')).toBe('Z***');
    expect(mask('name', 'Al')).toBe('A***');
    expect(mask('name', 'Q')).toBe('***');
  });

  it('masks 18- and 15-digit ID numbers without revealing more than half', () => {
    expect(mask('id-number', '11010519491231002X')).toBe('1101**********002X');
    expect(mask('id-number', '110105194912310')).toBe('110********2310');
    expect(mask('id-number', '1101 0519 4912 3100 2X')).toBe('1101**********002X');
    expect(mask('id-number', '1234')).toBe('**34');
  });

  it('masks phones as 138****5678 and drops a country prefix first', () => {
    expect(mask('phone', '13812345678')).toBe('138****5678');
    expect(mask('phone', '+86 138-1234-5678')).toBe('138****5678');
    expect(mask('phone', '010-6552 9988')).toBe('0******9988');
    expect(mask('phone', '12345')).toBe('***45');
  });

  it('masks emails, bank accounts, passports, addresses and birth dates', () => {
    expect(mask('email', 'zhangsan@example.com')).toBe('z***@example.com');
    expect(mask('email', 'z@example.com')).toBe('***@example.com');
    expect(mask('email', 'not-an-email')).toBe(FULLY_MASKED);
    expect(mask('bank-account', '6222 0202 0011 2233 445')).toBe('**** **** **** 3445');
    expect(mask('bank-account', '123')).toBe('**** **** **** 3');
    expect(mask('passport', 'E12345678')).toBe('E*****678');
    expect(mask('address', '浙江省杭州市西湖区文三路90号3单元')).toBe('浙江省杭州市****');
    expect(mask('address', '北京市朝阳区建国路88号')).toBe('北京市****');
    expect(mask('address', '广西壮族自治区南宁市青秀区民族大道100号')).toBe('广西壮族自治区南宁市****');
    expect(mask('address', '浙江省杭州市')).toBe('浙江省****');
    expect(mask('address', '221B Baker Street, Marylebone, London')).toBe('****, London');
    expect(mask('address', 'Somewhere')).toBe('****');
    expect(mask('birth-date', '1990-05-17')).toBe('1990-**-**');
    expect(mask('full', '诊断：急性阑尾炎')).toBe(FULLY_MASKED);
  });

  it('never reveals more than half of a short value, whatever the rule', () => {
    const samples = ['a', 'ab', 'abc', '1234', '12345', '123456', '张三', 'x@y', '1', '12'];
    for (const rule of MASKING_RULES) {
      for (const value of samples) {
        const masked = mask(rule, value);
        const visible = revealed(masked.replace(/@.*$/, '').replace(/^\d{4}-\*\*-\*\*$/, ''));
        expect(visible, `${rule} on ${value}: ${masked}`).toBeLessThanOrEqual(Math.floor(value.length / 2));
      }
    }
    expect(mask('name', '   ')).toBe(FULLY_MASKED);
  });
});
