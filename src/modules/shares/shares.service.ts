import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf } from '../access/principal.js';
import { decideUnmask } from '../access/unmask-decision.js';
import { type AuditActor, type AuditRecorder, SYSTEM_ACTOR } from '../audit/audit-event.js';
import { FINAL_STATES } from '../claims/claim-transitions.js';
import type { ClaimRow } from '../claims/claims.repository.js';
import type { ClaimCaller, ClaimEventListener, ClaimsService } from '../claims/claims.service.js';
import type { CustomerField, CustomerService } from '../claims/customers.service.js';
import {
  FIELD_OF as DOCUMENT_FIELD_OF,
  type DocumentCategory,
  type DocumentFile,
  type DocumentSummary,
  type DocumentsService,
} from '../documents/documents.service.js';
import type { PersonalDataFieldId, PurposeId } from '../vault/personal-data-catalogue.js';
import type { VaultAccess } from '../vault/vault.service.js';
import * as repository from './shares.repository.js';

/**
 * Sharing a claim with an outside party (issue section 6): a garage, hospital or loss adjuster sees the
 * claim fields and documents a handler chose, through a link, until the link expires, is revoked or the
 * claim is finished.
 *
 * SECURITY:
 * - The link is a capability: 256 random bits, shown once to the handler as `/share#<token>` (a fragment
 *   never reaches a server, a proxy or a log), stored only as its SHA-256. The token is posted in a body,
 *   never put in a URL, and never recorded (not even failed attempts record it).
 * - Every opening re-checks revocation, expiry and the claim's state, discloses only the chosen fields
 *   (personal ones unmasked: choosing them was the handler's purpose-bound decision, taken with the unmask
 *   permission and a fresh second factor) through the vault as actor `external-party` (the share's id), and
 *   is audited; so are refused openings, and failed openings are rate-limited per address.
 * - The party is kept as an organisation's name and kind: no contact person's personal data.
 */
type Db = Kysely<Database>;

/** The claim fields a handler may choose to share; personal ones are disclosed unmasked when chosen. */
export const SHAREABLE_FIELDS = [
  'number',
  'state',
  'productLine',
  'incidentDate',
  'amountClaimed',
  'description',
  'incidentLocation',
  'claimantName',
  'claimantPhone',
] as const;
export type ShareableField = (typeof SHAREABLE_FIELDS)[number];

export const SHARE_PARTY_KINDS = ['garage', 'hospital', 'loss-adjuster', 'other'] as const;
export type SharePartyKind = (typeof SHARE_PARTY_KINDS)[number];

/** The longest a share may run. */
export const MAX_SHARE_DAYS = 30;
/** Where the console shows a share; the token follows in the fragment. */
export const SHARE_PAGE_PATH = '/share';

const SHARE_PURPOSE: PurposeId = 'claim-handling';
const TOKEN_PREFIX = 'cgs_';
const DAY_MS = 86_400_000;

/** The catalogue field behind each personal shareable field. */
const PERSONAL_FIELDS: Partial<Record<ShareableField, PersonalDataFieldId>> = {
  description: 'claim.description',
  incidentLocation: 'claim.incident_location',
  claimantName: 'customer.name',
  claimantPhone: 'customer.phone',
};
const CUSTOMER_FIELD_OF: Partial<Record<ShareableField, CustomerField>> = {
  claimantName: 'name',
  claimantPhone: 'phone',
};

export type NewShare = {
  party: { name: string; kind: SharePartyKind };
  fields: readonly ShareableField[];
  documentIds: readonly string[];
  expiresAt: Date;
};

export type CreatedShare = {
  id: string;
  /** Shown once; only its hash is stored. */
  token: string;
  /** The console page with the token in its fragment. */
  link: string;
  expiresAt: Date;
};

export type ShareStatus = 'active' | 'expired' | 'revoked' | 'claim-finished';

export type ShareSummary = {
  id: string;
  claimId: string;
  party: { name: string; kind: SharePartyKind };
  fields: ShareableField[];
  documentIds: string[];
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastOpenedAt: Date | null;
  openings: number;
  status: ShareStatus;
};

