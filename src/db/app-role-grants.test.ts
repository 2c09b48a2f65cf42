import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleEvent, testAuditService } from '../modules/audit/audit-test-kit.js';
import { describeOnPostgres, postgresTestUrl } from '../test-support/test-stores.js';
import { grantAppRole } from './app-role-grants.js';
import { migrateToLatest } from './migrations.js';
import { openPostgresStore, type Store } from './store.js';

/** On PostgreSQL, the application's role may append to the audit log but never change it (S6.1). */
describeOnPostgres('restricted application role [postgres]', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const role = `cg_app_${randomBytes(4).toString('hex')}`;
  let owner: pg.Client;
  let asOwner: Store;
  let asApp: Store;

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: postgresTestUrl() });
    await owner.connect();
    await owner.query(`create schema ${schema}`);
    await owner.query(`create role ${role} login`);
    asOwner = await openPostgresStore({ url: postgresTestUrl(), schema });
    await migrateToLatest(asOwner.db);
    await grantAppRole(asOwner.db, role);
    const appUrl = new URL(postgresTestUrl());
    appUrl.username = role;
    appUrl.password = '';
    asApp = await openPostgresStore({ url: appUrl.toString(), schema });
  });

  afterAll(async () => {
    await asApp?.close();
    await asOwner?.close();
    await owner.query(`drop schema if exists ${schema} cascade`);
    await owner.query(`drop owned by ${role}`);
    await owner.query(`drop role if exists ${role}`);
    await owner.end();
  });

  it('records, sequences and verifies, and is refused every change to the log', async () => {
    const { audit } = testAuditService(asApp);
    await audit.record(asApp.db, sampleEvent(1));
    await audit.record(asApp.db, sampleEvent(2));
    expect(await audit.flush()).toBe(2);
    expect((await audit.verify()).intact).toBe(true);
    for (const statement of [
      sql`update audit_events set seq = seq`,
      sql`delete from audit_events`,
      sql`truncate audit_events`,
      sql`delete from audit_checkpoints`,
      sql`update audit_tree_nodes set hash = hash`,
    ]) {
      const error = await statement.execute(asApp.db).then(
        () => null,
        (failure: { code?: string }) => failure,
      );
      expect(error?.code, statement.compile(asApp.db).sql).toBe('42501');
    }
    // And it cannot switch the triggers off either: only the owner may alter the table.
    const disable = await sql`alter table audit_events disable trigger user`.execute(asApp.db).then(
      () => null,
      (failure: { code?: string }) => failure,
    );
    expect(disable?.code).toBe('42501');
  });
});
