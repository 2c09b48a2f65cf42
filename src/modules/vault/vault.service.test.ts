import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { TestAuditRecorder } from '../../test-support/audit-test-recorder.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import { TEST_ADJUSTER, testVaultKeys } from '../../test-support/vault-fixtures.js';
import { type AuditEventInput, SYSTEM_ACTOR } from '../audit/audit-event.js';
import { testAuditService } from '../audit/audit-test-kit.js';
import { type RevealRequest, type VaultAccess, VaultService, type VaultTarget } from './vault.service.js';

const ID_NUMBER = '11010519491231002X';
const NAME = '欧阳娜娜';

function caughtError(promise: Promise<unknown>): Promise<DomainError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
      return error;
    },
  );
}

describeEachStore('personal-data vault', (kind) => {
  let store: Store;
  let audit: TestAuditRecorder;
  let keys: ReturnType<typeof testVaultKeys>;
  let vault: VaultService;
  let subjectId: string;

  const access = (overrides: Partial<VaultAccess> = {}): VaultAccess => ({
    actor: TEST_ADJUSTER,
    purpose: 'claim-handling',
    unmask: false,
    ...overrides,
  });
  const target = (overrides: Partial<VaultTarget> = {}): VaultTarget => ({
    subjectId,
    field: 'customer.id_number',
    table: 'customers',
    column: 'id_number',
    rowId: 'c-1',
    ...overrides,
  });

  beforeEach(async () => {
    store = await openTestStore(kind);
    audit = await TestAuditRecorder.install(store.db);
    keys = testVaultKeys();
    vault = new VaultService({ keys, audit });
    subjectId = await vault.createSubject(store.db);
  });

  afterEach(async () => {
    await store.close();
  });

  it('seals and reveals: masked by default, in clear only when unmasking is granted, each read audited', async () => {
    const { ciphertext, blindIndex } = await vault.seal(store.db, target(), ID_NUMBER, {
      actor: TEST_ADJUSTER,
    });
    expect(ciphertext.includes(Buffer.from(ID_NUMBER))).toBe(false);
    expect(blindIndex).toHaveLength(16);
    const request: RevealRequest = { ...target(), ciphertext };

    expect(await vault.reveal(store.db, request, access())).toEqual({
      field: 'customer.id_number',
      value: '1101**********002X',
      masked: true,
    });
    expect(await vault.reveal(store.db, request, access({ unmask: true, purpose: 'payout' }))).toEqual({
      field: 'customer.id_number',
      value: ID_NUMBER,
      masked: false,
    });
    const events = await audit.events(store.db);
    expect(events.map((event) => [event.action, event.purpose, event.dataSubjectId, event.fields])).toEqual([
      ['personal-data.write', null, subjectId, ['customer.id_number']],
      ['personal-data.read', 'claim-handling', subjectId, ['customer.id_number']],
      ['personal-data.unmask', 'payout', subjectId, ['customer.id_number']],
    ]);
    expect(events[2]).toMatchObject({
      actorId: TEST_ADJUSTER.id,
      resourceType: 'customers',
      resourceId: 'c-1',
    });
    expect(JSON.stringify(events)).not.toContain(ID_NUMBER);
  });

  it('refuses a read without a purpose, or with one the catalogue does not allow for the field', async () => {
    const { ciphertext } = await vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER });
    await audit.clear(store.db);
    const request = { ...target(), ciphertext };
    expect((await caughtError(vault.reveal(store.db, request, access({ purpose: null })))).code).toBe(
      'purpose-required',
    );
    const wrong = await caughtError(vault.reveal(store.db, request, access({ purpose: 'customer-service' })));
    expect(wrong.code).toBe('purpose-not-allowed');
    expect(wrong.message).not.toContain(ID_NUMBER);
    const unknown = await caughtError(
      vault.reveal(store.db, request, access({ purpose: 'curiosity' as VaultAccess['purpose'] })),
    );
    expect(unknown.code).toBe('purpose-not-allowed');
    expect(await audit.events(store.db)).toEqual([]);
  });

  it('refuses a ciphertext copied to another row, column, field or subject, with no plaintext', async () => {
    const other = await vault.createSubject(store.db);
    const first = await vault.seal(store.db, target({ rowId: 'c-1' }), ID_NUMBER, { actor: TEST_ADJUSTER });
    const second = await vault.seal(store.db, target({ rowId: 'c-2' }), '110105194912310', {
      actor: TEST_ADJUSTER,
    });
    // Swap the two rows' ciphertexts, as an attacker with write access to the table might.
    for (const moved of [
      { ...target({ rowId: 'c-2' }), ciphertext: first.ciphertext },
      { ...target({ rowId: 'c-1' }), ciphertext: second.ciphertext },
      { ...target({ column: 'passport_number' }), ciphertext: first.ciphertext },
      { ...target({ field: 'customer.passport_number' }), ciphertext: first.ciphertext },
      { ...target({ subjectId: other }), ciphertext: first.ciphertext },
    ]) {
      const error = await caughtError(vault.reveal(store.db, moved, access({ unmask: true })));
      expect(error.code).toBe('ciphertext-invalid');
      expect(error.message).toMatch(/integrity check/);
      expect(`${error.message}${JSON.stringify(error.extensions ?? {})}`).not.toMatch(
        /11010519491231|1101051949/,
      );
    }
    const tampered = Buffer.from(first.ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(
      (await caughtError(vault.reveal(store.db, { ...target(), ciphertext: tampered }, access()))).code,
    ).toBe('ciphertext-invalid');
    const futureFormat = Buffer.from(first.ciphertext);
    futureFormat[0] = 2;
    const refused = await caughtError(
      vault.reveal(store.db, { ...target(), ciphertext: futureFormat }, access()),
    );
    expect(refused.message).toContain('ciphertext format 2');
  });

  it('returns nothing when the audit event cannot be written, and a rolled-back read leaves no record', async () => {
    const { ciphertext } = await vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER });
    await audit.clear(store.db);
    const request = { ...target(), ciphertext };
    audit.failing = true;
    await expect(vault.reveal(store.db, request, access({ unmask: true }))).rejects.toThrow(
      'audit log unavailable',
    );
    audit.failing = false;

    await expect(
      store.db.transaction().execute(async (trx) => {
        await vault.reveal(trx, request, access({ unmask: true }));
        throw new Error('the caller failed after reading');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await audit.events(store.db)).toEqual([]);

    const value = await store.db
      .transaction()
      .execute((trx) => vault.reveal(trx, request, access({ unmask: true })));
    expect(value.value).toBe(ID_NUMBER);
    expect((await audit.events(store.db)).map((event) => event.action)).toEqual(['personal-data.unmask']);
  });

  it('reveals a list with one audit event per data subject, refusing the whole list on one bad purpose', async () => {
    const second = await vault.createSubject(store.db);
    const sealed = await vault.sealMany(
      store.db,
      [
        { target: target({ field: 'customer.name', column: 'name' }), plaintext: NAME },
        { target: target(), plaintext: ID_NUMBER },
        {
          target: target({ subjectId: second, field: 'customer.name', column: 'name', rowId: 'c-2' }),
          plaintext: '张三',
        },
      ],
      { actor: TEST_ADJUSTER },
    );
    expect(sealed[0]?.blindIndex).toBeNull();
    expect((await audit.events(store.db)).map((event) => [event.dataSubjectId, event.fields])).toEqual([
      [subjectId, ['customer.name', 'customer.id_number']],
      [second, ['customer.name']],
    ]);
    await audit.clear(store.db);
    const requests: RevealRequest[] = [
      { ...target({ field: 'customer.name', column: 'name' }), ciphertext: sealed[0]?.ciphertext as Buffer },
      { ...target(), ciphertext: sealed[1]?.ciphertext as Buffer },
      {
        ...target({ subjectId: second, field: 'customer.name', column: 'name', rowId: 'c-2' }),
        ciphertext: sealed[2]?.ciphertext as Buffer,
      },
    ];
    expect((await vault.revealMany(store.db, requests, access())).map((value) => value.value)).toEqual([
      '欧***',
      '1101**********002X',
      '张*',
    ]);
    const events = await audit.events(store.db);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      dataSubjectId: subjectId,
      resourceId: 'c-1',
      details: { values: 2, rows: 1 },
    });
    await audit.clear(store.db);
    const refused = await caughtError(
      vault.revealMany(store.db, requests, access({ purpose: 'customer-service' })),
    );
    expect(refused.code).toBe('purpose-not-allowed');
    expect(await audit.events(store.db)).toEqual([]);
  });

  it('seals and reveals documents as bytes, only unmasked', async () => {
    const document = Buffer.concat([Buffer.from('%PDF-1.7 '), Buffer.from(NAME), Buffer.alloc(4096, 0xab)]);
    const docTarget = target({
      field: 'document.health_record',
      table: 'documents',
      column: 'content',
      rowId: 'd-1',
    });
    const { ciphertext } = await vault.sealBytes(store.db, docTarget, document, { actor: TEST_ADJUSTER });
    const request = { ...docTarget, ciphertext };
    expect(await vault.revealBytes(store.db, request, access({ unmask: true }))).toEqual(document);
    expect((await caughtError(vault.revealBytes(store.db, request, access()))).code).toBe('unmask-required');
    expect((await caughtError(vault.reveal(store.db, request, access({ unmask: true })))).code).toBe(
      'bad-request',
    );
    expect((await caughtError(vault.seal(store.db, docTarget, 'text', { actor: TEST_ADJUSTER }))).code).toBe(
      'bad-request',
    );
  });

  it('indexes searchable fields so differently typed forms of one value match', async () => {
    const { blindIndex } = await vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER });
    expect(vault.blindIndex('customer.id_number', '１１０１０５ １９４９１２３１ ００２ｘ')).toEqual(
      blindIndex,
    );
    expect(vault.blindIndex('customer.phone', '11010519491231002X')).not.toEqual(blindIndex);
    expect(() => vault.blindIndex('customer.name', NAME)).toThrow(/not searchable/);
  });

  it('crypto-shreds a subject: a proof, an audit event, and every later read refused as shredded', async () => {
    const { ciphertext } = await vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER });
    const request = { ...target(), ciphertext };
    await vault.reveal(store.db, request, access()); // the DEK is now cached in this process
    const proof = await vault.shredSubject(store.db, subjectId, SYSTEM_ACTOR);
    expect(proof).toMatchObject({ subjectId, kekId: expect.stringMatching(/^env-/) });
    expect(proof.destroyedKeySha256).toMatch(/^[0-9a-f]{64}$/);
    const stored = await store.db
      .selectFrom('vault_subjects')
      .select(['wrapped_dek', 'shredded_at'])
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    expect(stored.wrapped_dek).toBeNull();
    expect(stored.shredded_at).toBeInstanceOf(Date);
    const events = await audit.events(store.db);
    expect(events.at(-1)).toMatchObject({
      action: 'personal-data.shred',
      dataSubjectId: subjectId,
      details: { destroyedKeySha256: proof.destroyedKeySha256 },
    });

    // Another process (no cache) and this one (cache dropped) both refuse.
    const otherProcess = new VaultService({ keys, audit });
    for (const service of [vault, otherProcess]) {
      const error = await caughtError(service.reveal(store.db, request, access({ unmask: true })));
      expect(error.code).toBe('subject-shredded');
    }
    expect(
      (await caughtError(vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER }))).code,
    ).toBe('subject-shredded');
    expect(await vault.shredSubject(store.db, subjectId, SYSTEM_ACTOR)).toEqual(proof);
    expect(
      (await audit.events(store.db)).filter((event) => event.action === 'personal-data.shred'),
    ).toHaveLength(1);
  });

  it('refuses a wrapped data key moved onto another subject', async () => {
    const other = await vault.createSubject(store.db);
    const { ciphertext } = await vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER });
    const source = await store.db
      .selectFrom('vault_subjects')
      .select('wrapped_dek')
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    await store.db
      .updateTable('vault_subjects')
      .set({ wrapped_dek: source.wrapped_dek })
      .where('subject_id', '=', other)
      .execute();
    const fresh = new VaultService({ keys, audit });
    const moved = { ...target({ subjectId: other }), ciphertext };
    expect((await caughtError(fresh.reveal(store.db, moved, access()))).code).toBe('ciphertext-invalid');
  });

  it('answers not-found for an unknown subject and bad-request for a malformed id', async () => {
    const { ciphertext } = await vault.seal(store.db, target(), ID_NUMBER, { actor: TEST_ADJUSTER });
    const unknown = { ...target({ subjectId: '00000000-0000-4000-8000-000000000000' }), ciphertext };
    expect((await caughtError(vault.reveal(store.db, unknown, access()))).code).toBe('not-found');
    const malformed = { ...target({ subjectId: 'not-a-uuid' }), ciphertext };
    expect((await caughtError(vault.reveal(store.db, malformed, access()))).code).toBe('bad-request');
  });
});

