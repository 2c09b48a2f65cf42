import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { OutgoingMessage } from '../notifications/channels.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';
import { LI_SI, seedClaimsWorld, ZHANG_SAN } from './claims-test-kit.js';

/**
 * Changing a customer's contact details from the staff console (S3.1, S4.3): re-sealed by the vault, found
 * by the new values only, audited without values, the OLD phone and email told, refused while a security
 * incident holds the customer, and a claim soon after goes to manual verification.
 */
describe('S3.1 contact-details change by staff', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let intake: StaffSession;
  let supervisor: StaffSession;
  let officer: StaffSession;
  const sent: (OutgoingMessage & { channel: 'sms' | 'email' })[] = [];
  const NEW_PHONE = '13700001234';
  const NEW_EMAIL = 'sanfeng.new@example.cn';

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    intake = await signInAs(server, 'claims_intake');
    supervisor = await signInAs(server, 'claims_supervisor', { branch: 'beijing' });
    officer = await signInAs(server, 'security_officer');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  const services = () => {
    const claims = server.app.claims;
    if (!claims) throw new Error('no claims services');
    return claims;
  };

  async function deliver(): Promise<void> {
    const provider = (channel: 'sms' | 'email') => ({
      async send(message: OutgoingMessage) {
        sent.push({ ...message, channel });
        return { providerMessageId: null };
      },
    });
    await new NotificationDispatcher({
      service: services().notifications,
      directory: services().directory,
      sms: provider('sms'),
      email: provider('email'),
    }).dispatchDue(server.store.db);
  }

  const change = (session: StaffSession, customerId: string, body: Record<string, unknown>) =>
    session.request('PATCH', `/api/v1/customers/${customerId}/contact`, body);

  async function contactChangeEvents(customerId: string) {
    const page = await server.auditService.query({ action: 'customer.contact-change' });
    return page.items.map((item) => item.event).filter((event) => event.dataSubjectId === customerId);
  }

  it('changes phone and email: new values sealed and searchable, old ones gone, audited without values', async () => {
    await deliver();
    const mark = sent.length;
    // The customer is signed in to the portal with the old details (a session row as the portal writes it).
    const portalSession = crypto.randomUUID();
    await sql`insert into portal_sessions (id, token_hash, customer_id, state, csrf_token, channel, last_seen_at,
      expires_at) values (${portalSession}, ${`hash-${portalSession}`}, ${world.zhang}, 'active', 'csrf', 'sms',
      now(), now() + interval '1 hour')`.execute(server.store.db);
    const response = await change(intake, world.zhang, {
      phone: '+86 137-0000-1234',
      email: ` ${NEW_EMAIL.toUpperCase()} `,
      purpose: 'customer-service',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ changed: ['phone', 'email'] });

    const { customers } = services();
    const db = server.store.db;
    expect(await customers.findIds(db, { phone: NEW_PHONE })).toEqual([world.zhang]);
    expect(await customers.findIds(db, { email: NEW_EMAIL })).toEqual([world.zhang]);
    expect(await customers.findIds(db, { phone: ZHANG_SAN.phone })).toEqual([]);
    expect(await customers.findIds(db, { email: ZHANG_SAN.email })).toEqual([]);
    const [view] = await customers.view(db, [world.zhang], ['phone', 'email', 'address'], {
      actor: SYSTEM_ACTOR,
      purpose: 'customer-service',
      unmask: true,
    });
    expect(view?.fields.phone?.value).toBe(NEW_PHONE);
    expect(view?.fields.email?.value).toBe(NEW_EMAIL);
    expect(view?.fields.address?.value).toBe(ZHANG_SAN.address);
    expect(view?.contactChangedAt).toBeInstanceOf(Date);
    // Whoever was signed in with the old phone or email must sign in again.
    const ended = await sql<{ reason: string | null }>`
      select revoked_reason as reason from portal_sessions where id = ${portalSession}`.execute(db);
    expect(ended.rows).toEqual([{ reason: 'contact-changed' }]);
    // Stored as ciphertext only.
    const { rows } = await sql<{ dump: string }>`
      select encode(phone_ct, 'escape') || encode(email_ct, 'escape') as dump from customers where id = ${world.zhang}`.execute(
      db,
    );
    expect(rows[0]?.dump).not.toContain(NEW_PHONE);
    expect(rows[0]?.dump).not.toContain('sanfeng.new');

    const [event] = await contactChangeEvents(world.zhang);
    expect(event).toMatchObject({
      actor: { type: 'staff', id: intake.userId },
      resource: { type: 'customer', id: world.zhang },
      fields: ['customer.phone', 'customer.email'],
      purpose: 'customer-service',
      outcome: 'success',
      details: { channel: 'staff', fields: 'phone,email', oldContactsTold: 2 },
    });
    const logged = JSON.stringify(await server.auditService.query({ dataSubjectId: world.zhang }));
    for (const value of [NEW_PHONE, 'sanfeng.new', ZHANG_SAN.phone, ZHANG_SAN.email])
      expect(logged).not.toContain(value);

    // The notice waits in the outbox with the old addresses sealed, never in the clear.
    const outbox = await sql<{ channel: string; dump: string; sealed: boolean }>`
      select channel, params::text || coalesce(sealed_params, '') as dump, sealed_params is not null as sealed
      from notifications where recipient_id = ${world.zhang} and template_id = 'customer.contact-changed'`.execute(
      db,
    );
    expect(outbox.rows.map((row) => row.channel).sort()).toEqual(['email', 'in-app', 'sms']);
    for (const row of outbox.rows) {
      expect(row.dump).not.toContain(ZHANG_SAN.phone);
      expect(row.dump).not.toContain(ZHANG_SAN.email);
      expect(row.dump).not.toContain(NEW_PHONE);
    }
    expect(outbox.rows.find((row) => row.channel === 'sms')?.sealed).toBe(true);

    // Delivered to the OLD phone and email (not the new ones), saying nothing of the new details.
    await deliver();
    const notices = sent.slice(mark).filter((message) => message.subject.includes('联系方式'));
    expect(notices.map((message) => [message.channel, message.to]).sort()).toEqual([
      ['email', ZHANG_SAN.email],
      ['sms', ZHANG_SAN.phone],
    ]);
    for (const notice of notices) {
      expect(notice.body).toContain('客服电话');
      expect(notice.body).not.toContain(NEW_PHONE);
      expect(notice.body).not.toContain(NEW_EMAIL);
    }
    // Wiped once sent.
    const left = await sql<{ count: number }>`
      select count(*)::int as count from notifications
      where recipient_id = ${world.zhang} and template_id = 'customer.contact-changed' and sealed_params is not null`.execute(
      db,
    );
    expect(left.rows[0]?.count).toBe(0);
  });

  it('sends a new claim on the policy to manual verification after the change (recent contact change)', async () => {
    const reported = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
    });
    expect(reported.statusCode, reported.body).toBe(201);
    const claimId = (reported.json() as { id: string }).id;
    const started = await intake.request('POST', `/api/v1/claims/${claimId}/verification`, {
      name: ZHANG_SAN.name,
      idNumber: ZHANG_SAN.idNumber,
      phone: NEW_PHONE,
    });
    expect(started.json()).toMatchObject({ status: 'manual-review', reasons: ['recent-contact-change'] });
  });

  it('refuses a customer whose changes a security incident holds (409 changes-held), and changes nothing', async () => {
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Contact list of a branch sold',
      kind: 'insider-misuse',
    });
    expect(declared.statusCode, declared.body).toBe(201);
    const incidentId = (declared.json() as { id: string }).id;
    const held = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'hold-changes',
      subjectIds: [world.li],
    });
    expect(held.statusCode, held.body).toBe(201);
    const before = await sql<{ changed: Date | null }>`
      select contact_changed_at as changed from customers where id = ${world.li}`.execute(server.store.db);

    const refused = await change(supervisor, world.li, {
      phone: '13600002222',
      address: '上海市徐汇区漕溪北路 1 号',
      purpose: 'customer-service',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ type: '/problems/changes-held', status: 409 });
    expect(refused.body).not.toContain('13600002222');

    const { customers } = services();
    expect(await customers.findIds(server.store.db, { phone: LI_SI.phone })).toEqual([world.li]);
    expect(await customers.findIds(server.store.db, { phone: '13600002222' })).toEqual([]);
    const after = await sql<{ changed: Date | null }>`
      select contact_changed_at as changed from customers where id = ${world.li}`.execute(server.store.db);
    expect(after.rows[0]?.changed).toEqual(before.rows[0]?.changed);
    expect(await contactChangeEvents(world.li)).toEqual([]);
    const queued = await sql<{ count: number }>`
      select count(*)::int as count from notifications
      where recipient_id = ${world.li} and template_id = 'customer.contact-changed'`.execute(server.store.db);
    expect(queued.rows[0]?.count).toBe(0);
  });

  it('refuses bad input with problems that never echo it, and wants a purpose and a fresh second factor', async () => {
    const badPhone = await change(intake, world.zhang, { phone: '12345678901', purpose: 'customer-service' });
    expect(badPhone.statusCode).toBe(422);
    expect(badPhone.json()).toMatchObject({ type: '/problems/invalid-contact', field: 'phone' });
    expect(badPhone.body).not.toContain('12345678901');
    const badEmail = await change(intake, world.zhang, {
      email: 'nobody-at-all',
      purpose: 'customer-service',
    });
    expect(badEmail.statusCode).toBe(422);
    expect(badEmail.json()).toMatchObject({ type: '/problems/invalid-contact', field: 'email' });
    expect(badEmail.body).not.toContain('nobody-at-all');
    const noPurpose = await change(intake, world.zhang, { phone: '13700009999' });
    expect(noPurpose.statusCode).toBe(400);
    const nothing = await change(intake, world.zhang, { purpose: 'customer-service' });
    expect(nothing.statusCode).toBe(400);

    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes'
      where user_id = ${intake.userId}`.execute(server.store.db);
    const stale = await change(intake, world.zhang, { phone: '13700009999', purpose: 'customer-service' });
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ type: '/problems/step-up-required' });
    expect(await services().customers.findIds(server.store.db, { phone: '13700009999' })).toEqual([]);
  });
});
