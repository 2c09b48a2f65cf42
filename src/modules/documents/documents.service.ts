import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf } from '../access/principal.js';
import { decideUnmask } from '../access/unmask-decision.js';
import type { AuditActor, AuditRecorder } from '../audit/audit-event.js';
import { FINAL_STATES } from '../claims/claim-transitions.js';
import type { ClaimCaller, ClaimsService } from '../claims/claims.service.js';
import type { PurposeId } from '../vault/personal-data-catalogue.js';
import type { VaultAccess, VaultService, VaultTarget } from '../vault/vault.service.js';
import {
  DEFAULT_UPLOAD_LIMITS,
  type DeclaredUpload,
  inspectUpload,
  makeThumbnail,
  type ThumbnailOptions,
  type UploadLimits,
  type UploadRefusal,
} from './document-inspection.js';
import * as repository from './documents.repository.js';

/**
 * Claim documents (issue "Documents"): accident photos and medical documents on a claim.
 *
 * SECURITY:
 * - An upload is checked from its bytes (inspectUpload): only an allow-list of image and PDF types, the
 *   declared type and file name must agree with the content, size limits per kind. Refusals carry a reason
 *   code, never the file name or bytes; the file name is used only for that check and never stored.
 * - Content and thumbnail are sealed with the claimant's key, bound to table, column and row, in the same
 *   transaction as the row and the audit events (`personal-data.write` from the vault, `document.upload`).
 * - Thumbnails are re-encoded by sharp without any metadata (no EXIF location); the original is kept as
 *   evidence, sealed, and leaves only as an attachment.
 * - Reading content or thumbnail needs read duty on the claim, the unmask permission, a purpose the
 *   catalogue allows for the document's field and a fresh second factor (decideUnmask); the vault audits
 *   it with the purpose. Refusals are audited (ClaimsService.runAudited).
 */
type Db = Kysely<Database>;

/** What the uploader says the document is; it decides the catalogue field. */
export const DOCUMENT_CATEGORIES = ['photo', 'medical'] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];

export const FIELD_OF = {
  photo: 'document.accident_photo',
  medical: 'document.health_record',
} as const satisfies Record<DocumentCategory, Database['documents']['field']>;

function categoryOf(field: Database['documents']['field']): DocumentCategory {
  return field === 'document.health_record' ? 'medical' : 'photo';
}

export type DocumentSummary = {
  id: string;
  claimId: string;
  category: DocumentCategory;
  contentType: string;
  size: number;
  createdAt: Date;
  uploader: { type: string; role: string | null };
  hasThumbnail: boolean;
};

export type NewDocument = {
  category: DocumentCategory;
  content: Uint8Array;
  /** What the client said about the file; checked against the content, never stored. */
  declared?: DeclaredUpload;
};

export type DocumentFile = {
  contentType: string;
  /** Built from the document id and the detected type's extension; never the uploaded name. */
  fileName: string;
  bytes: Buffer;
};

/** Why an upload was refused: the inspection's reasons, and two of this service's own. */
export type DocumentRefusal =
  | UploadRefusal
  /** A photo must be an image; a PDF is a medical document (or another category, later). */
  | 'category-mismatch'
  /** An image whose canvas is larger than we decode (a decompression bomb or an absurd size). */
  | 'too-many-pixels';

export type DocumentsServiceOptions = {
  limits?: Partial<UploadLimits>;
  thumbnail?: ThumbnailOptions;
};

const EXTENSION_OF: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/tiff': 'tif',
  'image/heic': 'heic',
  'image/heif': 'heic',
  'application/pdf': 'pdf',
};

export class DocumentsService {
  private readonly limits: UploadLimits;

  constructor(
    private readonly claims: ClaimsService,
    private readonly vault: VaultService,
    private readonly audit: AuditRecorder,
    private readonly db: Db,
    private readonly options: DocumentsServiceOptions = {},
  ) {
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
  }

  /** The largest upload any kind may be, for the route's body limit. */
  get maxUploadBytes(): number {
    return Math.max(this.limits.maxImageBytes, this.limits.maxPdfBytes);
  }

