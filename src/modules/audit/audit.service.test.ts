import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openPostgresStore, type Store } from '../../db/store.js';
import { describeEachStore, openTestStore, postgresTestUrl } from '../../test-support/test-stores.js';
import type { AuditService } from './audit.service.js';
import { sampleEvent, testAuditService } from './audit-test-kit.js';
import { openCheckpoint, parseVerifierKey } from './checkpoint-note.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle-tree.js';

describeEachStore('audit log', (kind) => {
  let store: Store;
  let audit: AuditService;
  let checkpointDir: string;

  beforeEach(async () => {
    store = await openTestStore(kind);
    ({ audit, checkpointDir } = testAuditService(store, { batchSize: 7 }));
  });

  afterEach(async () => {
    await audit.stop();
    await store.close();
    rmSync(checkpointDir, { recursive: true, force: true });
  });

  async function recordMany(count: number, from = 0): Promise<void> {
    for (let n = from; n < from + count; n++) await audit.record(store.db, sampleEvent(n));
  }

  /** Runs `change` with the append-only triggers off, as someone with owner rights could. */
  async function tamper(...changes: string[]): Promise<void> {
    await sql.raw('alter table audit_events disable trigger user').execute(store.db);
    for (const change of changes) await sql.raw(change).execute(store.db);
    await sql.raw('alter table audit_events enable trigger user').execute(store.db);
  }

  it('records in the caller transaction and sequences in order, gapless, in batches', async () => {
    await store.db.transaction().execute(async (trx) => {
      await audit.record(trx, sampleEvent(0));
      await audit.record(trx, sampleEvent(1));
    });
    await expect(
      store.db.transaction().execute(async (trx) => {
        await audit.record(trx, sampleEvent(99));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await recordMany(18, 2);
    expect(await audit.flush()).toBe(20);
    const page = await audit.query({}, { limit: 100 });
    expect(page.items.map((item) => item.seq)).toEqual([...Array(20).keys()]);
    expect(page.items.map((item) => item.event.requestId)).toEqual(
      [...Array(20).keys()].map((n) => `req-${n}`),
    );
    expect(page.items[0]?.event).toMatchObject({
      v: 1,
      seq: 0,
      action: 'personal-data.read',
      details: { n: 0 },
    });
  });

  it('refuses events that break the contract without echoing them', async () => {
    const bad = { ...sampleEvent(1), action: 'Not A Verb', outcome: 'maybe' } as never;
    await expect(audit.record(store.db, bad)).rejects.toMatchObject({
      code: 'validation-failed',
      extensions: { fields: expect.arrayContaining(['action', 'outcome']) },
    });
  });

  it('refuses update, delete and truncate of the log, its subtrees and checkpoints', async () => {
    await recordMany(4);
    await audit.createCheckpoint();
    for (const statement of [
      'update audit_events set action = $$x.y$$ where seq = 1',
      'delete from audit_events where seq = 3',
      'truncate audit_events',
      'update audit_checkpoints set tree_size = 1',
      'delete from audit_checkpoints',
      'truncate audit_checkpoints',
      'delete from audit_tree_nodes',
      'truncate audit_tree_nodes',
    ]) {
      await expect(sql.raw(statement).execute(store.db), statement).rejects.toThrow(/append-only/);
    }
    expect((await audit.verify()).intact).toBe(true);
  });

  it('signs C2SP checkpoints, keeps a copy outside the store, and does not repeat an unchanged one', async () => {
    await recordMany(5);
    const first = await audit.createCheckpoint();
    expect(first).toMatchObject({ created: true, treeSize: 5 });
    expect(first.file).toBe(`${checkpointDir}/5.checkpoint`);
    const [body, signature] = first.note.split('\n\n');
    expect(body).toMatch(/^claimguard\.local\/audit\/test\n5\n[A-Za-z0-9+/]{43}=$/);
    expect(signature).toMatch(/^\u2014 claimguard\.local\/audit\/test [A-Za-z0-9+/]{91}=\n$/);
    const opened = openCheckpoint(first.note, [parseVerifierKey(audit.verifierKey)]);
    expect(opened?.rootHash.equals(first.rootHash)).toBe(true);
    expect((await audit.createCheckpoint()).created).toBe(false);
  });

  it('verifies an intact log, and proves inclusion and consistency', async () => {
    await recordMany(23);
    const small = await audit.createCheckpoint();
    await recordMany(20, 23);
    const large = await audit.createCheckpoint();
    const report = await audit.verify({ pageSize: 10 });
    expect(report).toMatchObject({
      intact: true,
      events: 43,
      treeSize: 43,
      checkpointsChecked: 2,
      problems: [],
    });
    expect(report.checkpointFilesChecked).toBe(2);

    for (const seq of [0, 22, 42]) {
      const proof = await audit.inclusionProof(seq, { treeSize: 43 });
      const root = Buffer.from(proof.rootHash, 'hex');
      expect(root.equals(large.rootHash)).toBe(true);
      const proofBytes = proof.proof.map((hash) => Buffer.from(hash, 'hex'));
      expect(verifyInclusion(seq, 43, Buffer.from(proof.leafHash, 'hex'), proofBytes, root)).toBe(true);
      expect(proof.checkpoint).toBe(large.note);
    }
    const consistency = await audit.consistencyProof(23, 43);
    expect(
      verifyConsistency(
        23,
        43,
        consistency.proof.map((hash) => Buffer.from(hash, 'hex')),
        small.rootHash,
        large.rootHash,
      ),
    ).toBe(true);
  });

  it('answers queries by actor, subject, resource, action, outcome and time, paged by seq', async () => {
    await recordMany(30);
    const bySubject = await audit.query({ dataSubjectId: 'customer-1' }, { limit: 3 });
    expect(bySubject.items.map((item) => item.seq)).toEqual([1, 5, 9]);
    expect(bySubject.nextCursor).toBe(9);
    const next = await audit.query({ dataSubjectId: 'customer-1' }, { limit: 100, after: 9 });
    expect(next.items.map((item) => item.seq)).toEqual([13, 17, 21, 25, 29]);
    expect(next.nextCursor).toBeNull();
    // Newest first, as a data subject reads their own history (section 8): paged backwards by `before`.
    const newest = await audit.query({ dataSubjectId: 'customer-1' }, { limit: 3, newestFirst: true });
    expect(newest.items.map((item) => item.seq)).toEqual([29, 25, 21]);
    expect(newest.nextCursor).toBe(21);
    const older = await audit.query(
      { dataSubjectId: 'customer-1' },
      { limit: 100, newestFirst: true, before: 21 },
    );
    expect(older.items.map((item) => item.seq)).toEqual([17, 13, 9, 5, 1]);
    expect(older.nextCursor).toBeNull();
    expect((await audit.query({ actorId: 'staff-2' })).items).toHaveLength(10);
    expect((await audit.query({ resourceType: 'claim', resourceId: 'claim-0' })).items).toHaveLength(6);
    expect((await audit.query({ action: 'claim.update' })).items).toHaveLength(15);
    expect((await audit.query({ outcome: 'denied' })).items.map((item) => item.seq)).toEqual([6, 13, 20, 27]);
    expect((await audit.query({ from: new Date(Date.now() + 60_000) })).items).toHaveLength(0);
    expect((await audit.query({ to: new Date(Date.now() + 60_000) })).items).toHaveLength(30);
  });

  it('gives a data subject their access history: role and internal id, no session, address or browser', async () => {
    await recordMany(8);
    const history = await audit.accessHistory('customer-2');
    expect(history.items).toEqual([
      {
        seq: 2,
        at: expect.any(String),
        actor: { type: 'staff', id: 'staff-2', role: 'adjuster' },
        action: 'personal-data.read',
        fields: ['customer.id_number'],
        purpose: 'claim-assessment',
        outcome: 'success',
      },
      expect.objectContaining({ seq: 6, outcome: 'denied' }),
    ]);
    expect(JSON.stringify(history)).not.toMatch(/session|192\.0\.2|userAgent/);
  });

  it('locates a changed event whose bytes no longer hash to its leaf hash', async () => {
    await recordMany(12);
    await audit.createCheckpoint();
    await tamper(
      `update audit_events set canonical = replace(convert_from(canonical, 'UTF8'), 'claim-3', 'claim-4')::bytea where seq = 8`,
    );
    const report = await audit.verify();
    expect(report.intact).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'changed-event', fromSeq: 8, toSeq: 8 }),
    );
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint-mismatch', toSeq: 11 }),
    );
  });

  it('locates a changed event whose leaf hash was rewritten to match', async () => {
    await recordMany(12);
    await audit.createCheckpoint();
    const forged = Buffer.from(
      JSON.stringify({ forged: true }), // any bytes: the attacker recomputes the leaf hash too
    );
    await tamper(
      `update audit_events set canonical = '\\x${forged.toString('hex')}'::bytea, leaf_hash = '\\x${hashLeaf(forged).toString('hex')}'::bytea where seq = 5`,
    );
    const report = await audit.verify();
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint-mismatch', fromSeq: 0, toSeq: 11 }),
    );
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'tree-node-mismatch', fromSeq: 4, toSeq: 5 }),
    );
  });

  it('locates a deleted event (gap) and a truncated tail', async () => {
    await recordMany(10);
    await audit.createCheckpoint();
    await tamper('delete from audit_events where seq = 4');
    const gap = await audit.verify();
    expect(gap.problems).toContainEqual(
      expect.objectContaining({ kind: 'deleted-event', fromSeq: 4, toSeq: 4 }),
    );
    await tamper('delete from audit_events where seq >= 7');
    const tail = await audit.verify();
    expect(tail.problems).toContainEqual(
      expect.objectContaining({ kind: 'truncated-tail', fromSeq: 6, toSeq: 9 }),
    );
  });

  it('locates an inserted event (later events renumbered)', async () => {
    await recordMany(10);
    await audit.createCheckpoint();
    // Insert at seq 3: shift seq 3.. up by one (highest first), then put a forged row at 3.
    await tamper(
      'update audit_events set seq = seq + 100 where seq >= 3',
      'update audit_events set seq = seq - 99 where seq >= 100',
      `insert into audit_events (seq, canonical, leaf_hash, occurred_at, actor_type, action, resource_type, outcome)
        select 3, canonical, leaf_hash, occurred_at, actor_type, action, resource_type, outcome from audit_events where seq = 2`,
    );
    const inserted = await audit.verify();
    expect(inserted.problems).toContainEqual(
      expect.objectContaining({ kind: 'inserted-event', fromSeq: 3, toSeq: 10 }),
    );
    expect(inserted.problems.some((problem) => problem.kind === 'checkpoint-mismatch')).toBe(true);
  });

  it('locates reordered events', async () => {
    await recordMany(10);
    await audit.createCheckpoint();
    await tamper(
      'update audit_events set seq = 100 where seq = 2',
      'update audit_events set seq = 2 where seq = 6',
      'update audit_events set seq = 6 where seq = 100',
    );
    const report = await audit.verify();
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'reordered-events', fromSeq: 2 }));
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'reordered-events', fromSeq: 6 }));
  });

  it('reseals after a restore: superseded checkpoint files move aside and verification passes', async () => {
    await recordMany(6);
    await audit.createCheckpoint();
    await recordMany(4, 6);
    await audit.createCheckpoint();
    // Simulate restoring a backup taken at size 6: the later events and checkpoint are gone.
    await tamper('delete from audit_events where seq >= 6');
    await sql.raw('alter table audit_checkpoints disable trigger user').execute(store.db);
    await sql.raw('delete from audit_checkpoints where tree_size > 6').execute(store.db);
    await sql.raw('alter table audit_checkpoints enable trigger user').execute(store.db);
    await sql.raw('alter table audit_tree_nodes disable trigger user').execute(store.db);
    await sql.raw('delete from audit_tree_nodes where (idx + 1) * power(2, level) > 6').execute(store.db);
    await sql.raw('alter table audit_tree_nodes enable trigger user').execute(store.db);
    const before = await audit.verify();
    expect(before.problems).toContainEqual(
      expect.objectContaining({ kind: 'truncated-tail', fromSeq: 6, toSeq: 9 }),
    );

    const resealed = await audit.reseal('restored from backup of 2026-11-20');
    expect(resealed).toMatchObject({ restoredTreeSize: 6, supersededCheckpointFiles: ['10.checkpoint'] });
    expect(resealed.checkpoint.treeSize).toBe(7);
    const after = await audit.verify();
    expect(after).toMatchObject({ intact: true, events: 7 });
    const [event] = (await audit.query({ action: 'audit.resealed' })).items;
    expect(event?.event.details).toMatchObject({
      reason: 'restored from backup of 2026-11-20',
      restoredTreeSize: 6,
    });
  });

  if (kind === 'postgres') {
    it('keeps one gapless valid log when two processes append and sequence at once', async () => {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
      const other = await openPostgresStore({
        url: postgresTestUrl(),
        schema: rows[0]?.schema as string,
        poolSize: 8,
      });
      const second = testAuditService(other, { batchSize: 5 });
      try {
        const writer = async (service: AuditService, db: Store['db'], base: number) => {
          for (let n = 0; n < 60; n++) {
            await db.transaction().execute((trx) => service.record(trx, sampleEvent(base + n)));
            if (n % 5 === 0) service.nudge();
          }
        };
        await Promise.all([
          writer(audit, store.db, 0),
          writer(audit, store.db, 1_000),
          writer(second.audit, other.db, 2_000),
          writer(second.audit, other.db, 3_000),
          second.audit.flush(),
        ]);
        await Promise.all([audit.flush(), second.audit.flush()]);
        const report = await audit.verify();
        expect(report).toMatchObject({ intact: true, events: 240 });
      } finally {
        await second.audit.stop();
        await other.close();
        rmSync(second.checkpointDir, { recursive: true, force: true });
      }
    });
  }
});
