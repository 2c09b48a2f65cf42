import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { type AuditActor, type AuditRecorder, SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { KekInfo, KeyEncryptionKeyProvider } from './key-provider.js';
import * as repository from './vault.repository.js';

/**
 * KEK rotation (S7.1): a new key-encryption key, and every subject's DEK rewrapped under it, while the
 * server keeps serving. Only the small wrapped DEKs change; no field ciphertext is touched, so rotating
 * is quick however much personal data is stored.
 *
 * - Batches: each batch is its own short transaction that locks its subjects `FOR UPDATE SKIP LOCKED`, so
 *   requests are never held up for long and a subject a request is using is simply taken in a later batch.
 * - Resumable: what remains is derived from the data (live subjects whose KEK is not the target); the
 *   `vault_key_rotations` row only says which rotation is running and its target. After a crash the next
 *   `rotate` continues the running rotation instead of starting another.
 * - Retirement: an old KEK is retired only once no live subject uses it. Retired keys are kept (never used
 *   to wrap again) because backups made before the rotation still need them; see key-provider.ts.
 */

type Db = Kysely<Database>;

export type RotationProgress = {
  rotationId: string;
  targetKekId: string;
  /** Subjects rewrapped by this rotation so far (including before a resume). */
  done: number;
  /** done + what remained when this run started (grows if subjects are created meanwhile under an old KEK). */
  total: number;
  batches: number;
};

export type RotateOptions = {
  batchSize?: number;
  /** Stop after this many batches, leaving the rotation running (to spread it out; tests simulate a crash). */
  maxBatches?: number;
  onProgress?: (progress: RotationProgress) => void;
  /** Records `keys.rotate` when the rotation finishes (in its final transaction). */
  audit?: AuditRecorder;
  actor?: AuditActor;
  /** Pause between batches, to leave room for requests on a busy store. */
  pauseMs?: number;
};

export type RotationResult = {
  status: 'finished' | 'paused' | 'nothing-to-do';
  rotationId: string | null;
  targetKekId: string | null;
  resumed: boolean;
  /** Rewrapped in this run. */
  rewrapped: number;
  remaining: number;
  retiredKekIds: string[];
  /** KEKs no subject uses any more but which this provider cannot retire (environment: remove them there). */
  unusedKekIds: string[];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries for this long to get subjects that are locked by requests before pausing the rotation. */
const LOCKED_RETRIES = 50;

export async function rotateKeys(
  db: Db,
  kek: KeyEncryptionKeyProvider,
  options: RotateOptions = {},
): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 200;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new DomainError('bad-request', 'The batch size is a positive integer.');

  let rotation = await repository.findRunningRotation(db);
  const resumed = rotation !== undefined;
  if (!rotation) {
    if (!kek.createKek) {
      // Keys managed elsewhere: the operator has made a new key current there; move subjects to it.
      const current = await kek.currentKekId();
      if ((await repository.countRemaining(db, current)) === 0) {
        return {
          status: 'nothing-to-do',
          rotationId: null,
          targetKekId: current,
          resumed,
          rewrapped: 0,
          remaining: 0,
          ...(await finishUnused(db, kek, current)),
        };
      }
    }
    const id = randomUUID();
    // The unique index admits one running rotation: when two start at once, the second joins the first.
    await repository.insertRotation(db, { id, startedBy: options.actor?.id ?? null });
    rotation = await repository.findRunningRotation(db);
    if (!rotation)
      throw new DomainError('conflict', 'The key rotation finished while starting; run it again.');
  }
  let targetKekId = rotation.target_kek_id;
  if (!targetKekId) {
    // Created only now, after the rotation row exists: a crash in between leaves an unused KEK, which the
    // next rotation retires, never two rotations with two targets.
    targetKekId = kek.createKek ? await kek.createKek() : await kek.currentKekId();
    await repository.setRotationTarget(db, rotation.id, targetKekId);
  }
  const rotationId = rotation.id;
  const target = targetKekId;

  let done = rotation.subjects_rewrapped;
  let total = done + (await repository.countRemaining(db, target));
  let rewrapped = 0;
  let batches = 0;
  let lockedRetries = 0;
  options.onProgress?.({ rotationId, targetKekId: target, done, total, batches });

  for (;;) {
    if (options.maxBatches !== undefined && batches >= options.maxBatches) {
      return {
        status: 'paused',
        rotationId,
        targetKekId: target,
        resumed,
        rewrapped,
        remaining: await repository.countRemaining(db, target),
        retiredKekIds: [],
        unusedKekIds: [],
      };
    }
    const count = await db.transaction().execute(async (trx) => {
      const rows = await repository.lockSubjectsToRewrap(trx, target, batchSize);
      let changed = 0;
      const at = new Date();
      for (const row of rows) {
        if (!row.wrapped_dek) continue;
        const context = { subjectId: row.subject_id };
        const dataKey = await kek.unwrap(row.wrapped_dek, row.kek_id, context);
        try {
          const { wrapped } = await kek.wrap(dataKey, context, target);
          const updated = await repository.updateWrappedKey(trx, {
            subjectId: row.subject_id,
            fromKekId: row.kek_id,
            wrappedDek: wrapped,
            kekId: target,
            at,
          });
          if (updated) changed++;
        } finally {
          // SECURITY: the unwrapped DEK is not needed past this point; do not leave it in memory.
          dataKey.fill(0);
        }
      }
      if (changed > 0) await repository.addRewrapped(trx, rotationId, changed);
      return rows.length === 0 ? -1 : changed;
    });
    if (count >= 0) {
      batches++;
      done += count;
      rewrapped += count;
      total = Math.max(total, done);
      options.onProgress?.({ rotationId, targetKekId: target, done, total, batches });
      if (options.pauseMs) await sleep(options.pauseMs);
      continue;
    }
    const remaining = await repository.countRemaining(db, target);
    if (remaining === 0) break;
    // Everything left is locked by running requests: wait for them, but not forever.
    if (++lockedRetries > LOCKED_RETRIES) {
      return {
        status: 'paused',
        rotationId,
        targetKekId: target,
        resumed,
        rewrapped,
        remaining,
        retiredKekIds: [],
        unusedKekIds: [],
      };
    }
    total = done + remaining;
    await sleep(100);
  }

  const retirement = await finishUnused(db, kek, target);
  await db.transaction().execute(async (trx) => {
    await repository.finishRotation(trx, rotationId, new Date());
    await options.audit?.record(trx, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'keys.rotate',
      resource: { type: 'vault-kek', id: target },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: null,
      details: { rewrapped: done, retired: retirement.retiredKekIds.join(',') || null },
    });
  });
  return {
    status: 'finished',
    rotationId,
    targetKekId: target,
    resumed,
    rewrapped,
    remaining: 0,
    ...retirement,
  };
}

