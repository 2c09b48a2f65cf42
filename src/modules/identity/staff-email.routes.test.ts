import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

/**
 * Staff work email over HTTP (issue 5 section 1, S2.3): administrators set it on create and edit and see
 * it masked; staff set their own (step-up) and see it masked; a bad address is an RFC 9457 problem that
 * does not echo it; the address never appears in logs or audit events.
 */
describe('staff work email routes', () => {
  let server: TestServer;
  let admin: StaffSession;
  let officer: StaffSession;

  beforeAll(async () => {
    server = await createTestServer();
    admin = await signInAs(server, 'admin');
    officer = await signInAs(server, 'security_officer');
  });

  afterAll(async () => {
    await server.close();
  });

  it('an administrator creates and edits a user with a work email and sees it masked only', async () => {
    const created = await admin.request('POST', '/api/v1/users', {
      username: 'wang.fang',
      displayName: 'Wang Fang',
      role: 'security_officer',
      email: 'Wang.Fang@claimguard.example',
    });
    expect(created.statusCode).toBe(200);
    const user = (created.json() as { user: { id: string; email: string } }).user;
    expect(user.email).toBe('w***@claimguard.example');

    const listed = await admin.request('GET', '/api/v1/users');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toContain('w***@claimguard.example');
    expect(listed.body.toLowerCase()).not.toContain('wang.fang@');

    const edited = await admin.request('PATCH', `/api/v1/users/${user.id}`, {
      email: 'fang.wang@claimguard.example',
    });
    expect(edited.statusCode).toBe(200);
    expect((edited.json() as { email: string }).email).toBe('f***@claimguard.example');

    // The same address for another account is a conflict that names neither the address nor its holder.
    const clash = await admin.request('POST', '/api/v1/users', {
      username: 'second.fang',
      displayName: 'Second',
      role: 'finance',
      email: 'FANG.WANG@claimguard.example',
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.headers['content-type']).toContain('application/problem+json');
    expect(clash.body.toLowerCase()).not.toContain('fang.wang');
  });

  it('refuses a malformed address with problem+json that does not echo it', async () => {
    const bad = await admin.request('POST', '/api/v1/users', {
      username: 'li.lei',
      displayName: 'Li Lei',
      role: 'finance',
      email: 'li.lei-at-example',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body).not.toContain('li.lei-at-example');
  });

  it('a staff member sets, reads (masked) and removes their own address', async () => {
    expect((await officer.request('GET', '/api/v1/auth/me/email')).json()).toEqual({ email: null });
    const set = await officer.request('PUT', '/api/v1/auth/me/email', {
      email: 'my.self@claimguard.example',
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ email: 'm***@claimguard.example' });
    expect((await officer.request('GET', '/api/v1/auth/me/email')).json()).toEqual({
      email: 'm***@claimguard.example',
    });
    const removed = await officer.request('PUT', '/api/v1/auth/me/email', { email: null });
    expect(removed.json()).toEqual({ email: null });
  });

  it('never writes an address to the logs or the audit log', async () => {
    await server.auditService.flush();
    const events = await server.store.db
      .selectFrom('audit_events')
      .select(['canonical', 'action'])
      .where('action', 'in', ['user.created', 'user.updated', 'user.email.changed', 'staff.email.read'])
      .execute();
    expect(new Set(events.map((event) => event.action))).toEqual(
      new Set(['user.created', 'user.updated', 'user.email.changed', 'staff.email.read']),
    );
    const text = events.map((event) => Buffer.from(event.canonical).toString('utf8')).join('\n');
    expect(text).toContain('staff.email');
    for (const secret of ['wang.fang', 'fang.wang', 'my.self', 'li.lei-at'])
      expect(text.toLowerCase()).not.toContain(secret);
    const logs = server.logs.lines.join('\n').toLowerCase();
    for (const secret of ['wang.fang', 'fang.wang', 'my.self', 'li.lei-at'])
      expect(logs).not.toContain(secret);
  });
});