  /**
   * Stores a document on a claim. Staff need update duty on the claim; a customer (caller with
   * `customerId`, the portal) may add documents to their own claim only.
   */
  async upload(caller: ClaimCaller, claimId: string, input: NewDocument): Promise<DocumentSummary> {
    // Duty first, in a short transaction: nobody makes us decode images for a claim that is not theirs.
    await this.claims.runAudited((trx) => this.claimForUpload(trx, caller, claimId));

    // Inspection and thumbnailing are CPU work: done outside any transaction (the embedded store has one
    // session, which a transaction holds).
    const inspection = await inspectUpload(input.content, input.declared ?? {}, this.limits);
    if (!inspection.ok) {
      throw await this.refuseUpload(caller, claimId, inspection.reason, inspection.limitBytes);
    }
    if (input.category === 'photo' && inspection.kind !== 'image') {
      throw await this.refuseUpload(caller, claimId, 'category-mismatch');
    }
    let thumbnail: Uint8Array | null = null;
    if (inspection.kind === 'image') {
      const made = await makeThumbnail(input.content, this.options.thumbnail);
      if (made.ok) thumbnail = made.bytes;
      else if (made.reason === 'too-many-pixels')
        throw await this.refuseUpload(caller, claimId, 'too-many-pixels');
      // 'unsupported-image' (HEIC without a decoder, a damaged file): kept, without a thumbnail.
    }

    const actor = actorOf(caller);
    const field = FIELD_OF[input.category];
    return this.claims.runAudited(async (trx) => {
      // Again inside the write: the duty or the claim's state may have changed meanwhile.
      const claim = await this.claimForUpload(trx, caller, claimId);
      const id = randomUUID();
      const target = (column: 'content_ct' | 'thumbnail_ct'): VaultTarget => ({
        subjectId: claim.claimant_id,
        field,
        table: 'documents',
        column,
        rowId: id,
      });
      const context = { actor, requestId: caller.context.requestId };
      const content = await this.vault.sealBytes(trx, target('content_ct'), input.content, context);
      const sealedThumbnail = thumbnail
        ? await this.vault.sealBytes(trx, target('thumbnail_ct'), thumbnail, context)
        : null;
      await repository.insertDocument(trx, {
        id,
        claim_id: claim.id,
        subject_id: claim.claimant_id,
        field,
        content_type: inspection.contentType,
        size: inspection.size,
        content_ct: content.ciphertext,
        thumbnail_ct: sealedThumbnail?.ciphertext ?? null,
        uploaded_by_type: actor.type === 'external-party' ? 'system' : actor.type,
        uploaded_by_id: actor.id,
        uploaded_by_role: actor.role,
      });
      await this.audit.record(trx, {
        actor,
        action: 'document.upload',
        resource: { type: 'document', id },
        dataSubjectId: claim.claimant_id,
        fields: [field],
        purpose: null,
        outcome: 'success',
        requestId: caller.context.requestId,
        details: {
          claimId: claim.id,
          contentType: inspection.contentType,
          bytes: inspection.size,
          thumbnail: thumbnail !== null,
        },
      });
      const row = await repository.findDocument(trx, id);
      if (!row) throw new DomainError('internal');
      return summaryOf(row);
    });
  }

  /** A claim's documents, metadata only (no content, no thumbnail, no file name: none is stored). */
  async list(caller: ClaimCaller, claimId: string): Promise<DocumentSummary[]> {
    return this.claims.runAudited(async (trx) => {
      await this.claims.claimForDuty(trx, caller, claimId, 'read');
      return (await repository.documentsOf(trx, claimId)).map(summaryOf);
    });
  }

  /** The document as uploaded, for a stated purpose; audited by the vault as `personal-data.unmask`. */
  async content(caller: ClaimCaller, documentId: string, purpose: string | undefined): Promise<DocumentFile> {
    return this.reveal(caller, documentId, purpose, 'content');
  }

  /** The document's metadata-free WebP thumbnail, for a stated purpose; audited like the content. */
  async thumbnail(
    caller: ClaimCaller,
    documentId: string,
    purpose: string | undefined,
  ): Promise<DocumentFile> {
    return this.reveal(caller, documentId, purpose, 'thumbnail');
  }

  /** A claim's documents, metadata only, for a workflow that checked its own authority (shares). */
  async documentsOfClaim(trx: Db, claimId: string): Promise<DocumentSummary[]> {
    return (await repository.documentsOf(trx, claimId)).map(summaryOf);
  }

  /**
   * A document of a claim as uploaded, disclosed on a workflow's own authority (a share link) with `access`,
   * which the vault audits; undefined when the claim has no such document.
   */
  async contentForClaim(
    trx: Db,
    claimId: string,
    documentId: string,
    access: VaultAccess,
  ): Promise<DocumentFile | undefined> {
    const document = await repository.findDocument(trx, documentId);
    if (!document || document.claim_id !== claimId) return undefined;
    const ciphertext = await repository.ciphertextOf(trx, document.id, 'content_ct');
    if (!ciphertext) return undefined;
    const bytes = await this.vault.revealBytes(
      trx,
      {
        subjectId: document.subject_id,
        field: document.field,
        table: 'documents',
        column: 'content_ct',
        rowId: document.id,
        ciphertext,
      },
      access,
    );
    return {
      contentType: document.content_type,
      fileName: `${document.id}.${EXTENSION_OF[document.content_type] ?? 'bin'}`,
      bytes,
    };
  }

