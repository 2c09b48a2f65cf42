import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { captureCli } from '../../test-support/cli-capture.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { STAFF_ROLES } from '../access/roles.js';
import { CLAIM_STATES } from '../claims/claim-transitions.js';
import { IdentityService } from '../identity/identity.service.js';
import { SecretBox } from '../identity/secret-box.js';
import { type DemoResult, loadDemoData } from './demo-loader.js';
import { makeDemoPeople } from './demo-people.js';

/** The demo data set (issue "Demo data"): a living system, loaded through the real services. */
describe('demo data', () => {
  let server: TestServer;
  let result: DemoResult;

  beforeAll(async () => {
    server = await createTestServer();
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const identity = new IdentityService(server.store.db, {
      audit: server.audit,
      secretBox: new SecretBox(server.identityKey),
      sessionIdleMs: 60_000,
      sessionMaxMs: 3_600_000,
    });
    result = await loadDemoData(
      {
        db: server.store.db,
        identity,
        customers: services.customers,
        claims: services.claims,
        payouts: services.payouts,
      },
      { customers: 30, seed: 7 },
    );
  }, 240_000);

  afterAll(async () => {
    await server?.close();
  });

  it('creates staff of every role, each with a one-time password', () => {
    expect(new Set(result.staff.map((account) => account.role))).toEqual(
      new Set(STAFF_ROLES.filter((role) => role !== 'admin')),
    );
    for (const account of result.staff)
      expect(account.oneTimePassword).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){4}$/);
  });

  it("gives demo staff work emails; the security officer's is where alert emails go (issue 5 §1, S2.3)", async () => {
    const officer = await server.store.db
      .selectFrom('staff_users')
      .select(['id', 'email_sealed'])
      .where('username', '=', 'demo-security')
      .executeTakeFirstOrThrow();
    expect(officer.email_sealed).not.toContain('demo-security');
    const directory = server.app.claims?.directory;
    expect(await directory?.addressOf(server.store.db, { kind: 'staff', id: officer.id }, 'email')).toBe(
      'demo-security@claimguard.example',
    );
  });

  it('puts claims in every state of the lifecycle', async () => {
    expect(Object.keys(result.claimsByState).sort()).toEqual([...CLAIM_STATES].sort());
    const { rows } = await sql<{
      state: string;
      n: number;
    }>`select state, count(*)::int as n from claims group by state`.execute(server.store.db);
    expect(Object.fromEntries(rows.map((row) => [row.state, row.n]))).toEqual(result.claimsByState);
    expect(result.customers).toBe(30);
  });

  it('stores the people only encrypted, findable by their ID numbers through the blind index', async () => {
    const people = makeDemoPeople(30, 7);
    const { rows } = await sql<{
      dump: string;
    }>`select string_agg(encode(name_ct, 'escape') || encode(id_number_ct, 'escape'), '') as dump from customers`.execute(
      server.store.db,
    );
    for (const person of people.slice(0, 5)) {
      expect(rows[0]?.dump).not.toContain(person.residentId);
      const ids = await server.app.claims?.customers.findIds(server.store.db, {
        idNumber: person.residentId,
      });
      expect(ids).toHaveLength(1);
    }
  });

  it('is refused by the CLI on a store that already has customers, and validates its options', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'claimguard-demo-cli-'));
    const env = { CLAIMGUARD_DATA_DIR: dataDir, CLAIMGUARD_LOG_LEVEL: 'silent' };
    try {
      const bad = captureCli(env);
      expect(await runCli(['demo', '--customers', '0'], bad.io)).toBe(EXIT.usage);
      const first = captureCli(env);
      expect(await runCli(['demo', '--customers', '6'], first.io)).toBe(EXIT.ok);
      expect(first.out()).toContain('Demo data loaded: 6 customers');
      expect(first.out()).toContain('demo-supervisor');
      const second = captureCli(env);
      expect(await runCli(['demo', '--customers', '6'], second.io)).toBe(EXIT.failure);
      expect(second.err()).toContain('already holds customers');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
