import { afterAll, beforeAll, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { describeEachStore } from '../../test-support/test-stores.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';
import { approvedPayout, ZHANG_CARD } from './payouts-test-kit.js';

/**
 * Issue 5 section 4 (S4.3): containment's `hold-changes` puts the held customers' pending payouts on hold
 * (through the payouts service, in the containment's transaction); they are not paid and not re-verified
 * until the incident's hold on the customer is lifted, then the payouts module's re-verification lets them
 * go on.
 */
describeEachStore('S4.3 payouts held by an incident', (storeKind) => {
  let server: TestServer;
  let officer: StaffSession;
  let payout: Awaited<ReturnType<typeof approvedPayout>>;
  let zhang: string;

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000, storeKind });
    payout = await approvedPayout(server);
    officer = await signInAs(server, 'security_officer');
    const customers = server.app.claims?.customers;
    if (!customers) throw new Error('no customers');
    [zhang] = (await customers.findIds(server.store.db, { idNumber: ZHANG_SAN.idNumber })) as [string];
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  const stateOf = async () => {
    const response = await payout.supervisor.request('GET', `/api/v1/claims/${payout.claimId}/payouts`);
    expect(response.statusCode, response.body).toBe(200);
    const items = (
      response.json() as { items: { id: string; state: string; hold: { reason: string } | null }[] }
    ).items;
    return items.find((item) => item.id === payout.payoutId);
  };

  it('holds the approved payout of a held customer, refuses payment and re-verification until the customer is re-verified', async () => {
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Payee details of customers exposed',
      kind: 'insider-misuse',
    });
    expect(declared.statusCode, declared.body).toBe(201);
    const incidentId = (declared.json() as { id: string }).id;
    const held = await officer.request('POST', `/api/v1/incidents/${incidentId}/containment`, {
      kind: 'hold-changes',
      subjectIds: [zhang],
    });
    expect(held.statusCode, held.body).toBe(201);
    const action = held.json() as { id: string; result: Record<string, unknown> };
    expect(action.result).toMatchObject({ subjects: 1, payoutsHeld: 1 });
    expect(await stateOf()).toMatchObject({ state: 'on-hold', hold: { reason: 'incident-hold' } });
    const events = await server.auditService.query({ action: 'payout.hold' });
    expect(
      events.items.map((item) => item.event).find((event) => event.resource.id === payout.payoutId),
    ).toMatchObject({
      actor: { type: 'staff', id: officer.userId },
      details: { reason: 'incident-hold', incidentId },
    });

    const paid = await payout.execute(payout.finance, crypto.randomUUID());
    expect(paid.statusCode).toBe(409);
    expect(paid.json()).toMatchObject({ type: '/problems/payout-on-hold' });
    const early = await payout.supervisor.request('POST', `/api/v1/payouts/${payout.payoutId}/reverify`);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ type: '/problems/changes-held' });
    expect(await stateOf()).toMatchObject({ state: 'on-hold' });

    // The customer is re-verified (the incident's hold lifted for them): the payouts module's own
    // re-verification lets the payout go on, and it is paid.
    const lifted = await officer.request(
      'POST',
      `/api/v1/incidents/${incidentId}/containment/${action.id}/subjects/${zhang}/reverification`,
    );
    expect(lifted.json()).toEqual({ lifted: true });
    expect(await stateOf()).toMatchObject({ state: 'on-hold' });
    const reverified = await payout.supervisor.request('POST', `/api/v1/payouts/${payout.payoutId}/reverify`);
    expect(reverified.statusCode, reverified.body).toBe(200);
    expect(reverified.json()).toMatchObject({ state: 'approved', hold: null });
    const nowPaid = await payout.execute(payout.finance, crypto.randomUUID());
    expect(nowPaid.statusCode, nowPaid.body).toBe(200);
  });

  it('simulates the payout hold in a drill, and holds nothing for a customer whose payouts are paid', async () => {
    const drill = await officer.request('POST', '/api/v1/incidents', {
      title: 'Exercise: payee details exposed',
      kind: 'insider-misuse',
      isDrill: true,
    });
    expect(drill.statusCode, drill.body).toBe(201);
    const drillId = (drill.json() as { id: string }).id;
    const simulated = await officer.request('POST', `/api/v1/incidents/${drillId}/containment`, {
      kind: 'hold-changes',
      subjectIds: [zhang],
    });
    expect(simulated.statusCode, simulated.body).toBe(201);
    expect((simulated.json() as { result: Record<string, unknown> }).result).not.toHaveProperty(
      'payoutsHeld',
    );
  });

  it('holds a payout proposed while its claimant is held, from the start', async () => {
    const world = await seedClaimsWorld(server);
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const account = await services.customers.addBankAccount(
      server.store.db,
      world.zhang,
      { bankName: '中国工商银行', number: ZHANG_CARD, holderName: ZHANG_SAN.name },
      { actor: SYSTEM_ACTOR, requestId: null },
    );
    const declared = await officer.request('POST', '/api/v1/incidents', {
      title: 'Customer records exposed',
      kind: 'insider-misuse',
    });
    const held = await officer.request(
      'POST',
      `/api/v1/incidents/${(declared.json() as { id: string }).id}/containment`,
      { kind: 'hold-changes', subjectIds: [world.zhang] },
    );
    expect((held.json() as { result: Record<string, unknown> }).result).toMatchObject({ payoutsHeld: 0 });

    const intake = await signInAs(server, 'claims_intake');
    const adjuster = await signInAs(server, 'adjuster');
    const reported = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
    });
    const claimId = (reported.json() as { id: string }).id;
    const registered = await intake.request('POST', `/api/v1/claims/${claimId}/transitions`, {
      to: 'registered',
      version: 1,
    });
    expect(registered.statusCode, registered.body).toBe(200);
    const assigned = await payout.supervisor.request('POST', `/api/v1/claims/${claimId}/assignment`, {
      assigneeId: adjuster.userId,
      version: (registered.json() as { version: number }).version,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    let version = (assigned.json() as { version: number }).version;
    for (const to of ['assessing', 'adjusting']) {
      const moved = await adjuster.request('POST', `/api/v1/claims/${claimId}/transitions`, { to, version });
      expect(moved.statusCode, moved.body).toBe(200);
      version = (moved.json() as { version: number }).version;
    }
    const proposed = await adjuster.request('POST', `/api/v1/claims/${claimId}/payouts`, {
      amount: '1200.00',
      payeeAccountId: account,
      claimVersion: version,
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    expect(proposed.json()).toMatchObject({ state: 'on-hold', hold: { reason: 'incident-hold' } });
  });
});
