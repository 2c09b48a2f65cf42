import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { auditActorOf } from '../access/principal.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { maskClaimNumber } from '../notifications/notification-templates.js';
import type { NotificationService } from '../notifications/notifications.service.js';
import * as repository from './claims.repository.js';
import type { ClaimCaller, ClaimsService } from './claims.service.js';
import type { CustomerService } from './customers.service.js';

/**
 * Claimant verification (S3.1), the first defence against impersonation:
 * 1. the name, ID number and phone the claimant gives must match the policy party the claim is for
 *    (blind indexes; the one stored name compared inside the service);
 * 2. a one-time code goes to the phone (or email) ON THE POLICY, never to one given with the claim, and the
 *    claimant reads it back;
 * 3. a mismatch, repeated wrong codes, or contact details changed shortly before the claim put the claim
 *    to manual review and raise a security alert. The outcome and its reasons are kept; the code never is.
 */
type Db = Kysely<Database>;

export const CODE_VALID_MINUTES = 10;
export const MAX_CODE_ATTEMPTS = 5;
/** Contact details changed this recently before a claim are a takeover signal. */
export const RECENT_CONTACT_CHANGE_DAYS = 30;

export interface SecurityAlertSink {
  raiseAlert(
    db: Db,
    alert: {
      kind: string;
      severity: 'info' | 'warning' | 'critical';
      subjectUserId?: string | null;
      details: Record<string, string | number | boolean | null>;
    },
  ): Promise<string>;
}

export type VerificationView = {
  status: 'not-started' | 'code-sent' | 'verified' | 'manual-review';
  reasons: string[];
  attemptsLeft: number;
  codeExpiresAt: Date | null;
  channel: string | null;
};

export class ClaimantVerificationService {
  constructor(
    private readonly claims: ClaimsService,
    private readonly customers: CustomerService,
    private readonly notifications: NotificationService,
    private readonly alerts: SecurityAlertSink,
    private readonly audit: AuditRecorder,
    /** Keys the code hashes (32 bytes, derived from the server's identity key). */
    private readonly codeKey: Buffer,
  ) {}

