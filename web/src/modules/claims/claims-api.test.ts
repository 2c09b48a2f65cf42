import { describe, expect, it } from 'vitest';
import { claimantLookupOf, claimListQueryString, documentUploadHeaders, statesOf } from './claims-api';

describe('claim list query string', () => {
  it('joins states, leaves out empty filters and always names the page', () => {
    expect(
      claimListQueryString(
        { states: ['reported', 'registered'], productLine: 'motor', number: ' CLM1 ' },
        { limit: 20, offset: 40 },
      ),
    ).toBe('?state=reported%2Cregistered&productLine=motor&number=CLM1&limit=20&offset=40');
    expect(claimListQueryString({ states: [], number: '  ' }, { limit: 10, offset: 0 })).toBe(
      '?limit=10&offset=0',
    );
  });
});

describe('states from the address', () => {
  it('keeps known states and drops the rest', () => {
    expect(statesOf('reported, closed,bogus,')).toEqual(['reported', 'closed']);
    expect(statesOf(null)).toEqual([]);
  });
});

describe('claimant lookup', () => {
  it('tells an email, a mobile number and an ID number apart', () => {
    expect(claimantLookupOf(' zhang@example.cn ')).toEqual({ email: 'zhang@example.cn' });
    expect(claimantLookupOf('138 1234 5678')).toEqual({ phone: '13812345678' });
    expect(claimantLookupOf('+86 138-1234-5678')).toEqual({ phone: '13812345678' });
    expect(claimantLookupOf('44030419851012345x')).toEqual({ idNumber: '44030419851012345X' });
    expect(claimantLookupOf('E1234567')).toEqual({ idNumber: 'E1234567' });
  });

  it('refuses text too short to search for', () => {
    expect(claimantLookupOf('')).toBeUndefined();
    expect(claimantLookupOf('123')).toBeUndefined();
    expect(claimantLookupOf('@')).toBeUndefined();
  });
});

describe('upload headers', () => {
  it('percent-encodes the file name and passes the declared type', () => {
    expect(documentUploadHeaders({ name: '张三 发票.pdf', type: 'application/pdf' })).toEqual({
      'x-document-name': '%E5%BC%A0%E4%B8%89%20%E5%8F%91%E7%A5%A8.pdf',
      'x-document-type': 'application/pdf',
    });
    expect(documentUploadHeaders({ name: '', type: '' })).toEqual({});
  });
});
