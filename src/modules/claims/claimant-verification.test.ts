import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';
import { LI_SI, seedClaimsWorld, ZHANG_SAN } from './claims-test-kit.js';

/** Claimant verification (S3.1): identity matched through blind indexes, a code to the phone on file. */
describe('claimant verification', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let intake: StaffSession;
  let shanghai: StaffSession;
  let claimId: string;
  const texts: { to: string; text: string }[] = [];

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    intake = await signInAs(server, 'claims_intake');
    shanghai = await signInAs(server, 'claims_supervisor', { branch: 'shanghai' });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    const response = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
    });
    claimId = (response.json() as { id: string }).id;
    // The "claim reported" notices go out first, so that what follows is only the verification's.
    await deliver();
    texts.length = 0;
  });

  const start = (body: Record<string, string>) =>
    intake.request('POST', `/api/v1/claims/${claimId}/verification`, body);
  const confirm = (code: string) =>
    intake.request('POST', `/api/v1/claims/${claimId}/verification/code`, { code });

  async function deliver(): Promise<void> {
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const sms = {
      async send(message: { to: string; body: string }) {
        texts.push({ to: message.to, text: message.body });
        return { providerMessageId: null };
      },
    };
    await new NotificationDispatcher({
      service: services.notifications,
      directory: services.directory,
      sms: sms as never,
    }).dispatchDue(server.store.db);
  }

  async function alerts(): Promise<{ kind: string; details: { claimId: string; reasons: string } }[]> {
    const { rows } = await sql<{
      kind: string;
      details: { claimId: string; reasons: string };
    }>`select kind, details from security_alerts`.execute(server.store.db);
    return rows.filter((row) => row.details.claimId === claimId);
  }

  const honest = { name: ZHANG_SAN.name, idNumber: ZHANG_SAN.idNumber, phone: ZHANG_SAN.phone };

  it('sends a code to the phone on the policy when name, ID number and phone match, and verifies it', async () => {
    const started = await start({ ...honest, name: ` ${ZHANG_SAN.name} `, phone: '+86 138 1234 5678' });
    expect(started.json()).toMatchObject({ status: 'code-sent', attemptsLeft: 5 });
    await deliver();
    const text = texts.find((message) => message.to === ZHANG_SAN.phone)?.text ?? '';
    const code = /(\d{6})/.exec(text)?.[1];
    expect(code).toBeDefined();
    // Nowhere at rest: not in the verification row, not in the outbox.
    const { rows } = await sql<{
      dump: string;
    }>`select (select coalesce(string_agg(to_jsonb(v)::text, ''), '') from claimant_verifications v) || (select coalesce(string_agg(to_jsonb(n)::text, ''), '') from notifications n) as dump`.execute(
      server.store.db,
    );
    expect(rows[0]?.dump).not.toContain(code);
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await confirm(wrong)).json()).toMatchObject({
      status: 'code-sent',
      attemptsLeft: 4,
      reasons: ['wrong-code'],
    });
    expect((await confirm(code as string)).json()).toMatchObject({ status: 'verified' });
    expect((await intake.request('GET', `/api/v1/claims/${claimId}`)).json().verification).toBe('verified');
    // Decided: the code cannot be used again.
    expect((await confirm(code as string)).statusCode).toBe(409);
  });

  it('sends an impersonator with another ID number to manual review and alerts security, without sending a code', async () => {
    const response = await start({ ...honest, idNumber: LI_SI.idNumber });
    expect(response.json()).toMatchObject({ status: 'manual-review', reasons: ['id-mismatch'] });
    await deliver();
    expect(texts).toEqual([]);
    expect(await alerts()).toEqual([expect.objectContaining({ kind: 'claimant-verification-failed' })]);
    expect((await intake.request('GET', `/api/v1/claims/${claimId}`)).json().verification).toBe(
      'manual-review',
    );
  });

  it('never sends the code to a phone given with the claim that is not the one on file', async () => {
    const response = await start({ ...honest, phone: '13700000000' });
    expect(response.json()).toMatchObject({ status: 'manual-review', reasons: ['phone-mismatch'] });
    await deliver();
    expect(texts.map((message) => message.to)).not.toContain('13700000000');
  });

  it('flags a wrong name', async () => {
    expect((await start({ ...honest, name: '张三' })).json()).toMatchObject({
      status: 'manual-review',
      reasons: ['name-mismatch'],
    });
  });

  it('sends the claim to manual review after five wrong codes', async () => {
    await start(honest);
    for (let attempt = 1; attempt < 5; attempt++)
      expect((await confirm('999999')).json().attemptsLeft).toBe(5 - attempt);
    expect((await confirm('999999')).json()).toMatchObject({
      status: 'manual-review',
      reasons: ['too-many-wrong-codes'],
    });
    expect((await alerts()).map((alert) => alert.details.reasons)).toEqual(['too-many-wrong-codes']);
  });

  it('holds a claim made soon after the contact details changed for manual review', async () => {
    await sql`update customers set contact_changed_at = now() - interval '3 days' where id = ${world.zhang}`.execute(
      server.store.db,
    );
    try {
      expect((await start(honest)).json()).toMatchObject({
        status: 'manual-review',
        reasons: ['recent-contact-change'],
      });
    } finally {
      await sql`update customers set contact_changed_at = null where id = ${world.zhang}`.execute(
        server.store.db,
      );
    }
  });

  it('refuses a handler outside the claim, and malformed input', async () => {
    expect(
      (await shanghai.request('POST', `/api/v1/claims/${claimId}/verification`, honest)).statusCode,
    ).toBe(403);
    expect((await confirm('12ab56')).statusCode).toBe(400);
    expect((await confirm('123456')).statusCode).toBe(409);
  });
});
