/**
 * What a masked value looks like under each masking rule of the vault (src/modules/vault/masking.ts), for
 * the catalogue page. Made-up values; the unit test checks each against the server's own masking.
 */
export const MASKING_EXAMPLES: Readonly<Record<string, { sample: string; masked: string }>> = {
  name: { sample: '张三', masked: '张*' },
  'id-number': { sample: '110101199003071234', masked: '1101**********1234' },
  passport: { sample: 'E12345678', masked: 'E*****678' },
  phone: { sample: '13812345678', masked: '138****5678' },
  email: { sample: 'zhang.san@example.com', masked: 'z***@example.com' },
  'bank-account': { sample: '6222020200112341234', masked: '**** **** **** 1234' },
  address: { sample: '北京市朝阳区建国路88号', masked: '北京市****' },
  'birth-date': { sample: '1990-03-07', masked: '1990-**-**' },
  full: { sample: '任何内容', masked: '******' },
};

export function maskingExampleOf(rule: string): string | undefined {
  return Object.hasOwn(MASKING_EXAMPLES, rule) ? MASKING_EXAMPLES[rule]?.masked : undefined;
}
