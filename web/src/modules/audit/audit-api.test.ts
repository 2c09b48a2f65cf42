import { describe, expect, it } from 'vitest';
import { auditQueryString } from './audit-api';

describe('audit query string', () => {
  it('leaves out empty filters and keeps the paging parameters', () => {
    expect(auditQueryString({})).toBe('');
    expect(
      auditQueryString(
        { action: ' auth.login ', actorId: '', outcome: 'denied', from: '2026-11-24T00:00:00.000Z' },
        { limit: 50, after: 0 },
      ),
    ).toBe('?action=auth.login&outcome=denied&from=2026-11-24T00%3A00%3A00.000Z&limit=50&after=0');
  });
});