/** Retires (or, for keys managed elsewhere, lists) every KEK but `keep` that no live subject uses. */
async function finishUnused(
  db: Db,
  kek: KeyEncryptionKeyProvider,
  keep: string,
): Promise<{ retiredKekIds: string[]; unusedKekIds: string[] }> {
  const inUse = await repository.countLiveSubjectsByKek(db);
  const retiredKekIds: string[] = [];
  const unusedKekIds: string[] = [];
  for (const info of await kek.listKeks()) {
    if (info.id === keep || info.current || info.retiredAt || (inUse.get(info.id) ?? 0) > 0) continue;
    if (kek.retireKek) {
      await kek.retireKek(info.id);
      retiredKekIds.push(info.id);
    } else {
      unusedKekIds.push(info.id);
    }
  }
  return { retiredKekIds, unusedKekIds };
}

export type KeyStatus = {
  source: string;
  keks: (KekInfo & { subjects: number })[];
  /** Subjects under a KEK id this provider does not know: unreadable until that key is supplied. */
  unknownKeks: { id: string; subjects: number }[];
  shreddedSubjects: number;
  rotation: {
    running: {
      id: string;
      targetKekId: string | null;
      startedAt: Date;
      rewrapped: number;
      remaining: number;
    } | null;
    lastFinishedAt: Date | null;
  };
};

export async function keyStatus(db: Db, kek: KeyEncryptionKeyProvider): Promise<KeyStatus> {
  const [keks, inUse, shreddedSubjects, running, last] = await Promise.all([
    kek.listKeks(),
    repository.countLiveSubjectsByKek(db),
    repository.countShreddedSubjects(db),
    repository.findRunningRotation(db),
    repository.findLastFinishedRotation(db),
  ]);
  const known = new Set(keks.map((info) => info.id));
  return {
    source: kek.source,
    keks: keks.map((info) => ({ ...info, subjects: inUse.get(info.id) ?? 0 })),
    unknownKeks: [...inUse].filter(([id]) => !known.has(id)).map(([id, subjects]) => ({ id, subjects })),
    shreddedSubjects,
    rotation: {
      running: running
        ? {
            id: running.id,
            targetKekId: running.target_kek_id,
            startedAt: running.started_at,
            rewrapped: running.subjects_rewrapped,
            remaining: running.target_kek_id ? await repository.countRemaining(db, running.target_kek_id) : 0,
          }
        : null,
      lastFinishedAt: last?.finished_at ?? null,
    },
  };
}

export type DestroyResult = { destroyed: string[]; inUse: { id: string; subjects: number }[] };

/**
 * Destroys the key material of every retired KEK that no live subject's data key is wrapped under (S7.1,
 * crypto-shredding). Backups and copies of the store made before the rotation that retired a KEK still hold
 * data keys wrapped under it, including those of subjects shredded since; once the KEK is destroyed those
 * copies are unreadable, so a shred reaches every backup older than the last rotation. Irreversible:
 * restoring such a backup afterwards yields no personal data at all. Audited as `keys.destroy`.
 */
export async function destroyRetiredKeks(
  db: Db,
  kek: KeyEncryptionKeyProvider,
  options: { audit: AuditRecorder; actor?: AuditActor },
): Promise<DestroyResult> {
  if (!kek.destroyKek)
    throw new DomainError(
      'bad-request',
      `Keys from ${kek.source} are destroyed where they are managed, not here.`,
    );
  const [keks, live] = await Promise.all([kek.listKeks(), repository.countLiveSubjectsByKek(db)]);
  const result: DestroyResult = { destroyed: [], inUse: [] };
  for (const info of keks) {
    if (info.current || !info.retiredAt) continue;
    const subjects = live.get(info.id) ?? 0;
    if (subjects > 0) {
      // SECURITY: a live subject's only data key would be lost with it; rotate first.
      result.inUse.push({ id: info.id, subjects });
      continue;
    }
    await kek.destroyKek(info.id);
    await options.audit.record(db, {
      actor: options.actor ?? SYSTEM_ACTOR,
      action: 'keys.destroy',
      resource: { type: 'kek', id: info.id },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: null,
      details: { version: info.version },
    });
    result.destroyed.push(info.id);
  }
  return result;
}
