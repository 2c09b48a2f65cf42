import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import {
  type AuditActor,
  type AuditEventInput,
  type AuditRecorder,
  recordsInStatements,
} from '../audit/audit-event.js';
import { BlindIndexer } from './blind-index.js';
import {
  type CiphertextBinding,
  type DataKey,
  DataKeyCache,
  dataKeyFrom,
  decryptField,
  encryptField,
  newDataKey,
} from './field-cipher.js';
import { keyMaterialHash, type VaultKeys } from './key-provider.js';
import { mask } from './masking.js';
import {
  isPersonalDataFieldId,
  isPurposeId,
  PERSONAL_DATA_CATALOGUE,
  type PersonalDataField,
  type PersonalDataFieldId,
  type PurposeId,
} from './personal-data-catalogue.js';
import * as repository from './vault.repository.js';

/**
 * The personal-data vault (S2.3): the one door personal data passes through.
 *
 * SECURITY invariants, each enforced here and nowhere else:
 * - Plaintext personal data is produced only by {@link VaultService.reveal}, {@link VaultService.revealMany} and
 *   {@link VaultService.revealBytes}. Each checks that the read names a purpose the catalogue allows for the
 *   field, masks unless the caller was granted unmasking, and writes the audit event in the caller's
 *   transaction before returning: if the event cannot be written, the read fails and nothing is returned.
 * - Every field is encrypted under its data subject's own key (DEK), bound to table, column, row, field and
 *   subject; the DEK is stored only wrapped under a key-encryption key kept outside the database.
 * - Shredding a subject destroys its wrapped DEK; every ciphertext of that subject becomes noise.
 *
 * Who may unmask, for which purpose, with which step-up, is the access module's decision; the vault
 * enforces the parts it can know (a purpose is given, and the catalogue allows it for the field).
 */

type Db = Kysely<Database>;

/** Where a value lives: the associated data every ciphertext is bound to. */
export type VaultTarget = {
  subjectId: string;
  field: PersonalDataFieldId;
  table: string;
  column: string;
  /** The id of the row holding the value (as text). */
  rowId: string;
};

export type VaultWriteContext = {
  actor: AuditActor;
  requestId?: string | null;
};

export type VaultAccess = {
  actor: AuditActor;
  /** Why the data is read; must be one of the field's catalogue purposes. */
  purpose: PurposeId | null | undefined;
  /** Granted by the access module (permission + purpose + step-up); false shows masked values only. */
  unmask: boolean;
  requestId?: string | null;
  /**
   * What the caller was looking at (e.g. `{ type: 'claim', id }`) when one business record spans several
   * tables; the audit event names it instead of the tables, so "who looked at this claim" is one query.
   */
  resource?: { type: string; id: string };
};

export type RevealRequest = VaultTarget & { ciphertext: Uint8Array };

export type SealedValue = {
  ciphertext: Buffer;
  /** Present for searchable fields: store it beside the ciphertext and search with {@link VaultService.blindIndex}. */
  blindIndex: Buffer | null;
};

export type RevealedValue = {
  field: PersonalDataFieldId;
  /** Masked by the field's rule unless unmasking was granted. */
  value: string;
  masked: boolean;
};

/** Evidence that a subject was crypto-shredded, for the erasure record (S4.1) and the requester. */
export type ShredProof = {
  subjectId: string;
  shreddedAt: Date;
  /** The KEK the destroyed DEK was wrapped under. */
  kekId: string;
  /** SHA-256 (hex) of the destroyed wrapped DEK: identifies what was destroyed without being usable. */
  destroyedKeySha256: string;
};

/**
 * Which data subjects are frozen by a security incident's containment (S4.3): no unmasking, no document.
 * The incidents module provides it; the vault consults it on every unmasked read, whatever the caller.
 */
export interface UnmaskGate {
  frozenAmong(db: Db, subjectIds: readonly string[]): Promise<ReadonlySet<string>>;
}

export type VaultServiceOptions = {
  keys: VaultKeys;
  audit: AuditRecorder;
  /** Containment's freeze check; without it nothing is ever frozen. */
  unmaskGate?: UnmaskGate;
  /** Unwrapped-DEK cache (bounded LRU with TTL); `maxEntries: 0` turns it off. */
  dataKeyCache?: { maxEntries?: number; ttlMs?: number };
};

