import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

describe('break-glass over HTTP (S3.2)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('demands a written justification, opens a timed grant, alerts the security officers and is audited', async () => {
    const adjuster = await signInAs(server, 'adjuster');
    const officer = await signInAs(server, 'security_officer');

    const terse = await adjuster.request('POST', '/api/v1/access/break-glass', {
      justification: 'urgent',
      minutes: 30,
    });
    expect(terse.statusCode).toBe(400);

    const opened = await adjuster.request('POST', '/api/v1/access/break-glass', {
      justification: 'Customer in hospital, assigned adjuster on leave; payout deadline today.',
      minutes: 15,
    });
    expect(opened.statusCode).toBe(200);
    const { expiresAt } = opened.json() as { expiresAt: string };
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);

    const mine = await adjuster.request('GET', '/api/v1/access/break-glass');
    expect((mine.json() as { activeUntil: string | null }).activeUntil).toBe(expiresAt);

    const alerts = await officer.request('GET', '/api/v1/security/alerts?open=true');
    const list = alerts.json() as { id: string; kind: string; severity: string; subjectUserId: string }[];
    expect(list).toEqual([
      expect.objectContaining({ kind: 'break-glass', severity: 'critical', subjectUserId: adjuster.userId }),
    ]);
    expect((await adjuster.request('GET', '/api/v1/security/alerts')).statusCode).toBe(403);
    expect(
      (await officer.request('POST', `/api/v1/security/alerts/${list[0]?.id}/acknowledge`)).statusCode,
    ).toBe(200);
    expect((await officer.request('GET', '/api/v1/security/alerts?open=true')).json()).toEqual([]);

    const ended = await adjuster.request('DELETE', '/api/v1/access/break-glass');
    expect(ended.json()).toEqual({ ended: 1 });
    expect((await adjuster.request('GET', '/api/v1/access/break-glass')).json()).toEqual({
      activeUntil: null,
    });

    const events = await server.auditService.query({ actorId: adjuster.userId });
    const actions = events.items.map((item) => item.event.action);
    expect(actions).toEqual(
      expect.arrayContaining(['access.break-glass.opened', 'access.break-glass.ended']),
    );
  });

  it('is not open to roles without the duty to see personal data', async () => {
    const auditor = await signInAs(server, 'internal_auditor');
    const response = await auditor.request('POST', '/api/v1/access/break-glass', {
      justification: 'I would like to see everything for an unplanned review.',
      minutes: 10,
    });
    expect(response.statusCode).toBe(403);
  });
});