/** What the outside party sees: the chosen fields only (absent when not chosen) and the chosen documents. */
export type SharedClaim = {
  party: { name: string; kind: SharePartyKind };
  expiresAt: Date;
  claim: Partial<Record<ShareableField, string | null>>;
  documents: { id: string; category: DocumentCategory; contentType: string; size: number; createdAt: Date }[];
};

/** The outside party's request, as far as it is known: no principal, an address, a user agent. */
export type Opener = { ip: string | null; userAgent: string | null; requestId: string | null };

/** Why an opening was refused; recorded in the audit event, never told apart to the caller. */
type OpeningRefusal =
  | 'unknown-token'
  | 'revoked'
  | 'expired'
  | 'claim-finished'
  | 'document-not-shared'
  | 'rate-limited';

/**
 * Failed openings per address in a sliding window (per process, like the server's other rate limits).
 * A token cannot be guessed; this keeps anyone from trying, and from filling the audit log while at it.
 */
export class FailedOpeningLimiter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 15 * 60_000,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Milliseconds until the address may try again; 0 when it may now. */
  retryAfterMs(address: string, now = Date.now()): number {
    const entry = this.failures.get(address);
    if (!entry || now - entry.since >= this.windowMs) return 0;
    return entry.count >= this.maxFailures ? entry.since + this.windowMs - now : 0;
  }

  fail(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (entry && now - entry.since < this.windowMs) {
      entry.count += 1;
      return;
    }
    this.failures.delete(address);
    if (this.failures.size >= this.maxAddresses) {
      // The oldest entry goes first (a Map keeps insertion order): memory stays bounded under a flood.
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(address, { count: 1, since: now });
  }
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function isFinal(state: string): boolean {
  return (FINAL_STATES as readonly string[]).includes(state);
}

function statusOf(share: repository.ShareRow, claimState: string, now: Date): ShareStatus {
  if (share.revoked_at) return share.end_reason === 'claim-finished' ? 'claim-finished' : 'revoked';
  if (share.expires_at.getTime() <= now.getTime()) return 'expired';
  if (isFinal(claimState)) return 'claim-finished';
  return 'active';
}

function partyActor(share: repository.ShareRow | null, opener: Opener): AuditActor {
  return {
    type: 'external-party',
    id: share?.id ?? null,
    role: share?.party_kind ?? null,
    sessionId: null,
    ip: opener.ip,
    userAgent: opener.userAgent,
  };
}

const SHARE_UNAVAILABLE = 'This share link is invalid, has expired or was withdrawn.';

export class SharesService implements ClaimEventListener {
  private readonly limiter: FailedOpeningLimiter;

  constructor(
    private readonly db: Db,
    private readonly claims: ClaimsService,
    private readonly customers: CustomerService,
    private readonly documents: DocumentsService,
    private readonly audit: AuditRecorder,
    options: { limiter?: FailedOpeningLimiter } = {},
  ) {
    this.limiter = options.limiter ?? new FailedOpeningLimiter();
  }

  /**
   * Creates a share of a claim for an outside party. Needs update duty on the claim; choosing personal
   * fields or documents needs what unmasking them would (permission, purpose claim-handling, a fresh
   * second factor), since the party will see them in clear. Refusals are audited.
   */
  async create(caller: ClaimCaller, claimId: string, input: NewShare): Promise<CreatedShare> {
    const now = new Date();
    const fields = [...new Set(input.fields)];
    const documentIds = [...new Set(input.documentIds)];
    if (fields.length === 0 && documentIds.length === 0)
      throw new DomainError('bad-request', 'Choose at least one field or document to share.');
    if (input.expiresAt.getTime() <= now.getTime() + 60_000)
      throw new DomainError('bad-request', 'The expiry must be in the future.');
    if (input.expiresAt.getTime() > now.getTime() + MAX_SHARE_DAYS * DAY_MS)
      throw new DomainError('bad-request', `A share runs for at most ${MAX_SHARE_DAYS} days.`, {
        maxDays: MAX_SHARE_DAYS,
      });
    const principal = caller.context.principal;
    if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');

    return this.claims.runAudited(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'update');
      if (isFinal(claim.state)) throw new DomainError('conflict', 'A finished claim cannot be shared.');
      const onClaim = new Map(
        (await this.documents.documentsOfClaim(trx, claim.id)).map((document) => [document.id, document]),
      );
      const chosenDocuments: DocumentSummary[] = [];
      for (const id of documentIds) {
        const document = onClaim.get(id);
        if (!document) throw new DomainError('bad-request', 'A chosen document is not on this claim.');
        chosenDocuments.push(document);
      }
      const disclosed = disclosedFields(fields, chosenDocuments);
      for (const field of disclosed) {
        const decision = decideUnmask(principal, caller.ability, field, SHARE_PURPOSE);
        if (!decision.unmask) {
          const error =
            decision.reason === 'step-up-required'
              ? new DomainError('step-up-required')
              : new DomainError('forbidden', 'You cannot disclose this personal data to an outside party.');
          throw this.claims.refusal(
            error,
            caller,
            'share.create',
            { type: 'claim', id: claim.id },
            claim.claimant_id,
            decision.reason,
          );
        }
      }

      const id = randomUUID();
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      await repository.insertShare(
        trx,
        {
          id,
          claim_id: claim.id,
          party_name: input.party.name.trim(),
          party_kind: input.party.kind,
          fields,
          token_hash: tokenHash(token),
          expires_at: input.expiresAt,
          created_by: principal.userId,
          created_by_role: principal.role,
        },
        documentIds,
      );
      await this.audit.record(trx, {
        actor: auditActorOf(caller.context),
        action: 'share.create',
        resource: { type: 'claim', id: claim.id },
        dataSubjectId: claim.claimant_id,
        fields: disclosed,
        purpose: disclosed.length > 0 ? SHARE_PURPOSE : null,
        outcome: 'success',
        requestId: caller.context.requestId,
        details: {
          shareId: id,
          partyKind: input.party.kind,
          sharedFields: fields.join(','),
          documents: documentIds.length,
          expiresAt: input.expiresAt.toISOString(),
        },
      });
      return { id, token, link: `${SHARE_PAGE_PATH}#${token}`, expiresAt: input.expiresAt };
    });
  }

  /** A claim's shares, newest first, for those who may read the claim. Never the token. */
  async list(caller: ClaimCaller, claimId: string): Promise<ShareSummary[]> {
    return this.claims.runAudited(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'read');
      const rows = await repository.sharesOf(trx, claim.id);
      const documents = await repository.documentIdsOf(
        trx,
        rows.map((row) => row.id),
      );
      const now = new Date();
      return rows.map((row) => summaryOf(row, documents.get(row.id) ?? [], claim.state, now));
    });
  }

  /** Ends a share at once. Needs update duty on its claim; audited. Revoking twice changes nothing. */
  async revoke(caller: ClaimCaller, shareId: string): Promise<ShareSummary> {
    const principal = caller.context.principal;
    if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
    return this.claims.runAudited(async (trx) => {
      const share = await repository.findShare(trx, shareId);
      if (!share) throw new DomainError('not-found', 'No such share.');
      const claim = await this.claims.claimForDuty(trx, caller, share.claim_id, 'update');
      if (!share.revoked_at) {
        await repository.markRevoked(trx, share.id, principal.userId);
        await this.audit.record(trx, {
          actor: auditActorOf(caller.context),
          action: 'share.revoke',
          resource: { type: 'claim', id: claim.id },
          dataSubjectId: claim.claimant_id,
          fields: [],
          purpose: null,
          outcome: 'success',
          requestId: caller.context.requestId,
          details: { shareId: share.id, partyKind: share.party_kind },
        });
      }
      const updated = (await repository.findShare(trx, share.id)) as repository.ShareRow;
      const documents = await repository.documentIdsOf(trx, [share.id]);
      return summaryOf(updated, documents.get(share.id) ?? [], claim.state, new Date());
    });
  }

  /**
   * A claim that reaches a final state ends its shares for good, in the transition's transaction: reopening
   * the claim later does not bring them back (openings also check the state, as a second line).
   */
  async claimMoved(db: Db, event: Parameters<ClaimEventListener['claimMoved']>[1]): Promise<void> {
    if (!isFinal(event.to)) return;
    const ended = await repository.endSharesOfClaim(db, event.claim.id);
    if (ended.length === 0) return;
    await this.audit.record(db, {
      actor: SYSTEM_ACTOR,
      action: 'share.end',
      resource: { type: 'claim', id: event.claim.id },
      dataSubjectId: event.claim.claimant_id,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: null,
      details: { reason: 'claim-finished', state: event.to, shares: ended.length },
    });
  }

  /** Opens a share: the chosen fields (personal ones unmasked) and the chosen documents' metadata. */
  async open(token: string, opener: Opener): Promise<SharedClaim> {
    return this.withOpenShare<SharedClaim>(token, opener, 'share.open', async (trx, share, claim, actor) => {
      const chosen = new Set(share.fields as ShareableField[]);
      const access: VaultAccess = {
        actor,
        purpose: SHARE_PURPOSE,
        unmask: true,
        requestId: opener.requestId,
        resource: { type: 'claim', id: claim.id },
      };
      const own = await this.claims.revealOwnFields(
        trx,
        claim,
        (['description', 'incidentLocation'] as const).filter((field) => chosen.has(field)),
        access,
      );
      const customerFields = SHAREABLE_FIELDS.filter((field) => chosen.has(field)).flatMap((field) => {
        const customerField = CUSTOMER_FIELD_OF[field];
        return customerField ? [customerField] : [];
      });
      const claimant =
        customerFields.length > 0
          ? (await this.customers.view(trx, [claim.claimant_id], customerFields, access))[0]
          : undefined;
      const sharedIds = new Set((await repository.documentIdsOf(trx, [share.id])).get(share.id) ?? []);
      const documents = (await this.documents.documentsOfClaim(trx, claim.id)).filter((document) =>
        sharedIds.has(document.id),
      );

      const plain: Record<ShareableField, string | null> = {
        number: claim.number,
        state: claim.state,
        productLine: claim.product_line,
        incidentDate: claim.incident_date,
        amountClaimed: claim.amount_claimed,
        description: own.description?.value ?? null,
        incidentLocation: own.incidentLocation?.value ?? null,
        claimantName: claimant?.fields.name?.value ?? null,
        claimantPhone: claimant?.fields.phone?.value ?? null,
      };
      const view: SharedClaim['claim'] = {};
      for (const field of SHAREABLE_FIELDS) if (chosen.has(field)) view[field] = plain[field];

      await repository.markOpened(trx, share.id, true);
      await this.audit.record(trx, {
        actor,
        action: 'share.open',
        resource: { type: 'claim', id: claim.id },
        dataSubjectId: claim.claimant_id,
        fields: disclosedFields([...chosen], []),
        purpose: SHARE_PURPOSE,
        outcome: 'success',
        requestId: opener.requestId,
        details: { shareId: share.id, documents: documents.length },
      });
      return {
        value: {
          party: { name: share.party_name, kind: share.party_kind },
          expiresAt: share.expires_at,
          claim: view,
          documents: documents.map((document) => ({
            id: document.id,
            category: document.category,
            contentType: document.contentType,
            size: document.size,
            createdAt: document.createdAt,
          })),
        },
      };
    });
  }

  /** One chosen document of an open share, as uploaded; audited (and by the vault, as an unmask). */
  async document(token: string, documentId: string, opener: Opener): Promise<DocumentFile> {
    return this.withOpenShare<DocumentFile>(
      token,
      opener,
      'share.document',
      async (trx, share, claim, actor) => {
        const shared = (await repository.documentIdsOf(trx, [share.id])).get(share.id) ?? [];
        if (!shared.includes(documentId)) return { refused: 'document-not-shared' };
        const resource = { type: 'document', id: documentId };
        const file = await this.documents.contentForClaim(trx, claim.id, documentId, {
          actor,
          purpose: SHARE_PURPOSE,
          unmask: true,
          requestId: opener.requestId,
          resource,
        });
        if (!file) return { refused: 'document-not-shared' };
        await repository.markOpened(trx, share.id, false);
        await this.audit.record(trx, {
          actor,
          action: 'share.document',
          resource,
          dataSubjectId: claim.claimant_id,
          fields: [],
          purpose: SHARE_PURPOSE,
          outcome: 'success',
          requestId: opener.requestId,
          details: { shareId: share.id, claimId: claim.id, bytes: file.bytes.byteLength },
        });
        return { value: file };
      },
    );
  }

  /**
   * Runs `work` on the share a token opens, if it is still open: not revoked, not expired, its claim not
   * finished, checked at every opening. Anything else is one answer to the caller (nothing tells an
   * unknown token from an ended share), a `denied` audit event with the reason (never the token) and a
   * failure counted against the address.
   */
  private async withOpenShare<T>(
    token: string,
    opener: Opener,
    action: 'share.open' | 'share.document',
    work: (
      trx: Db,
      share: repository.ShareRow,
      claim: ClaimRow,
      actor: AuditActor,
    ) => Promise<{ value: T } | { refused: OpeningRefusal }>,
  ): Promise<T> {
    const address = opener.ip ?? 'unknown';
    const wait = this.limiter.retryAfterMs(address);
    if (wait > 0) {
      await this.recordRefusal(action, null, null, opener, 'rate-limited');
      throw new DomainError('too-many-attempts', undefined, { retryAfterSeconds: Math.ceil(wait / 1000) });
    }
    const hash = tokenHash(token);
    const outcome = await this.db
      .transaction()
      .execute(
        async (
          trx,
        ): Promise<
          { value: T } | { refused: OpeningRefusal; share: repository.ShareRow | null; claimId?: string }
        > => {
          const share = await repository.findShareByTokenHash(trx, hash);
          if (!share) return { refused: 'unknown-token', share: null };
          if (share.revoked_at)
            return {
              refused: share.end_reason === 'claim-finished' ? 'claim-finished' : 'revoked',
              share,
            };
          if (share.expires_at.getTime() <= Date.now()) return { refused: 'expired', share };
          const claim = await this.claims.claimForCapability(trx, share.claim_id);
          if (!claim || isFinal(claim.state)) return { refused: 'claim-finished', share };
          const result = await work(trx, share, claim, partyActor(share, opener));
          return 'refused' in result ? { ...result, share } : result;
        },
      );
    if ('value' in outcome) return outcome.value;
    this.limiter.fail(address);
    await this.recordRefusal(action, outcome.share, outcome.share?.claim_id ?? null, opener, outcome.refused);
    throw new DomainError('not-found', SHARE_UNAVAILABLE);
  }

  private async recordRefusal(
    action: string,
    share: repository.ShareRow | null,
    claimId: string | null,
    opener: Opener,
    reason: OpeningRefusal,
  ): Promise<void> {
    await this.audit.record(this.db, {
      actor: partyActor(share, opener),
      action,
      resource: claimId ? { type: 'claim', id: claimId } : { type: 'share', id: null },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'denied',
      requestId: opener.requestId,
      details: { reason, ...(share ? { shareId: share.id } : {}) },
    });
  }
}

/** The catalogue fields a share discloses: its personal fields and its documents' fields. */
function disclosedFields(
  fields: readonly ShareableField[],
  documents: readonly Pick<DocumentSummary, 'category'>[],
): PersonalDataFieldId[] {
  const disclosed = new Set<PersonalDataFieldId>();
  for (const field of fields) {
    const catalogueField = PERSONAL_FIELDS[field];
    if (catalogueField) disclosed.add(catalogueField);
  }
  for (const document of documents) disclosed.add(DOCUMENT_FIELD_OF[document.category]);
  return [...disclosed];
}

function summaryOf(
  row: repository.ShareRow,
  documentIds: string[],
  claimState: string,
  now: Date,
): ShareSummary {
  return {
    id: row.id,
    claimId: row.claim_id,
    party: { name: row.party_name, kind: row.party_kind },
    fields: row.fields.filter((field): field is ShareableField =>
      (SHAREABLE_FIELDS as readonly string[]).includes(field),
    ),
    documentIds,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    lastOpenedAt: row.last_opened_at,
    openings: row.open_count,
    status: statusOf(row, claimState, now),
  };
}