  private async reveal(
    caller: ClaimCaller,
    documentId: string,
    purpose: string | undefined,
    variant: 'content' | 'thumbnail',
  ): Promise<DocumentFile> {
    const action = `document.${variant}`;
    return this.claims.runAudited(async (trx) => {
      const document = await repository.findDocument(trx, documentId);
      if (!document) throw new DomainError('not-found', 'No such document.');
      await this.claims.claimForDuty(trx, caller, document.claim_id, 'read');
      const resource = { type: 'document', id: document.id };
      const decision = decideUnmask(caller.context.principal, caller.ability, document.field, purpose);
      if (!decision.unmask) {
        const refusal =
          decision.reason === 'step-up-required'
            ? new DomainError('step-up-required')
            : decision.reason === 'no-purpose' && !purpose?.trim()
              ? new DomainError('purpose-required')
              : decision.reason === 'no-purpose'
                ? new DomainError('purpose-not-allowed', 'The purpose is not in the catalogue.')
                : decision.reason === 'purpose-not-allowed'
                  ? new DomainError(
                      'purpose-not-allowed',
                      'The purpose does not allow reading this document.',
                      {
                        field: document.field,
                      },
                    )
                  : new DomainError('forbidden', 'Your role cannot see documents.');
        throw this.claims.refusal(refusal, caller, action, resource, document.subject_id, decision.reason);
      }
      const column = variant === 'content' ? 'content_ct' : 'thumbnail_ct';
      const ciphertext = await repository.ciphertextOf(trx, document.id, column);
      if (!ciphertext) throw new DomainError('not-found', 'This document has no thumbnail.');
      const bytes = await this.vault.revealBytes(
        trx,
        {
          subjectId: document.subject_id,
          field: document.field,
          table: 'documents',
          column,
          rowId: document.id,
          ciphertext,
        },
        {
          actor: auditActorOf(caller.context),
          purpose: decision.purpose as PurposeId,
          unmask: true,
          requestId: caller.context.requestId,
          resource,
        },
      );
      const contentType = variant === 'content' ? document.content_type : 'image/webp';
      const extension = EXTENSION_OF[contentType] ?? 'bin';
      return {
        contentType,
        fileName: `${document.id}${variant === 'thumbnail' ? '-thumbnail' : ''}.${extension}`,
        bytes,
      };
    });
  }

  /** The claim, if the caller may add documents to it and it is not finished. */
  private async claimForUpload(trx: Db, caller: ClaimCaller, claimId: string) {
    // A customer's duty is their own claim, which claimForDuty checks as 'read' (customers update nothing
    // else); staff need update duty.
    const claim = await this.claims.claimForDuty(trx, caller, claimId, caller.customerId ? 'read' : 'update');
    if ((FINAL_STATES as readonly string[]).includes(claim.state)) {
      throw new DomainError('conflict', 'A finished claim takes no new documents; reopen it first.');
    }
    return claim;
  }

  /**
   * The problem for a refused upload, after auditing the refusal: a disguised file is worth knowing about
   * (S2.3 detection). The event names the reason only; the file name and bytes are never recorded.
   */
  private async refuseUpload(
    caller: ClaimCaller,
    claimId: string,
    reason: DocumentRefusal,
    limitBytes?: number,
  ): Promise<DomainError> {
    await this.audit.record(this.db, {
      actor: actorOf(caller),
      action: 'document.upload',
      resource: { type: 'claim', id: claimId },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'failure',
      requestId: caller.context.requestId,
      details: { reason },
    });
    return uploadRefusal(reason, limitBytes);
  }
}

/** The problem for each refusal: 400 empty, 413 too large, 415 anything that is not what it claims to be. */
export function uploadRefusal(reason: DocumentRefusal, limitBytes?: number): DomainError {
  switch (reason) {
    case 'empty':
      return new DomainError('bad-request', 'The document is empty.', { reason });
    case 'too-large':
      return new DomainError('payload-too-large', 'The document is larger than allowed for its type.', {
        reason,
        ...(limitBytes !== undefined ? { limitBytes } : {}),
      });
    case 'too-many-pixels':
      return new DomainError('payload-too-large', 'The image has more pixels than allowed.', { reason });
    case 'unsupported-type':
      return new DomainError(
        'unsupported-media-type',
        'Send a JPEG, PNG, WebP, TIFF or HEIC image, or a PDF.',
        {
          reason,
        },
      );
    case 'content-type-mismatch':
      return new DomainError('unsupported-media-type', 'The declared type does not match the content.', {
        reason,
      });
    case 'extension-mismatch':
      return new DomainError(
        'unsupported-media-type',
        "The file name's extension does not match the content.",
        {
          reason,
        },
      );
    case 'category-mismatch':
      return new DomainError('unsupported-media-type', 'A photo must be an image.', { reason });
  }
}

function actorOf(caller: ClaimCaller): AuditActor {
  const actor = auditActorOf(caller.context);
  // The portal's customers have no staff principal; they act as themselves.
  if (caller.customerId && actor.type === 'system')
    return { ...actor, type: 'customer', id: caller.customerId, role: 'customer' };
  return actor;
}

function summaryOf(row: repository.DocumentMetadataRow): DocumentSummary {
  return {
    id: row.id,
    claimId: row.claim_id,
    category: categoryOf(row.field),
    contentType: row.content_type,
    size: row.size,
    createdAt: row.created_at,
    uploader: { type: row.uploaded_by_type, role: row.uploaded_by_role },
    hasThumbnail: row.has_thumbnail,
  };
}