function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

function normaliseForComparison(value: string): string {
  return value.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

function fieldOf(id: string): PersonalDataField {
  // Types keep callers honest at compile time; this keeps a field id from a request honest at run time.
  if (!isPersonalDataFieldId(id))
    throw new DomainError('bad-request', 'The field is not in the personal-data catalogue.');
  return PERSONAL_DATA_CATALOGUE[id];
}

function bindingOf(target: VaultTarget): CiphertextBinding {
  return {
    subjectId: target.subjectId,
    field: target.field,
    table: target.table,
    column: target.column,
    rowId: target.rowId,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkSubjectId(subjectId: string): void {
  if (!UUID.test(subjectId)) throw new DomainError('bad-request', 'A data subject id is a UUID.');
}

export class VaultService {
  private readonly keys: VaultKeys;
  private readonly audit: AuditRecorder;
  private readonly cache: DataKeyCache;
  private readonly indexer: BlindIndexer;
  private readonly unmaskGate: UnmaskGate | null;

  constructor(options: VaultServiceOptions) {
    this.keys = options.keys;
    this.audit = options.audit;
    this.unmaskGate = options.unmaskGate ?? null;
    // SECURITY: unwrapped DEKs stay in this process's memory for at most ttlMs (default 60 s), at most
    // maxEntries (default 1000) of them; see DataKeyCache for why this cannot outlive a shred.
    this.cache = new DataKeyCache(
      options.dataKeyCache?.maxEntries ?? 1_000,
      options.dataKeyCache?.ttlMs ?? 60_000,
    );
    this.indexer = new BlindIndexer(options.keys.blindIndexKey);
  }

  /** Creates a data subject with a fresh DEK, wrapped under the current KEK; returns its id. */
  async createSubject(db: Db): Promise<string> {
    const subjectId = randomUUID();
    const dataKey = newDataKey(1);
    const { kekId, wrapped } = await this.keys.kek.wrap(dataKey.key, { subjectId });
    await repository.insertSubject(db, { subjectId, wrappedDek: wrapped, kekId });
    return subjectId;
  }

  /** Encrypts a text value for storage; records `personal-data.write`. */
  async seal(
    db: Db,
    target: VaultTarget,
    plaintext: string,
    context: VaultWriteContext,
  ): Promise<SealedValue> {
    const [sealed] = await this.sealMany(db, [{ target, plaintext }], context);
    return sealed as SealedValue;
  }

  /**
   * Encrypts several text values (one form, one import row); one `personal-data.write` event per subject
   * naming the fields written.
   */
  async sealMany(
    db: Db,
    items: readonly { target: VaultTarget; plaintext: string }[],
    context: VaultWriteContext,
  ): Promise<SealedValue[]> {
    for (const { target } of items) {
      if (fieldOf(target.field).binary) {
        throw new DomainError('bad-request', `The field ${target.field} holds a document; use sealBytes.`);
      }
    }
    return inTransaction(db, async (trx) => {
      const sealed: SealedValue[] = [];
      for (const { target, plaintext } of items) {
        const dataKey = await this.dataKeyFor(trx, target.subjectId);
        sealed.push({
          ciphertext: encryptField(dataKey, bindingOf(target), Buffer.from(plaintext, 'utf8')),
          blindIndex: this.indexer.isSearchable(target.field)
            ? this.indexer.compute(target.field, plaintext)
            : null,
        });
      }
      await this.recordPerSubject(
        trx,
        items.map((item) => item.target),
        {
          action: 'personal-data.write',
          actor: context.actor,
          purpose: null,
          requestId: context.requestId ?? null,
        },
      );
      return sealed;
    });
  }

  /** Encrypts a document or image (binary catalogue fields); records `personal-data.write`. */
  async sealBytes(
    db: Db,
    target: VaultTarget,
    content: Uint8Array,
    context: VaultWriteContext,
  ): Promise<{ ciphertext: Buffer }> {
    if (!fieldOf(target.field).binary) {
      throw new DomainError('bad-request', `The field ${target.field} holds text; use seal.`);
    }
    return inTransaction(db, async (trx) => {
      const dataKey = await this.dataKeyFor(trx, target.subjectId);
      const ciphertext = encryptField(dataKey, bindingOf(target), content);
      await this.recordPerSubject(trx, [target], {
        action: 'personal-data.write',
        actor: context.actor,
        purpose: null,
        requestId: context.requestId ?? null,
        details: { bytes: content.byteLength },
      });
      return { ciphertext };
    });
  }

  /**
   * Decrypts one value and returns it masked, or in clear when `access.unmask` is granted. Records
   * `personal-data.read` (masked) or `personal-data.unmask` (with the purpose) in `db` before returning.
   */
  async reveal(db: Db, request: RevealRequest, access: VaultAccess): Promise<RevealedValue> {
    const [value] = await this.revealMany(db, [request], access);
    return value as RevealedValue;
  }

  /**
   * Decrypts the values of a list or a page. One audit event per data subject (not per value, not one for
   * the whole batch): an event names exactly one subject, which is what answering "who saw my data?"
   * (S4.1) needs, and a page of 50 claims costs 50 events rather than 500.
   * The whole call is refused if any value's field does not allow the purpose: no partial disclosure.
   */
  async revealMany(
    db: Db,
    requests: readonly RevealRequest[],
    access: VaultAccess,
  ): Promise<RevealedValue[]> {
    const purpose = this.checkPurpose(requests, access);
    for (const request of requests) {
      if (fieldOf(request.field).binary) {
        throw new DomainError('bad-request', `The field ${request.field} holds a document; use revealBytes.`);
      }
    }
    const event = {
      action: access.unmask ? 'personal-data.unmask' : 'personal-data.read',
      actor: access.actor,
      purpose,
      requestId: access.requestId ?? null,
      resource: access.resource,
    } as const;
    const decrypt = (keys: ReadonlyMap<string, DataKey>) =>
      requests.map((request) => {
        const dataKey = keys.get(request.subjectId) as DataKey;
        const plaintext = decryptField(dataKey, bindingOf(request), request.ciphertext).toString('utf8');
        return access.unmask
          ? { field: request.field, value: plaintext, masked: false }
          : {
              field: request.field,
              value: mask(PERSONAL_DATA_CATALOGUE[request.field].masking, plaintext),
              masked: true,
            };
      });
    const subjectId = requests[0]?.subjectId;
    const audit = this.audit;
    // The hot path (a masked read of one subject's values outside a transaction, e.g. the claim detail): the
    // key and the read's audit event in one statement, so the key leaves the database only with its event
    // written. Unmasking keeps the transaction below: it must also check containment's freeze.
    if (
      subjectId &&
      !db.isTransaction &&
      !access.unmask &&
      recordsInStatements(audit) &&
      requests.every((request) => request.subjectId === subjectId)
    ) {
      checkSubjectId(subjectId);
      const [auditEvent] = eventsPerSubject(requests, event);
      const row = await repository.releaseSubjectKeyRecorded(db, subjectId, {
        json: audit.serialise(auditEvent as AuditEventInput),
        insertSql: (parameter) => audit.inboxInsertSql(parameter),
      });
      return decrypt(new Map([[subjectId, await this.unwrapRow(subjectId, row)]]));
    }
    return inTransaction(db, async (trx) => {
      if (access.unmask) await this.refuseFrozen(trx, requests);
      const revealed = decrypt(
        await this.dataKeysFor(
          trx,
          requests.map((request) => request.subjectId),
        ),
      );
      // SECURITY: the audit event is written before anything is returned; if it fails, this throws and the
      // decrypted values above are dropped with the transaction.
      await this.recordPerSubject(trx, requests, event);
      return revealed;
    });
  }

  /**
   * Whether two stored values are the same text (Unicode NFKC, case and white space folded), e.g. that a
   * bank account's holder is the customer: both are decrypted here and only the answer leaves the vault.
   * The comparison is a use of both values for the purpose, so it is audited (`personal-data.compare`)
   * per data subject before the answer is returned.
   */
  async sameValue(
    db: Db,
    pair: readonly [RevealRequest, RevealRequest],
    access: Omit<VaultAccess, 'unmask'>,
  ) {
    const purpose = this.checkPurpose(pair, { ...access, unmask: false });
    for (const request of pair) {
      if (fieldOf(request.field).binary)
        throw new DomainError('bad-request', `The field ${request.field} holds a document.`);
    }
    return inTransaction(db, async (trx) => {
      const keys = await this.dataKeysFor(
        trx,
        pair.map((request) => request.subjectId),
      );
      const [first, second] = pair.map((request) =>
        normaliseForComparison(
          decryptField(
            keys.get(request.subjectId) as DataKey,
            bindingOf(request),
            request.ciphertext,
          ).toString('utf8'),
        ),
      );
      const same = first !== undefined && first === second;
      await this.recordPerSubject(trx, pair, {
        action: 'personal-data.compare',
        actor: access.actor,
        purpose,
        requestId: access.requestId ?? null,
        resource: access.resource,
        details: { same },
      });
      return same;
    });
  }

  /** Decrypts a document. Documents cannot be masked, so this needs `access.unmask`; records `personal-data.unmask`. */
  async revealBytes(db: Db, request: RevealRequest, access: VaultAccess): Promise<Buffer> {
    const purpose = this.checkPurpose([request], access);
    if (!fieldOf(request.field).binary) {
      throw new DomainError('bad-request', `The field ${request.field} holds text; use reveal.`);
    }
    if (!access.unmask) {
      throw new DomainError(
        'unmask-required',
        'A document cannot be shown masked; unmasking was not granted.',
      );
    }
    return inTransaction(db, async (trx) => {
      await this.refuseFrozen(trx, [request]);
      const dataKey = await this.dataKeyFor(trx, request.subjectId);
      const content = decryptField(dataKey, bindingOf(request), request.ciphertext);
      await this.recordPerSubject(trx, [request], {
        action: 'personal-data.unmask',
        actor: access.actor,
        purpose,
        requestId: access.requestId ?? null,
        resource: access.resource,
        details: { bytes: content.byteLength },
      });
      return content;
    });
  }

  /**
   * The blind index to search a searchable field by exact value (normalised first: full-width characters,
   * spaces, hyphens, case, +86). Pure computation: no audit event, since nothing is disclosed.
   */
  blindIndex(field: PersonalDataFieldId, value: string): Buffer {
    fieldOf(field);
    return this.indexer.compute(field, value);
  }

  /**
   * Crypto-shreds a data subject (erasure, S4.1 / retention): destroys its wrapped DEK so that every
   * ciphertext of the subject, in this database and in any copy made from now on, is undecryptable.
   * Records `personal-data.shred` with the proof. Shredding an already shredded subject returns the
   * original proof and records nothing new.
   *
   * SECURITY, what this does not reach by itself: a backup taken before the shred still holds the wrapped
   * DEK, decryptable while the KEK that wrapped it exists. Such backups become noise once that KEK is
   * destroyed after a rotation; until then, a restore must re-apply the shreds (the proofs in the audit log).
   */
  async shredSubject(
    db: Db,
    subjectId: string,
    actor: AuditActor,
    requestId: string | null = null,
  ): Promise<ShredProof> {
    checkSubjectId(subjectId);
    const proof = await inTransaction(db, async (trx) => {
      const row = await repository.lockSubjectKey(trx, subjectId);
      if (!row) throw new DomainError('not-found', 'No such data subject.');
      if (row.shredded_at || !row.wrapped_dek) {
        return {
          subjectId,
          shreddedAt: row.shredded_at ?? new Date(0),
          kekId: row.kek_id,
          destroyedKeySha256: row.shred_key_hash ?? '',
        };
      }
      const shreddedAt = new Date();
      const destroyedKeySha256 = keyMaterialHash(row.wrapped_dek);
      await repository.markShredded(trx, subjectId, destroyedKeySha256, shreddedAt);
      await this.audit.record(trx, {
        actor,
        action: 'personal-data.shred',
        resource: { type: 'data-subject', id: subjectId },
        dataSubjectId: subjectId,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId,
        details: { kekId: row.kek_id, destroyedKeySha256 },
      });
      return { subjectId, shreddedAt, kekId: row.kek_id, destroyedKeySha256 };
    });
    // The key also leaves this process's memory now; other processes check the row on every read.
    this.cache.forget(subjectId);
    return proof;
  }

  /** Drops every cached unwrapped DEK (e.g. on shutdown or after a suspected compromise). */
  clearKeyCache(): void {
    this.cache.clear();
  }

  /** SECURITY: a subject frozen by incident containment (S4.3) is never shown unmasked, by any path. */
  private async refuseFrozen(db: Db, targets: readonly VaultTarget[]): Promise<void> {
    if (!this.unmaskGate || targets.length === 0) return;
    const frozen = await this.unmaskGate.frozenAmong(db, [
      ...new Set(targets.map((target) => target.subjectId)),
    ]);
    if (frozen.size > 0)
      throw new DomainError(
        'records-frozen',
        'Records of this data subject are frozen by a security incident.',
      );
  }

  private checkPurpose(requests: readonly VaultTarget[], access: VaultAccess): PurposeId {
    const purpose = access.purpose;
    if (!purpose)
      throw new DomainError('purpose-required', 'Name the purpose of reading this personal data.');
    if (!isPurposeId(purpose))
      throw new DomainError('purpose-not-allowed', 'The purpose is not in the catalogue.');
    for (const request of requests) {
      if (!fieldOf(request.field).purposes.includes(purpose)) {
        throw new DomainError(
          'purpose-not-allowed',
          `The purpose ${purpose} does not allow reading ${request.field}.`,
          {
            field: request.field,
            purpose,
          },
        );
      }
    }
    return purpose;
  }

  private async dataKeyFor(db: Db, subjectId: string): Promise<DataKey> {
    checkSubjectId(subjectId);
    const row = await repository.findSubjectKey(db, subjectId);
    return this.unwrapRow(subjectId, row);
  }

  private async dataKeysFor(db: Db, subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    const unique = [...new Set(subjectIds)];
    for (const subjectId of unique) checkSubjectId(subjectId);
    const rows =
      unique.length === 1
        ? [await repository.findSubjectKey(db, unique[0] as string)].filter((row) => row !== undefined)
        : await repository.findSubjectKeys(db, unique);
    const byId = new Map(rows.map((row) => [row.subject_id, row]));
    const keys = new Map<string, DataKey>();
    for (const subjectId of unique) keys.set(subjectId, await this.unwrapRow(subjectId, byId.get(subjectId)));
    return keys;
  }

  private async unwrapRow(subjectId: string, row: repository.SubjectKeyRow | undefined): Promise<DataKey> {
    if (!row) throw new DomainError('not-found', 'No such data subject.');
    if (row.shredded_at || !row.wrapped_dek) {
      throw new DomainError(
        'subject-shredded',
        "This data subject's personal data was erased; it cannot be read.",
      );
    }
    const cached = this.cache.get(subjectId, row.kek_id, row.dek_version);
    if (cached) return cached;
    const key = dataKeyFrom(
      row.dek_version,
      await this.keys.kek.unwrap(row.wrapped_dek, row.kek_id, { subjectId }),
    );
    this.cache.set(subjectId, row.kek_id, key);
    return key;
  }

  private async recordPerSubject(
    db: Db,
    targets: readonly VaultTarget[],
    event: SubjectEvent,
  ): Promise<void> {
    for (const auditEvent of eventsPerSubject(targets, event)) await this.audit.record(db, auditEvent);
  }
}

type SubjectEvent = Pick<AuditEventInput, 'action' | 'actor' | 'purpose' | 'requestId'> & {
  details?: Record<string, string | number | boolean | null>;
  resource?: { type: string; id: string } | undefined;
};

/** One audit event per data subject touched, naming the fields and counting the values and rows. */
function eventsPerSubject(targets: readonly VaultTarget[], event: SubjectEvent): AuditEventInput[] {
  const bySubject = new Map<string, VaultTarget[]>();
  for (const target of targets) {
    const list = bySubject.get(target.subjectId) ?? [];
    list.push(target);
    bySubject.set(target.subjectId, list);
  }
  return [...bySubject].map(([subjectId, list]) => {
    const tables = new Set(list.map((target) => target.table));
    const rows = new Set(list.map((target) => `${target.table}\0${target.rowId}`));
    const only = list[0] as VaultTarget;
    return {
      actor: event.actor,
      action: event.action,
      // One row: name it; several: name their table (or that there were several tables).
      resource: event.resource
        ? { ...event.resource }
        : rows.size === 1
          ? { type: only.table, id: only.rowId }
          : { type: tables.size === 1 ? only.table : 'personal-data', id: null },
      dataSubjectId: subjectId,
      fields: [...new Set(list.map((target) => target.field))],
      purpose: event.purpose,
      outcome: 'success',
      requestId: event.requestId,
      details: { values: list.length, rows: rows.size, ...event.details },
    };
  });
}
