import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import type { TestServer } from '../../test-support/test-server.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import { seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';

/** Test fixtures for the payouts module (imported by tests only). */
export const ZHANG_CARD = '6222020200112233445';

/**
 * Seeds the claims world, an account of Zhang's in his name, and the staff of branch `beijing`; takes a
 * claim of Zhang's to adjusting, has its adjuster propose 8,600.00 and a supervisor approve it.
 */
export async function approvedPayout(server: TestServer): Promise<{
  payoutId: string;
  claimId: string;
  finance: StaffSession;
  supervisor: StaffSession;
  execute: (session: StaffSession, key: string) => Promise<LightMyRequestResponse>;
}> {
  const world = await seedClaimsWorld(server);
  const services = server.app.claims;
  if (!services) throw new Error('the test server has no vault keys');
  const account = await services.customers.addBankAccount(
    server.store.db,
    world.zhang,
    { bankName: '中国工商银行', number: ZHANG_CARD, holderName: ZHANG_SAN.name },
    { actor: SYSTEM_ACTOR, requestId: null },
  );
  const intake = await signInAs(server, 'claims_intake');
  const adjuster = await signInAs(server, 'adjuster');
  const supervisor = await signInAs(server, 'claims_supervisor');
  const finance = await signInAs(server, 'finance');
  const reported = await intake.request('POST', '/api/v1/claims', {
    policyNumber: world.motorNumber,
    claimantId: world.zhang,
    incidentDate: world.yesterday,
  });
  const claimId = (reported.json() as { id: string }).id;
  let version = 1;
  for (const [session, to] of [
    [intake, 'registered'],
    [adjuster, 'assessing'],
    [adjuster, 'adjusting'],
  ] as const) {
    const moved = await session.request('POST', `/api/v1/claims/${claimId}/transitions`, { to, version });
    expect(moved.statusCode, moved.body).toBe(200);
    version = (moved.json() as { version: number }).version;
  }
  const proposed = await adjuster.request('POST', `/api/v1/claims/${claimId}/payouts`, {
    amount: '8600.00',
    payeeAccountId: account,
    claimVersion: version,
  });
  expect(proposed.statusCode, proposed.body).toBe(201);
  const payoutId = (proposed.json() as { id: string }).id;
  const approval = await supervisor.request('POST', `/api/v1/payouts/${payoutId}/approvals`);
  expect(approval.statusCode, approval.body).toBe(200);
  const execute = (session: StaffSession, key: string) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/payouts/${payoutId}/execution`,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'idempotency-key': key },
    });
  return { payoutId, claimId, finance, supervisor, execute };
}