  /** Checks what the claimant says against the policy party and, if it matches, sends the code. */
  async start(
    caller: ClaimCaller,
    claimId: string,
    claimed: { name: string; idNumber: string; phone: string },
  ): Promise<VerificationView> {
    return this.claims.runAudited(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'update');
      const existing = await repository.findVerification(trx, claimId);
      if (existing?.status === 'verified' || existing?.status === 'manual-review')
        throw new DomainError('conflict', 'The claimant verification has been decided already.');
      const actor = auditActorOf(caller.context);
      const match = await this.customers.matchIdentity(trx, claim.claimant_id, claimed, {
        actor,
        requestId: caller.context.requestId,
        resource: { type: 'claim', id: claimId },
      });
      const reasons = [
        ...(match.idNumber ? [] : ['id-mismatch']),
        ...(match.name ? [] : ['name-mismatch']),
        ...(match.phone ? [] : ['phone-mismatch']),
        ...(match.contactChangedAt &&
        Date.now() - match.contactChangedAt.getTime() < RECENT_CONTACT_CHANGE_DAYS * 86_400_000
          ? ['recent-contact-change']
          : []),
      ];
      if (reasons.length > 0)
        return this.toManualReview(trx, caller, claim, reasons, existing?.attempts ?? 0);

      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const expiresAt = new Date(Date.now() + CODE_VALID_MINUTES * 60_000);
      const profile = await this.customers.profile(trx, claim.claimant_id);
      // The phone on file matched, so the code goes there: the number on the policy, not one given now.
      const channel = 'sms' as const;
      await this.notifications.enqueue(trx, {
        recipient: { kind: 'customer', id: claim.claimant_id },
        channel,
        language: profile?.language === 'en-US' ? 'en-US' : 'zh-CN',
        template: 'claim.verification-code',
        params: { claimNumber: maskClaimNumber(claim.number), code, validMinutes: CODE_VALID_MINUTES },
        expiresAt,
      });
      await repository.saveVerification(trx, {
        claim_id: claimId,
        status: 'code-sent',
        code_hash: this.hash(claimId, code),
        code_expires_at: expiresAt,
        attempts: 0,
        channel,
        reasons: [],
        started_by: actor.id,
        decided_at: null,
      });
      await this.record(trx, caller, claim, 'claim.verification.code-sent', 'success', {});
      return {
        status: 'code-sent',
        reasons: [],
        attemptsLeft: MAX_CODE_ATTEMPTS,
        codeExpiresAt: expiresAt,
        channel,
      };
    });
  }

  /** The claimant reads the code back. Wrong codes count; too many send the claim to manual review. */
  async confirm(caller: ClaimCaller, claimId: string, code: string): Promise<VerificationView> {
    return this.claims.runAudited(async (trx) => {
      const claim = await this.claims.claimForDuty(trx, caller, claimId, 'update');
      const row = await repository.findVerification(trx, claimId);
      if (row?.status !== 'code-sent' || !row.code_hash)
        throw new DomainError('conflict', 'No code is out for this claim; start the verification first.');
      const expired = !row.code_expires_at || row.code_expires_at.getTime() < Date.now();
      const given = this.hash(claimId, code.trim());
      const right =
        !expired &&
        given.length === row.code_hash.length &&
        timingSafeEqual(given, Buffer.from(row.code_hash));
      if (right) {
        await repository.saveVerification(trx, {
          ...row,
          status: 'verified',
          code_hash: null,
          code_expires_at: null,
          started_by: null,
          decided_at: new Date(),
        });
        await repository.setClaimVerification(trx, claimId, 'verified');
        await this.record(trx, caller, claim, 'claim.verification.verified', 'success', {});
        return {
          status: 'verified',
          reasons: [],
          attemptsLeft: 0,
          codeExpiresAt: null,
          channel: row.channel,
        };
      }
      const attempts = row.attempts + 1;
      if (attempts >= MAX_CODE_ATTEMPTS)
        return this.toManualReview(trx, caller, claim, ['too-many-wrong-codes'], attempts);
      await repository.saveVerification(trx, { ...row, attempts, started_by: null });
      await this.record(trx, caller, claim, 'claim.verification.wrong-code', 'failure', {
        attempts,
        expired,
      });
      // Committed (the attempt counts), then refused.
      return {
        status: 'code-sent',
        reasons: [expired ? 'code-expired' : 'wrong-code'],
        attemptsLeft: MAX_CODE_ATTEMPTS - attempts,
        codeExpiresAt: row.code_expires_at,
        channel: row.channel,
      };
    });
  }

  async status(caller: ClaimCaller, claimId: string): Promise<VerificationView> {
    return this.claims.runAudited(async (trx) => {
      await this.claims.claimForDuty(trx, caller, claimId, 'read');
      const row = await repository.findVerification(trx, claimId);
      if (!row)
        return {
          status: 'not-started',
          reasons: [],
          attemptsLeft: MAX_CODE_ATTEMPTS,
          codeExpiresAt: null,
          channel: null,
        };
      return {
        status: row.status,
        reasons: row.reasons,
        attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - row.attempts),
        codeExpiresAt: row.code_expires_at,
        channel: row.channel,
      };
    });
  }

  private async toManualReview(
    trx: Db,
    caller: ClaimCaller,
    claim: repository.ClaimRow,
    reasons: string[],
    attempts: number,
  ): Promise<VerificationView> {
    await repository.saveVerification(trx, {
      claim_id: claim.id,
      status: 'manual-review',
      code_hash: null,
      code_expires_at: null,
      attempts,
      channel: null,
      reasons,
      started_by: auditActorOf(caller.context).id,
      decided_at: new Date(),
    });
    await repository.setClaimVerification(trx, claim.id, 'manual-review');
    await this.alerts.raiseAlert(trx, {
      kind: 'claimant-verification-failed',
      severity:
        reasons.includes('id-mismatch') || reasons.includes('recent-contact-change') ? 'critical' : 'warning',
      subjectUserId:
        caller.context.principal?.kind === 'customer' ? null : (caller.context.principal?.userId ?? null),
      details: { claimId: claim.id, reasons: reasons.join(',') },
    });
    await this.record(trx, caller, claim, 'claim.verification.manual-review', 'failure', {
      reasons: reasons.join(','),
    });
    return { status: 'manual-review', reasons, attemptsLeft: 0, codeExpiresAt: null, channel: null };
  }

  private hash(claimId: string, code: string): Buffer {
    return createHmac('sha256', this.codeKey).update(`claimant-code\0${claimId}\0${code}`).digest();
  }

  private async record(
    trx: Db,
    caller: ClaimCaller,
    claim: repository.ClaimRow,
    action: string,
    outcome: 'success' | 'failure',
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    await this.audit.record(trx, {
      actor: auditActorOf(caller.context),
      action,
      resource: { type: 'claim', id: claim.id },
      dataSubjectId: claim.claimant_id,
      fields: [],
      purpose: 'identity-verification',
      outcome,
      requestId: caller.context.requestId,
      details,
    });
  }
}
