import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { CSRF_HEADER } from '../access/route-access.js';
import { INCIDENT, seedClaimsWorld, ZHANG_SAN } from '../claims/claims-test-kit.js';

/**
 * Sharing a claim with an outside party over HTTP (issue section 6): what a share shows and refuses, that
 * its token lives nowhere but with the party, and that every opening, good or bad, is on the record.
 */
type AuditedEvent = {
  action: string;
  actor: { type: string; id: string | null; role: string | null };
  resource: { type: string; id: string | null };
  dataSubjectId: string | null;
  purpose: string | null;
  outcome: string;
  fields: string[];
  details: Record<string, unknown>;
};

type Created = { id: string; token: string; link: string; expiresAt: string };

const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

async function photo(seed: number): Promise<Buffer> {
  return sharp({
    create: {
      width: 320 + seed,
      height: 240,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

describe('claim shares API', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let intake: StaffSession;
  let adjuster: StaffSession;
  let finance: StaffSession;
  let supervisor: StaffSession;
  let claimId: string;
  let sharedPhoto: { id: string; bytes: Buffer };
  let privatePhoto: { id: string; bytes: Buffer };
  /** Every token handed out, for the database and log scans. */
  const tokens: string[] = [];

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    intake = await signInAs(server, 'claims_intake');
    adjuster = await signInAs(server, 'adjuster');
    finance = await signInAs(server, 'finance');
    supervisor = await signInAs(server, 'claims_supervisor');
    claimId = await reportClaim();
    sharedPhoto = await upload(claimId, await photo(1));
    privatePhoto = await upload(claimId, await photo(2));
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  // Each test opens from its own address, so that one test's refused openings never lock out another's.
  let address = '';
  let tests = 0;
  beforeEach(() => {
    tests += 1;
    address = `192.0.2.${tests}`;
  });

  async function reportClaim(): Promise<string> {
    const response = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
      amountClaimed: '8600.00',
      description: INCIDENT.description,
      incidentLocation: INCIDENT.location,
    });
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { id: string }).id;
  }

  async function upload(id: string, bytes: Buffer): Promise<{ id: string; bytes: Buffer }> {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${id}/documents?category=photo`,
      headers: {
        cookie: intake.cookie,
        [CSRF_HEADER]: intake.csrfToken,
        'content-type': 'application/octet-stream',
      },
      payload: bytes,
    });
    expect(response.statusCode, response.body).toBe(201);
    return { id: (response.json() as { id: string }).id, bytes };
  }

  async function share(
    session: StaffSession,
    id: string,
    overrides: Record<string, unknown> = {},
  ): Promise<ReturnType<StaffSession['request']>> {
    const response = await session.request('POST', `/api/v1/claims/${id}/shares`, {
      party: { name: '北京顺安汽车修理厂', kind: 'garage' },
      fields: ['number', 'state', 'claimantName', 'description'],
      documentIds: [sharedPhoto.id],
      expiresAt: inDays(7),
      ...overrides,
    });
    if (response.statusCode === 201) tokens.push((response.json() as Created).token);
    return response;
  }

  async function created(id = claimId, overrides: Record<string, unknown> = {}): Promise<Created> {
    const response = await share(intake, id, overrides);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as Created;
  }

  function open(token: string, remoteAddress = address) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/shares/open',
      payload: { token },
      remoteAddress,
    });
  }

  function download(token: string, documentId: string) {
    return server.app.inject({
      method: 'POST',
      url: `/api/v1/shares/documents/${documentId}`,
      payload: { token },
      remoteAddress: address,
    });
  }

  async function auditEvents(action: string): Promise<AuditedEvent[]> {
    const { rows } = await sql<{ canonical: Buffer }>`select canonical from audit_events`.execute(
      server.store.db,
    );
    const pending = await sql<{ event: unknown }>`select event from audit_inbox`
      .execute(server.store.db)
      .catch(() => ({ rows: [] }));
    return [
      ...rows.map((row) => JSON.parse(Buffer.from(row.canonical).toString('utf8'))),
      ...pending.rows.map((row) => row.event),
    ].filter((event) => (event as { action: string }).action === action) as AuditedEvent[];
  }

  async function refusalsOf(shareId: string | null, reason: string): Promise<AuditedEvent[]> {
    return (await auditEvents('share.open')).filter(
      (event) =>
        event.outcome === 'denied' &&
        event.actor.type === 'external-party' &&
        event.actor.id === shareId &&
        event.details.reason === reason,
    );
  }

  it('creates a share with a 256-bit token shown once as a link fragment, and lists it without the token', async () => {
    const response = await share(intake, claimId);
    expect(response.statusCode, response.body).toBe(201);
    const { id, token, link } = response.json() as Created;
    expect(token).toMatch(/^cgs_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(link).toBe(`/share#${token}`);

    const list = await intake.request('GET', `/api/v1/claims/${claimId}/shares`);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(token.slice(4));
    const listed = (list.json() as { items: Record<string, unknown>[] }).items.find((item) => item.id === id);
    expect(listed).toMatchObject({
      claimId,
      party: { name: '北京顺安汽车修理厂', kind: 'garage' },
      fields: ['number', 'state', 'claimantName', 'description'],
      documentIds: [sharedPhoto.id],
      revokedAt: null,
      lastOpenedAt: null,
      openings: 0,
      status: 'active',
    });
    const [event] = (await auditEvents('share.create')).filter(
      (candidate) => candidate.details.shareId === id,
    );
    expect(event).toMatchObject({
      actor: { type: 'staff', id: intake.userId },
      resource: { type: 'claim', id: claimId },
      dataSubjectId: world.zhang,
      purpose: 'claim-handling',
      outcome: 'success',
    });
    expect(event?.fields.sort()).toEqual(['claim.description', 'customer.name', 'document.accident_photo']);
    // Finance reads claims (and so the list) but cannot share them.
    expect((await finance.request('GET', `/api/v1/claims/${claimId}/shares`)).statusCode).toBe(200);
    expect((await share(finance, claimId)).statusCode).toBe(403);
  });

  it('opens with exactly the chosen fields, personal ones unmasked, and the chosen documents only', async () => {
    const { id, token } = await created();
    const response = await open(token);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as {
      claim: Record<string, unknown>;
      documents: { id: string }[];
      party: unknown;
    };
    expect(body.party).toEqual({ name: '北京顺安汽车修理厂', kind: 'garage' });
    expect(body.claim).toEqual({
      number: expect.stringMatching(/^CL\d{10}$/),
      state: 'reported',
      claimantName: ZHANG_SAN.name,
      description: INCIDENT.description,
    });
    expect(Object.keys(body.claim)).not.toContain('claimantPhone');
    expect(body.documents.map((document) => document.id)).toEqual([sharedPhoto.id]);
    for (const secret of [ZHANG_SAN.phone, ZHANG_SAN.idNumber, ZHANG_SAN.email, INCIDENT.location, '8600'])
      expect(response.body).not.toContain(secret);

    // The vault disclosed as the outside party, with the purpose, naming the claim.
    const unmasks = (await auditEvents('personal-data.unmask')).filter(
      (event) => event.actor.type === 'external-party' && event.actor.id === id,
    );
    expect(unmasks.length).toBeGreaterThan(0);
    for (const event of unmasks) {
      expect(event).toMatchObject({
        purpose: 'claim-handling',
        resource: { type: 'claim', id: claimId },
        dataSubjectId: world.zhang,
        actor: { role: 'garage' },
      });
    }
    expect(unmasks.flatMap((event) => event.fields).sort()).toEqual(['claim.description', 'customer.name']);
  });

  it('downloads a chosen document and refuses one that was not chosen, both audited', async () => {
    const { id, token } = await created();
    const response = await download(token, sharedPhoto.id);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.headers['content-disposition']).toMatch(/^attachment;/);
    expect(Buffer.compare(response.rawPayload, sharedPhoto.bytes)).toBe(0);

    const refused = await download(token, privatePhoto.id);
    expect(refused.statusCode).toBe(404);
    const downloads = (await auditEvents('share.document')).filter((event) => event.actor.id === id);
    expect(downloads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          outcome: 'success',
          actor: expect.objectContaining({ type: 'external-party', id }),
          resource: { type: 'document', id: sharedPhoto.id },
        }),
        expect.objectContaining({
          outcome: 'denied',
          details: expect.objectContaining({ reason: 'document-not-shared' }),
        }),
      ]),
    );
    const unmask = (await auditEvents('personal-data.unmask')).find(
      (event) => event.actor.id === id && event.resource.id === sharedPhoto.id,
    );
    expect(unmask).toMatchObject({ fields: ['document.accident_photo'], purpose: 'claim-handling' });
  });

  it('refuses an expired share, with the same answer as an unknown token', async () => {
    const { id, token } = await created();
    await sql`update claim_shares set created_at = now() - interval '8 days', expires_at = now() - interval '1 day' where id = ${id}`.execute(
      server.store.db,
    );
    const expired = await open(token);
    expect(expired.statusCode).toBe(404);
    expect((await download(token, sharedPhoto.id)).statusCode).toBe(404);
    expect(await refusalsOf(id, 'expired')).toHaveLength(1);

    const wrong = await open(`cgs_${'A'.repeat(43)}`);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(expired.json()));
    const list = (await intake.request('GET', `/api/v1/claims/${claimId}/shares`)).json() as {
      items: { id: string; status: string }[];
    };
    expect(list.items.find((item) => item.id === id)?.status).toBe('expired');
  });

  it('refuses a share once its claim is finished, checked at every opening', async () => {
    const otherClaim = await reportClaim();
    const { id, token } = await created(otherClaim, { documentIds: [] });
    expect((await open(token)).statusCode).toBe(200);
    const withdrawn = await intake.request('POST', `/api/v1/claims/${otherClaim}/transitions`, {
      to: 'withdrawn',
      version: 1,
      reason: '客户来电撤案',
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect((await open(token)).statusCode).toBe(404);
    expect(await refusalsOf(id, 'claim-finished')).toHaveLength(1);
    expect((await auditEvents('share.end')).find((event) => event.resource.id === otherClaim)).toMatchObject({
      details: { reason: 'claim-finished', state: 'withdrawn', shares: 1 },
    });
    // A finished claim takes no new shares either.
    expect((await share(intake, otherClaim, { documentIds: [] })).json()).toMatchObject({
      status: 409,
      type: '/problems/conflict',
    });
    // Ended for good: reopening the claim does not revive the link.
    const reopened = await supervisor.request('POST', `/api/v1/claims/${otherClaim}/transitions`, {
      to: 'reopened',
      version: 2,
      reason: '客户补充材料',
    });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect((await open(token)).statusCode).toBe(404);
    expect(await refusalsOf(id, 'claim-finished')).toHaveLength(2);
    const list = (await intake.request('GET', `/api/v1/claims/${otherClaim}/shares`)).json() as {
      items: { id: string; status: string; revokedBy: string | null }[];
    };
    expect(list.items.find((item) => item.id === id)).toMatchObject({
      status: 'claim-finished',
      revokedBy: null,
    });
  });

  it('revokes a share for handlers on duty only, audited, and refuses it afterwards', async () => {
    const { id, token } = await created();
    expect((await open(token)).statusCode).toBe(200);
    // Not assigned to the claim: outside the adjuster's duty.
    expect((await adjuster.request('POST', `/api/v1/shares/${id}/revocation`)).statusCode).toBe(403);
    const revoked = await intake.request('POST', `/api/v1/shares/${id}/revocation`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ id, status: 'revoked', revokedBy: intake.userId, openings: 1 });
    expect((await open(token)).statusCode).toBe(404);
    expect((await download(token, sharedPhoto.id)).statusCode).toBe(404);
    expect(await refusalsOf(id, 'revoked')).toHaveLength(1);
    expect((await auditEvents('share.revoke')).filter((event) => event.details.shareId === id)).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ id: intake.userId }), outcome: 'success' }),
    ]);
    expect((await intake.request('POST', `/api/v1/shares/${id}/revocation`)).statusCode).toBe(200);
    expect((await auditEvents('share.revoke')).filter((event) => event.details.shareId === id)).toHaveLength(
      1,
    );
  });

  it('refuses a wrong token and audits the attempt without the token', async () => {
    const before = (await refusalsOf(null, 'unknown-token')).length;
    const wrong = `cgs_${'Zq9'.repeat(14)}x`;
    const response = await open(wrong);
    expect(response.json()).toMatchObject({ status: 404, type: '/problems/not-found' });
    expect(response.body).not.toContain(wrong);
    expect((await open('not even a token')).statusCode).toBe(404);
    const refusals = await refusalsOf(null, 'unknown-token');
    expect(refusals.length).toBe(before + 2);
    expect(refusals.at(-1)).toMatchObject({ resource: { type: 'share', id: null }, dataSubjectId: null });
    const { rows } = await sql<{ text: string }>`select canonical::text as text from audit_events`.execute(
      server.store.db,
    );
    const inbox = await sql<{ text: string }>`select event::text as text from audit_inbox`.execute(
      server.store.db,
    );
    const everything = [...rows, ...inbox.rows].map((row) => row.text).join('\n');
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(Buffer.from(wrong).toString('hex'));
  });

  it('refuses to create a share for a handler outside their duty (audited), or beyond 30 days', async () => {
    const response = await share(adjuster, claimId);
    expect(response.json()).toMatchObject({ status: 403, type: '/problems/forbidden' });
    const denied = (await auditEvents('claim.update')).filter(
      (event) => event.outcome === 'denied' && event.actor.id === adjuster.userId,
    );
    expect(denied.some((event) => event.resource.id === claimId)).toBe(true);
    expect((await share(intake, claimId, { expiresAt: inDays(31) })).json()).toMatchObject({
      status: 400,
      type: '/problems/bad-request',
    });
    expect((await share(intake, claimId, { expiresAt: inDays(-1) })).statusCode).toBe(400);
    expect((await share(intake, claimId, { fields: [], documentIds: [] })).statusCode).toBe(400);
    expect((await share(intake, claimId, { fields: ['claimantIdNumber'] })).statusCode).toBe(400);
    // A document of another claim cannot be slipped in.
    const otherClaim = await reportClaim();
    const foreign = await upload(otherClaim, await photo(3));
    expect((await share(intake, claimId, { documentIds: [foreign.id] })).statusCode).toBe(400);
  });

  it('asks for a fresh second factor to disclose personal data, not to share plain claim facts', async () => {
    await sql`update staff_sessions set second_factor_at = now() - interval '6 minutes' where user_id = ${intake.userId}`.execute(
      server.store.db,
    );
    try {
      expect((await share(intake, claimId)).json()).toMatchObject({ type: '/problems/step-up-required' });
      expect(
        (await share(intake, claimId, { fields: ['number', 'state', 'incidentDate'], documentIds: [] }))
          .statusCode,
      ).toBe(201);
    } finally {
      await sql`update staff_sessions set second_factor_at = now() where user_id = ${intake.userId}`.execute(
        server.store.db,
      );
    }
  });

  it('records every opening as the outside party, and counts them on the share', async () => {
    const { id, token } = await created(claimId, { fields: ['claimantPhone'], documentIds: [] });
    for (let index = 0; index < 3; index += 1) {
      const response = await open(token);
      expect(response.json()).toMatchObject({ claim: { claimantPhone: ZHANG_SAN.phone } });
    }
    const openings = (await auditEvents('share.open')).filter(
      (event) => event.outcome === 'success' && event.actor.id === id,
    );
    expect(openings).toHaveLength(3);
    for (const event of openings)
      expect(event).toMatchObject({
        actor: { type: 'external-party', id, role: 'garage' },
        resource: { type: 'claim', id: claimId },
        dataSubjectId: world.zhang,
        purpose: 'claim-handling',
        fields: ['customer.phone'],
      });
    const list = (await intake.request('GET', `/api/v1/claims/${claimId}/shares`)).json() as {
      items: { id: string; openings: number; lastOpenedAt: string | null }[];
    };
    const listed = list.items.find((item) => item.id === id);
    expect(listed?.openings).toBe(3);
    expect(listed?.lastOpenedAt).not.toBeNull();
  });

  it('locks out an address after repeated failed openings, audited', async () => {
    const { token } = await created();
    for (let index = 0; index < 10; index += 1)
      expect((await open(`cgs_wrong-${index}`, address)).statusCode).toBe(404);
    const locked = await open(token, address);
    expect(locked.json()).toMatchObject({ status: 429, type: '/problems/too-many-attempts' });
    expect((locked.json() as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    const limited = (await auditEvents('share.open')).filter(
      (event) => event.details.reason === 'rate-limited',
    );
    expect(limited.length).toBeGreaterThan(0);
    // Another address is not held up.
    expect((await open(token, '198.51.100.9')).statusCode).toBe(200);
  });

  it('keeps tokens out of the database (only hashes) and out of the logs', async () => {
    expect(tokens.length).toBeGreaterThan(5);
    const { rows: tables } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(server.store.db);
    expect(tables.map((table) => table.name)).toContain('claim_shares');
    let dump = '';
    for (const { name } of tables) {
      const { rows } = await sql<{
        row: string;
      }>`select to_jsonb(t)::text as row from ${sql.table(name)} t`.execute(server.store.db);
      dump += rows.map((row) => row.row).join('\n');
    }
    expect(dump.length).toBeGreaterThan(10_000);
    for (const token of tokens) {
      const secret = token.slice(4);
      for (const form of [
        secret,
        Buffer.from(token).toString('hex'),
        Buffer.from(secret, 'base64url').toString('hex'),
        Buffer.from(secret, 'base64url').toString('base64'),
      ])
        expect(dump).not.toContain(form);
    }
    const logs = server.logs.lines.join('\n');
    for (const token of tokens) expect(logs).not.toContain(token.slice(4));
    for (const secret of [ZHANG_SAN.name, ZHANG_SAN.phone, INCIDENT.description])
      expect(logs).not.toContain(secret);
  });
});
