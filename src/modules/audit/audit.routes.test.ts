import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle-tree.js';

const hexToBytes = (hex: string) => Buffer.from(hex, 'hex');

describe('audit log API (S6.1, S6.5)', () => {
  let server: TestServer;
  let officer: StaffSession;
  let external: StaffSession;

  beforeAll(async () => {
    server = await createTestServer();
    officer = await signInAs(server, 'security_officer');
    external = await signInAs(server, 'external_auditor');
    // Activity to look at: a refused request and a few sign-ins are already recorded.
    await (await signInAs(server, 'finance')).request('GET', '/api/v1/users');
  }, 60_000);

  afterAll(async () => {
    await server.close();
  });

  it('finds events by action and actor, paged by sequence number', async () => {
    const page = await officer.request('GET', '/api/v1/audit/events?action=auth.login&limit=2');
    expect(page.statusCode).toBe(200);
    const body = page.json() as {
      items: { seq: number; event: { action: string } }[];
      nextCursor: number | null;
    };
    expect(body.items).toHaveLength(2);
    expect(body.items.every((item) => item.event.action === 'auth.login')).toBe(true);
    expect(body.nextCursor).toBe(body.items[1]?.seq);
    const next = await officer.request(
      'GET',
      `/api/v1/audit/events?action=auth.login&limit=2&after=${body.nextCursor}`,
    );
    const nextItems = (next.json() as { items: { seq: number }[] }).items;
    expect(nextItems[0]?.seq).toBeGreaterThan(body.nextCursor ?? 0);

    const mine = await officer.request('GET', `/api/v1/audit/events?actorId=${officer.userId}`);
    const actions = (mine.json() as { items: { event: { actor: { id: string } } }[] }).items;
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((item) => item.event.actor.id === officer.userId)).toBe(true);
  });

  it('verifies the chain, and locates a changed event', async () => {
    const intact = await external.request('POST', '/api/v1/audit/verify');
    expect(intact.statusCode).toBe(200);
    expect(intact.json()).toMatchObject({ intact: true, problems: [] });

    await sql`alter table audit_events disable trigger user`.execute(server.store.db);
    await sql`update audit_events set canonical = canonical || '\x20'::bytea where seq = 1`.execute(
      server.store.db,
    );
    await sql`alter table audit_events enable trigger user`.execute(server.store.db);
    const tampered = await external.request('POST', '/api/v1/audit/verify');
    const report = tampered.json() as { intact: boolean; problems: { fromSeq: number | null }[] };
    expect(report.intact).toBe(false);
    expect(report.problems.some((problem) => problem.fromSeq === 1)).toBe(true);
  });

  it('proves inclusion and consistency in a way an outsider can check', async () => {
    const proof = await external.request('GET', '/api/v1/audit/events/3/inclusion-proof');
    expect(proof.statusCode).toBe(200);
    const body = proof.json() as {
      seq: number;
      treeSize: number;
      leafHash: string;
      rootHash: string;
      proof: string[];
    };
    expect(
      verifyInclusion(
        body.seq,
        body.treeSize,
        hexToBytes(body.leafHash),
        body.proof.map(hexToBytes),
        hexToBytes(body.rootHash),
      ),
    ).toBe(true);

    const consistency = await external.request(
      'GET',
      `/api/v1/audit/consistency-proof?from=2&to=${body.treeSize}`,
    );
    const c = consistency.json() as {
      oldSize: number;
      newSize: number;
      oldRootHash: string;
      newRootHash: string;
      proof: string[];
    };
    expect(
      verifyConsistency(
        c.oldSize,
        c.newSize,
        c.proof.map(hexToBytes),
        hexToBytes(c.oldRootHash),
        hexToBytes(c.newRootHash),
      ),
    ).toBe(true);
    const beyond = await external.request('GET', '/api/v1/audit/events/999999/inclusion-proof');
    expect(beyond.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('exports JSONL whose events hash to their leaves and end with a signed checkpoint, and records the export', async () => {
    const response = await external.request('GET', '/api/v1/audit/export?action=auth.login');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/x-ndjson');
    const lines = response.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = lines.filter((line) => line.type === 'event');
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(hashLeaf(Buffer.from(event.canonical as string, 'utf8')).toString('hex')).toBe(event.leafHash);
    }
    const checkpoint = lines.at(-1) as { type: string; note: string };
    expect(checkpoint.type).toBe('checkpoint');
    expect(checkpoint.note).toMatch(/^claimguard\.local\/audit\/test\n\d+\n[A-Za-z0-9+/=]+\n\n— /);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const recorded = await server.auditService.query({ action: 'audit.exported', actorId: external.userId });
    expect(recorded.items).toHaveLength(1);
  });

  it('shows a data subject who accessed their data by role and id, without session or address', async () => {
    const history = await officer.request('GET', '/api/v1/audit/subjects/no-such-subject/access-history');
    expect(history.statusCode).toBe(200);
    expect(history.json()).toEqual({ items: [], nextCursor: null });
  });

  it('serves the personal-data catalogue to staff, read-only', async () => {
    const response = await external.request('GET', '/api/v1/catalogue');
    expect(response.statusCode).toBe(200);
    const catalogue = response.json() as { fields: { id: string; sensitive: boolean; masking: string }[] };
    expect(catalogue.fields.find((field) => field.id === 'customer.id_number')).toMatchObject({
      masking: 'id-number',
    });
    expect(catalogue.fields.some((field) => field.sensitive)).toBe(true);
  });
});