describeEachStore(
  'personal-data vault with the audit log: the key and the event in one statement',
  (kind) => {
    let store: Store;
    let vault: VaultService;
    let subjectId: string;
    const access: VaultAccess = { actor: TEST_ADJUSTER, purpose: 'claim-handling', unmask: false };
    const inbox = async () =>
      (
        await sql<{ event: AuditEventInput }>`select event from audit_inbox order by id`.execute(store.db)
      ).rows.map((row) => row.event);
    const sealed = async () => {
      const target: VaultTarget = {
        subjectId,
        field: 'customer.id_number',
        table: 'customers',
        column: 'id_number',
        rowId: 'c-1',
      };
      const { ciphertext } = await vault.seal(store.db, target, ID_NUMBER, { actor: TEST_ADJUSTER });
      await sql`delete from audit_inbox`.execute(store.db);
      return { ...target, ciphertext };
    };

    beforeEach(async () => {
      store = await openTestStore(kind);
      vault = new VaultService({ keys: testVaultKeys(), audit: testAuditService(store).audit });
      subjectId = await vault.createSubject(store.db);
    });

    afterEach(async () => {
      await store.close();
    });

    it('a masked read outside a transaction writes its event with the key (issue 4 §11)', async () => {
      const request = await sealed();
      expect(await vault.reveal(store.db, request, access)).toMatchObject({ value: '1101**********002X' });
      expect(await inbox()).toEqual([
        expect.objectContaining({
          action: 'personal-data.read',
          dataSubjectId: subjectId,
          fields: ['customer.id_number'],
          purpose: 'claim-handling',
          outcome: 'success',
        }),
      ]);
    });

    it('returns nothing when the event cannot be written in that statement', async () => {
      const request = await sealed();
      await sql`create function refuse_audit() returns trigger language plpgsql as $$
      begin raise exception 'audit inbox refused (test)'; end $$`.execute(store.db);
      await sql`create trigger refuse_audit before insert on audit_inbox
      for each row execute function refuse_audit()`.execute(store.db);
      await expect(vault.reveal(store.db, request, access)).rejects.toThrow('audit inbox refused');
      await sql`drop trigger refuse_audit on audit_inbox`.execute(store.db);
      expect(await inbox()).toEqual([]);
    });

    it('writes no read event for a shredded subject, and refuses the read', async () => {
      const request = await sealed();
      await vault.shredSubject(store.db, subjectId, SYSTEM_ACTOR);
      await sql`delete from audit_inbox`.execute(store.db);
      expect((await caughtError(vault.reveal(store.db, request, access))).code).toBe('subject-shredded');
      expect(await inbox()).toEqual([]);
    });
  },
);
