import { randomUUID } from 'node:crypto';
import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { AccessRepository } from './access.repository.js';
import { auditActorOf, type RequestContext } from './principal.js';

/**
 * Break-glass (S3.2): time-limited access beyond one's duty (every claim, not only the assigned ones)
 * with a written justification. Opening one raises a critical alert for the security officers and is
 * audited; the grant ends by itself.
 */
export const BREAK_GLASS_MIN_JUSTIFICATION = 30;
export const BREAK_GLASS_MAX_MINUTES = 240;

export type BreakGlassGrant = {
  id: string;
  userId: string;
  grantedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
};

export type SecurityAlert = {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  subjectUserId: string | null;
  details: Record<string, string | number | boolean | null>;
  createdAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
};

export class BreakGlassService {
  readonly #repository: AccessRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#repository = new AccessRepository(db);
  }

  /**
   * When the user's open break-glass grant ends at `now` (null when none is open), as an expression on the user
   * id in `userIdColumn`, which the session lookup folds into its own query (identity's
   * `authenticateSessionWith`). One function for the whole process, so that query is compiled once.
   */
  static readonly activeUntilExpression = (userIdColumn: string, now: Date): RawBuilder<Date | null> =>
    AccessRepository.openGrantUntilExpression(userIdColumn, now);

  async open(
    context: RequestContext,
    input: { justification: string; minutes: number },
  ): Promise<BreakGlassGrant> {
    const principal = context.principal;
    if (principal?.kind !== 'staff')
      throw new DomainError('forbidden', 'Only staff in a session can break the glass.');
    const justification = input.justification.trim();
    if (justification.length < BREAK_GLASS_MIN_JUSTIFICATION) {
      throw new DomainError(
        'validation-failed',
        `Write at least ${BREAK_GLASS_MIN_JUSTIFICATION} characters of justification.`,
      );
    }
    const minutes = Math.min(Math.max(Math.round(input.minutes), 5), BREAK_GLASS_MAX_MINUTES);
    const now = this.now();
    const grant = {
      id: randomUUID(),
      user_id: principal.userId,
      justification,
      expires_at: new Date(now.getTime() + minutes * 60_000),
    };
    await this.db.transaction().execute(async (trx) => {
      const repository = this.#repository.with(trx);
      await repository.insertGrant(grant);
      await repository.insertAlert({
        id: randomUUID(),
        kind: 'break-glass',
        severity: 'critical',
        subject_user_id: principal.userId,
        details: { grantId: grant.id, minutes, role: principal.role },
      });
      await this.audit.record(trx, {
        actor: auditActorOf(context),
        action: 'access.break-glass.opened',
        resource: { type: 'break-glass-grant', id: grant.id },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: context.requestId,
        details: { minutes, justificationLength: justification.length },
      });
    });
    return {
      id: grant.id,
      userId: principal.userId,
      grantedAt: now,
      expiresAt: grant.expires_at,
      endedAt: null,
    };
  }

  /**
   * Raises a security alert for the security officers (S2.3), in the caller's transaction so that the alert
   * and what caused it commit together. Details are codes and ids, never personal data.
   */
  async raiseAlert(
    db: Kysely<Database>,
    alert: {
      kind: string;
      severity: 'info' | 'warning' | 'critical';
      subjectUserId?: string | null;
      details: Record<string, string | number | boolean | null>;
    },
  ): Promise<string> {
    const id = randomUUID();
    await this.#repository.with(db).insertAlert({
      id,
      kind: alert.kind,
      severity: alert.severity,
      subject_user_id: alert.subjectUserId ?? null,
      details: alert.details,
    });
    return id;
  }

  async end(context: RequestContext): Promise<{ ended: number }> {
    const principal = context.principal;
    if (principal?.kind !== 'staff') throw new DomainError('forbidden');
    return this.db.transaction().execute(async (trx) => {
      const ended = await this.#repository.with(trx).endOpenGrants(principal.userId, this.now());
      if (ended > 0) {
        await this.audit.record(trx, {
          actor: auditActorOf(context),
          action: 'access.break-glass.ended',
          resource: { type: 'break-glass-grant', id: null },
          dataSubjectId: null,
          fields: [],
          purpose: null,
          outcome: 'success',
          requestId: context.requestId,
        });
      }
      return { ended };
    });
  }

  async listAlerts(options: { unacknowledgedOnly: boolean; limit: number }): Promise<SecurityAlert[]> {
    return (await this.#repository.listAlerts(options)).map((row) => ({
      id: row.id,
      kind: row.kind,
      severity: row.severity,
      subjectUserId: row.subject_user_id,
      details: row.details,
      createdAt: row.created_at,
      acknowledgedBy: row.acknowledged_by,
      acknowledgedAt: row.acknowledged_at,
    }));
  }

  async acknowledge(context: RequestContext, alertId: string): Promise<void> {
    const principal = context.principal;
    if (!principal || principal.kind === 'customer') throw new DomainError('unauthenticated');
    await this.db.transaction().execute(async (trx) => {
      const acknowledged = await this.#repository
        .with(trx)
        .acknowledgeAlert(alertId, principal.userId, this.now());
      if (!acknowledged) throw new DomainError('not-found', 'No such open alert.');
      await this.audit.record(trx, {
        actor: auditActorOf(context),
        action: 'security-alert.acknowledged',
        resource: { type: 'security-alert', id: alertId },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: context.requestId,
      });
    });
  }
}
