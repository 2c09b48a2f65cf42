import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { abilityFor } from '../access/abilities.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import { totpCodeAt } from '../identity/totp.js';
import { SimulatedPaymentGateway } from './payment-gateway.js';
import { cents } from './payouts.service.js';
import { approvedPayout, ZHANG_CARD } from './payouts-test-kit.js';

/**
 * Payouts end to end over HTTP (S3.3): maker-checker with approval limits, payee holds and re-verification,
 * and payment under an idempotency key. Every refusal is checked, and what the audit log and the
 * security alerts must say.
 */
const ZHANG_SECOND_CARD = '6217000010002345678';
const STRANGER_CARD = '6228480402564890018';

type Payout = {
  id: string;
  state: string;
  amount: string;
  approvalsRequired: number;
  approvals: { approverId: string }[];
  hold: { reason: string; heldBy: string | null } | null;
  reverifiedBy: string | null;
  providerReference: string | null;
  payee: { id: string; number: { value: string; masked: boolean } };
  payment: { state: string; idempotencyKey: string; attempts: number } | null;
};

describe('payouts API', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let intake: StaffSession;
  let adjuster: StaffSession;
  let supervisor: StaffSession;
  let secondSupervisor: StaffSession;
  let shanghaiSupervisor: StaffSession;
  let finance: StaffSession;
  let zhangAccount: string;
  let zhangSecondAccount: string;
  let wrongNameAccount: string;
  let liAccount: string;
  /** TOTP codes are accepted once per time step, moving forward only: each step-up takes a later one. */
  const steps = new Map<string, number>();

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const context = { actor: SYSTEM_ACTOR, requestId: null };
    const add = (customerId: string, number: string, holderName: string) =>
      services.customers.addBankAccount(
        server.store.db,
        customerId,
        { bankName: '中国工商银行', number, holderName },
        context,
      );
    // Same name, written with other white space: the comparison normalises it.
    zhangAccount = await add(world.zhang, ZHANG_CARD, ` ${ZHANG_SAN.name} `);
    zhangSecondAccount = await add(world.zhang, ZHANG_SECOND_CARD, ZHANG_SAN.name);
    wrongNameAccount = await add(world.zhang, STRANGER_CARD, '王五');
    liAccount = await add(world.li, '6222020200998877665', '李四海');
    intake = await signInAs(server, 'claims_intake');
    adjuster = await signInAs(server, 'adjuster');
    supervisor = await signInAs(server, 'claims_supervisor');
    secondSupervisor = await signInAs(server, 'claims_supervisor');
    shanghaiSupervisor = await signInAs(server, 'claims_supervisor', { branch: 'shanghai' });
    finance = await signInAs(server, 'finance');
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  async function stepUp(session: StaffSession) {
    const step = (steps.get(session.userId) ?? 0) + 1;
    steps.set(session.userId, step);
    const response = await session.request('POST', '/api/v1/auth/second-factor', {
      code: totpCodeAt(session.totpSecret, Date.now() + step * 30_000),
    });
    expect(response.statusCode).toBe(200);
  }

  /** A motor claim of Zhang's, taken to adjusting by its adjuster. */
  async function claimInAdjusting(): Promise<{ id: string; version: number }> {
    const reported = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
      amountClaimed: '8600.00',
    });
    const { id } = reported.json() as { id: string };
    const registered = await intake.request('POST', `/api/v1/claims/${id}/transitions`, {
      to: 'registered',
      version: 1,
    });
    let version = (registered.json() as { version: number }).version;
    // Assignment by workload may pick another adjuster of the branch; the supervisor gives it to ours.
    if ((registered.json() as { assigneeId: string }).assigneeId !== adjuster.userId) {
      const assigned = await supervisor.request('POST', `/api/v1/claims/${id}/assignment`, {
        assigneeId: adjuster.userId,
        version,
      });
      expect(assigned.statusCode, assigned.body).toBe(200);
      version = (assigned.json() as { version: number }).version;
    }
    for (const [session, to] of [
      [adjuster, 'assessing'],
      [adjuster, 'adjusting'],
    ] as const) {
      const moved = await session.request('POST', `/api/v1/claims/${id}/transitions`, { to, version });
      expect(moved.statusCode, moved.body).toBe(200);
      version = (moved.json() as { version: number }).version;
    }
    return { id, version };
  }

  async function propose(
    claim: { id: string; version: number },
    amount: string,
    payeeAccountId = zhangAccount,
  ) {
    return adjuster.request('POST', `/api/v1/claims/${claim.id}/payouts`, {
      amount,
      payeeAccountId,
      claimVersion: claim.version,
    });
  }

  async function proposed(amount: string): Promise<{ claimId: string; payout: Payout }> {
    const claim = await claimInAdjusting();
    const response = await propose(claim, amount);
    expect(response.statusCode, response.body).toBe(201);
    return { claimId: claim.id, payout: response.json() as Payout };
  }

  async function approved(amount = '8600.00'): Promise<{ claimId: string; payout: Payout }> {
    const { claimId, payout } = await proposed(amount);
    const response = await supervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ state: 'approved' });
    return { claimId, payout: response.json() as Payout };
  }

  function execute(session: StaffSession, payoutId: string, key: string | undefined) {
    return server.app.inject({
      method: 'POST',
      url: `/api/v1/payouts/${payoutId}/execution`,
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrfToken,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
    });
  }

  async function claimState(id: string): Promise<string> {
    return ((await supervisor.request('GET', `/api/v1/claims/${id}`)).json() as { state: string }).state;
  }

  async function transfersFor(key: string): Promise<number> {
    const row = await server.store.db
      .selectFrom('simulated_bank_transfers')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  async function auditEvents(action: string) {
    const { rows } = await sql<{ canonical: Buffer }>`select canonical from audit_events`.execute(
      server.store.db,
    );
    const pending = await sql<{ event: unknown }>`select event from audit_inbox`
      .execute(server.store.db)
      .catch(() => ({ rows: [] }));
    return [
      ...rows.map((row) => JSON.parse(Buffer.from(row.canonical).toString('utf8'))),
      ...pending.rows.map((row) => row.event),
    ].filter((event) => (event as { action: string }).action === action) as {
      actor: { id: string };
      resource: { id: string };
      outcome: string;
      purpose: string | null;
      details: Record<string, unknown>;
    }[];
  }

  it('lists the claimant’s accounts masked, and proposes a payout to the claimant’s own account', async () => {
    const claim = await claimInAdjusting();
    const accounts = await adjuster.request('GET', `/api/v1/claims/${claim.id}/payee-accounts`);
    expect(accounts.statusCode).toBe(200);
    const items = (accounts.json() as { items: { id: string; number: { masked: boolean } }[] }).items;
    expect(items.map((item) => item.id)).toEqual([zhangAccount, zhangSecondAccount, wrongNameAccount]);
    expect(items.every((item) => item.number.masked)).toBe(true);
    for (const secret of [ZHANG_CARD, ZHANG_SECOND_CARD, STRANGER_CARD, ZHANG_SAN.name])
      expect(accounts.body).not.toContain(secret);

    const response = await propose(claim, '8600');
    expect(response.statusCode, response.body).toBe(201);
    const payout = response.json() as Payout;
    expect(payout).toMatchObject({ state: 'proposed', amount: '8600.00', approvals: [], payment: null });
    expect(payout.payee.number.masked).toBe(true);
    expect(response.body).not.toContain(ZHANG_CARD);
    expect(response.body).not.toContain(ZHANG_SAN.name);
    expect(await claimState(claim.id)).toBe('approving');
    // The holder name was compared inside the vault, for the payout purpose, and audited as such.
    const comparisons = await auditEvents('personal-data.compare');
    expect(comparisons.some((event) => event.purpose === 'payout' && event.details.same === true)).toBe(true);
    const listed = await finance.request('GET', `/api/v1/claims/${claim.id}/payouts`);
    expect((listed.json() as { items: Payout[] }).items.map((item) => item.id)).toEqual([payout.id]);
  });

  it('refuses a payee that is not the claimant’s account or whose holder is someone else', async () => {
    const claim = await claimInAdjusting();
    const other = await propose(claim, '100.00', liAccount);
    expect(other.json()).toMatchObject({ status: 422, type: '/problems/payee-not-claimant' });
    const mismatch = await propose(claim, '100.00', wrongNameAccount);
    expect(mismatch.json()).toMatchObject({ status: 422, type: '/problems/payee-name-mismatch' });
    expect(mismatch.body).not.toContain('王五');
    expect(await claimState(claim.id)).toBe('adjusting');
    const denials = await auditEvents('payout.propose');
    expect(
      denials.some((event) => event.outcome === 'denied' && event.details.reason === 'payee-name-mismatch'),
    ).toBe(true);
    // Not before adjusting, not above the sum insured, not by someone not assigned.
    const early = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
    });
    const earlyId = (early.json() as { id: string }).id;
    await intake.request('POST', `/api/v1/claims/${earlyId}/transitions`, { to: 'registered', version: 1 });
    expect((await propose({ id: earlyId, version: 2 }, '100.00')).statusCode).toBe(409);
    expect((await propose(claim, '300000.01')).statusCode).toBe(400);
    const stranger = await signInAs(server, 'adjuster');
    const byStranger = await stranger.request('POST', `/api/v1/claims/${claim.id}/payouts`, {
      amount: '100.00',
      payeeAccountId: zhangAccount,
      claimVersion: claim.version,
    });
    expect(byStranger.statusCode).toBe(403);
  });

  it('lets nobody approve their own proposal, outside their branch or without a fresh second factor', async () => {
    const { claimId, payout } = await proposed('1200.00');
    // The supervisor once worked the claim as its adjuster (a role change): their proposal is not theirs to approve.
    await server.store.db
      .updateTable('payouts')
      .set({ proposed_by: supervisor.userId })
      .where('id', '=', payout.id)
      .execute();
    const own = await supervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(own.json()).toMatchObject({ status: 403, type: '/problems/four-eyes-required' });
    const wrongBranch = await shanghaiSupervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(wrongBranch.json()).toMatchObject({ status: 403, type: '/problems/forbidden' });
    const byAdjuster = await adjuster.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(byAdjuster.statusCode).toBe(403);

    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes' where user_id = ${secondSupervisor.userId}`.execute(
      server.store.db,
    );
    const stale = await secondSupervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(stale.json()).toMatchObject({ status: 403, type: '/problems/step-up-required' });
    expect(await claimState(claimId)).toBe('approving');
    await stepUp(secondSupervisor);
    const fresh = await secondSupervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(fresh.json()).toMatchObject({ state: 'approved', approvalsRequired: 1 });
    expect(await claimState(claimId)).toBe('paying');
    const denials = await auditEvents('payout.approve');
    expect(
      denials.some((event) => event.outcome === 'denied' && event.details.reason === 'own-proposal'),
    ).toBe(true);
  });

  it('needs a second, different approver above the approval limit', async () => {
    const { claimId, payout } = await proposed('80000.00');
    const first = await supervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(first.json()).toMatchObject({ state: 'proposed', approvalsRequired: 2 });
    expect((first.json() as Payout).approvals).toHaveLength(1);
    expect(await claimState(claimId)).toBe('approving');
    // One approval over the limit pays nothing.
    const early = await execute(finance, payout.id, randomUUID());
    expect(early.json()).toMatchObject({ status: 409, type: '/problems/payout-state' });
    const twice = await supervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(twice.json()).toMatchObject({ status: 409, type: '/problems/already-approved' });
    const second = await secondSupervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(second.json()).toMatchObject({ state: 'approved', approvalsRequired: 2 });
    expect((second.json() as Payout).approvals.map((approval) => approval.approverId)).toEqual([
      supervisor.userId,
      secondSupervisor.userId,
    ]);
    expect(await claimState(claimId)).toBe('paying');
  });

  it('lets one approver with a higher personal limit approve alone', async () => {
    const manager = await signInAs(server, 'claims_supervisor');
    await server.store.db
      .insertInto('approval_limits')
      .values({ id: randomUUID(), user_id: manager.userId, amount: '100000.00' })
      .execute();
    const { payout } = await proposed('80000.00');
    const response = await manager.request('POST', `/api/v1/payouts/${payout.id}/approvals`);
    expect(response.json()).toMatchObject({ state: 'approved', approvalsRequired: 1 });
  });

  it('puts the payout on hold when its payee changes, refuses to pay it until a supervisor re-verifies', async () => {
    const { claimId, payout } = await approved();
    const changed = await adjuster.request('POST', `/api/v1/payouts/${payout.id}/payee`, {
      payeeAccountId: zhangSecondAccount,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      state: 'on-hold',
      hold: { reason: 'payee-changed', heldBy: adjuster.userId },
      payee: { id: zhangSecondAccount },
    });
    const alerts = await server.store.db
      .selectFrom('security_alerts')
      .select(['kind', 'severity', 'subject_user_id', 'details'])
      .where('kind', '=', 'payout-payee-changed')
      .execute();
    expect(
      alerts.some((alert) => alert.details.payoutId === payout.id && alert.severity === 'critical'),
    ).toBe(true);
    expect((await auditEvents('payout.hold')).some((event) => event.resource.id === payout.id)).toBe(true);

    const key = randomUUID();
    const refused = await execute(finance, payout.id, key);
    expect(refused.json()).toMatchObject({ status: 409, type: '/problems/payout-on-hold' });
    expect(await transfersFor(key)).toBe(0);
    // Approving is not re-verifying; the adjuster cannot lift their own hold; a supervisor with step-up can.
    expect((await supervisor.request('POST', `/api/v1/payouts/${payout.id}/approvals`)).statusCode).toBe(409);
    expect((await adjuster.request('POST', `/api/v1/payouts/${payout.id}/reverify`)).statusCode).toBe(403);
    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes' where user_id = ${supervisor.userId}`.execute(
      server.store.db,
    );
    const stale = await supervisor.request('POST', `/api/v1/payouts/${payout.id}/reverify`);
    expect(stale.json()).toMatchObject({ type: '/problems/step-up-required' });
    await stepUp(supervisor);
    const reverified = await supervisor.request('POST', `/api/v1/payouts/${payout.id}/reverify`);
    expect(reverified.json()).toMatchObject({
      state: 'approved',
      hold: null,
      reverifiedBy: supervisor.userId,
    });
    const paid = await execute(finance, payout.id, key);
    expect(paid.json()).toMatchObject({ state: 'paid' });
    expect(await claimState(claimId)).toBe('closed');
  });

  it('holds a pending payout when an account is added to the claimant, and alerts', async () => {
    const { payout } = await approved();
    const claimId = (
      await server.store.db
        .selectFrom('payouts')
        .select('claim_id')
        .where('id', '=', payout.id)
        .executeTakeFirstOrThrow()
    ).claim_id;
    const added = await adjuster.request('POST', `/api/v1/claims/${claimId}/payee-accounts`, {
      bankName: '招商银行',
      number: '6225880112345678',
      holderName: ZHANG_SAN.name,
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.body).not.toContain('6225880112345678');
    const [held] = (
      (await finance.request('GET', `/api/v1/claims/${claimId}/payouts`)).json() as {
        items: Payout[];
      }
    ).items;
    expect(held).toMatchObject({ id: payout.id, state: 'on-hold', hold: { reason: 'account-added' } });
    const alert = await server.store.db
      .selectFrom('security_alerts')
      .select('details')
      .where('kind', '=', 'payout-account-added')
      .execute();
    expect(alert.some((row) => row.details.payoutId === payout.id)).toBe(true);
    expect((await execute(finance, payout.id, randomUUID())).statusCode).toBe(409);
    const reverified = await secondSupervisor.request('POST', `/api/v1/payouts/${payout.id}/reverify`);
    expect(reverified.json()).toMatchObject({ state: 'approved', reverifiedBy: secondSupervisor.userId });
  });

  it('demands a UUID Idempotency-Key, returns the first result to a retry and refuses another key', async () => {
    const { claimId, payout } = await approved();
    expect((await execute(finance, payout.id, undefined)).json()).toMatchObject({
      status: 400,
      type: '/problems/validation-failed',
    });
    expect((await execute(finance, payout.id, 'not-a-uuid')).statusCode).toBe(400);
    expect((await execute(supervisor, payout.id, randomUUID())).statusCode).toBe(403);

    const key = randomUUID();
    const first = await execute(finance, payout.id, key);
    expect(first.statusCode, first.body).toBe(200);
    const paid = first.json() as Payout;
    expect(paid).toMatchObject({
      state: 'paid',
      payment: { state: 'paid', idempotencyKey: key, attempts: 1 },
    });
    expect(paid.providerReference).toMatch(/^SIM\d{8}[0-9A-F]{12}$/);
    expect(first.body).not.toContain(ZHANG_CARD);
    expect(await claimState(claimId)).toBe('closed');
    // The customer is told they were paid (and the claim closed), once per channel, not "state: closed".
    const notices = await server.store.db
      .selectFrom('notifications')
      .select(['template_id', 'channel'])
      .where('dedupe_key', 'like', `claim:${claimId}:%:closed:%`)
      .execute();
    expect(notices.map((notice) => `${notice.template_id} ${notice.channel}`).sort()).toEqual([
      'claim.payout-paid email',
      'claim.payout-paid in-app',
      'claim.payout-paid sms',
    ]);

    const retry = await execute(finance, payout.id, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toMatchObject({ state: 'paid', providerReference: paid.providerReference });
    const other = await execute(finance, payout.id, randomUUID());
    expect(other.json()).toMatchObject({ status: 409, type: '/problems/idempotency-key-conflict' });
    // A key belongs to one payout only.
    const { payout: next } = await approved();
    expect((await execute(finance, next.id, key)).json()).toMatchObject({
      type: '/problems/idempotency-key-conflict',
    });
    expect(await transfersFor(key)).toBe(1);

    // The claimant sees it in the portal (section 8): amount, paid, bank and masked card; nothing of staff.
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const asCustomer = (customerId: string) => ({
      context: {
        principal: {
          kind: 'customer' as const,
          customerId,
          sessionId: randomUUID(),
          sessionState: 'active' as const,
          csrfToken: '',
        },
        requestId: null,
        ip: null,
        userAgent: null,
      },
      ability: abilityFor(null),
      customerId,
    });
    const seen = await services.payouts.forClaimant(asCustomer(world.zhang), claimId);
    expect(seen).toEqual([
      {
        amount: '8600.00',
        currency: 'CNY',
        state: 'paid',
        payee: { bankName: '中国工商银行', number: { value: expect.stringMatching(/\*/), masked: true } },
        proposedAt: expect.any(Date),
        paidAt: expect.any(Date),
      },
    ]);
    expect(seen[0]?.payee?.number.value.slice(-4)).toBe(ZHANG_CARD.slice(-4));
    expect(JSON.stringify(seen)).not.toContain(ZHANG_CARD);
    await expect(services.payouts.forClaimant(asCustomer(world.li), claimId)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const ownReads = await auditEvents('personal-data.read');
    expect(
      ownReads.some(
        (event) =>
          event.actor.id === world.zhang &&
          (event as unknown as { purpose: string }).purpose === 'data-subject-request' &&
          event.resource.id === claimId,
      ),
    ).toBe(true);

    const paidEvents = await auditEvents('payout.paid');
    expect(paidEvents.filter((event) => event.resource.id === payout.id)).toHaveLength(1);
    // The bank got the account in clear: read for the payout purpose and audited as such.
    const unmasks = await auditEvents('personal-data.unmask');
    expect(unmasks.some((event) => event.resource.id === payout.id && event.purpose === 'payout')).toBe(true);
  });

  it('pays once when the same request arrives twice at once (double click), and once with two keys', async () => {
    const { payout } = await approved();
    const key = randomUUID();
    const [a, b] = await Promise.all([execute(finance, payout.id, key), execute(finance, payout.id, key)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect((a.json() as Payout).providerReference).toBe((b.json() as Payout).providerReference);
    expect(await transfersFor(key)).toBe(1);

    const { payout: next } = await approved();
    const keys = [randomUUID(), randomUUID()];
    const answers = await Promise.all(keys.map((k) => execute(finance, next.id, k)));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
    const transfers = await server.store.db
      .selectFrom('simulated_bank_transfers')
      .select('idempotency_key')
      .where('idempotency_key', 'in', keys)
      .execute();
    expect(transfers).toHaveLength(1);
  });

  it('drops the proposal when the supervisor sends the claim back, and takes a new one', async () => {
    const claim = await claimInAdjusting();
    const first = (await propose(claim, '5000.00')).json() as Payout;
    const back = await supervisor.request('POST', `/api/v1/claims/${claim.id}/transitions`, {
      to: 'adjusting',
      version: claim.version + 1,
      reason: '定损金额需复核',
    });
    expect(back.statusCode, back.body).toBe(200);
    const [dropped] = (
      (await supervisor.request('GET', `/api/v1/claims/${claim.id}/payouts`)).json() as {
        items: Payout[];
      }
    ).items;
    expect(dropped).toMatchObject({ id: first.id, state: 'sent-back' });
    const again = await propose({ id: claim.id, version: claim.version + 2 }, '4800.00');
    expect(again.statusCode, again.body).toBe(201);
  });

  it('gives finance its queue by state, masked', async () => {
    const { payout } = await approved();
    const queue = await finance.request('GET', '/api/v1/payouts?state=approved');
    expect(queue.statusCode).toBe(200);
    const body = queue.json() as { items: Payout[]; total: number };
    expect(body.items.some((item) => item.id === payout.id)).toBe(true);
    expect(body.items.every((item) => item.state === 'approved' && item.payee.number.masked)).toBe(true);
    expect(queue.body).not.toContain(ZHANG_CARD);
    expect((await adjuster.request('GET', '/api/v1/payouts')).statusCode).toBe(403);
    expect((await finance.request('GET', '/api/v1/payouts?state=lost')).statusCode).toBe(400);
  });

  it('writes no bank account number or name to the logs', () => {
    const logs = server.logs.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      ZHANG_CARD,
      ZHANG_SECOND_CARD,
      STRANGER_CARD,
      '6225880112345678',
      ZHANG_SAN.name,
      '王五',
    ])
      expect(logs).not.toContain(secret);
  });
});

describe('payouts when the bank fails', () => {
  let server: TestServer;
  let failures = 1;
  let bank: SimulatedPaymentGateway | undefined;

  beforeAll(async () => {
    server = await createTestServer({
      rateLimit: 100_000,
      paymentGateway: {
        async transfer(request) {
          if (failures > 0) {
            failures -= 1;
            throw new Error('the bank timed out');
          }
          return (bank as SimulatedPaymentGateway).transfer(request);
        },
      },
    });
    bank = new SimulatedPaymentGateway(server.store.db);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('keeps the payment executing and finishes it on a retry with the same key', async () => {
    const { claimId, finance, supervisor, execute } = await approvedPayout(server);
    const key = randomUUID();
    const failed = await execute(finance, key);
    expect(failed.json()).toMatchObject({ status: 502, type: '/problems/payment-failed' });
    const listed = (await finance.request('GET', `/api/v1/claims/${claimId}/payouts`)).json() as {
      items: Payout[];
    };
    expect(listed.items[0]).toMatchObject({
      state: 'executing',
      payment: { state: 'executing', attempts: 1 },
    });
    expect((await execute(finance, randomUUID())).statusCode).toBe(409);
    const retry = await execute(finance, key);
    expect(retry.json()).toMatchObject({ state: 'paid', payment: { state: 'paid', attempts: 2 } });
    const claim = (await supervisor.request('GET', `/api/v1/claims/${claimId}`)).json() as { state: string };
    expect(claim.state).toBe('closed');
    const transfers = await server.store.db
      .selectFrom('simulated_bank_transfers')
      .select('transfer_id')
      .where('idempotency_key', '=', key)
      .execute();
    expect(transfers).toHaveLength(1);
  });
});

describe('amounts', () => {
  it('are compared exactly, in cents', () => {
    expect(cents('50000')).toBe(5_000_000n);
    expect(cents('50000.01')).toBe(5_000_001n);
    expect(cents('0.5')).toBe(50n);
    expect(() => cents('1e5')).toThrow();
  });
});
