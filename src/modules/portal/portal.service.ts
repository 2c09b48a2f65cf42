import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { abilityFor } from '../access/abilities.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import type { AccessHistoryEntry, AuditPage } from '../audit/audit.service.js';
import type { ClaimState } from '../claims/claim-transitions.js';
import type { ClaimCaller, ClaimDetail, ClaimsService } from '../claims/claims.service.js';
import type { CustomerService } from '../claims/customers.service.js';
import type { DocumentSummary, DocumentsService, NewDocument } from '../documents/documents.service.js';
import type { InAppPage, NotificationService } from '../notifications/notifications.service.js';
import type { ClaimantPayoutView, PayoutsService } from '../payouts/payouts.service.js';

/**
 * What a signed-in customer does in the portal (issue section 8): their profile, policies and claims,
 * reporting a claim, adding documents, withdrawing, their in-app notices and who accessed their data.
 * Every call acts as the customer on their own records: the claims service is called with a caller that
 * holds no staff grant (`abilityFor(null)`) and the customer's id, which it checks against the claimant.
 *
 * Masking: the customer's own personal data is shown MASKED in the portal, as everywhere else, and is not
 * revealable here. The portal is reached with a password and a one-time code, but it is used on phones and
 * shared computers where a full ID number or address on screen is easily seen by others, and the customer
 * gains nothing from seeing data they know; the masked value is enough to recognise it. A full copy of
 * their data is a data-subject request (PIPL Art. 45), handled by the insurer with purpose
 * `data-subject-request`. The customer's own reads are audited with that purpose, so their access history
 * tells them apart from claim handling.
 */
type Db = Kysely<Database>;

export interface AccessHistorySource {
  accessHistory(
    subjectId: string,
    page: { before?: number; limit?: number; newestFirst: true },
  ): Promise<AuditPage<AccessHistoryEntry>>;
}

/** How many entries the summary reads at most (newest first); a longer history is summarised in part. */
export const ACCESS_SUMMARY_LIMIT = 20_000;
const SUMMARY_PAGE = 1_000;

export type PortalClaimDetail = Pick<
  ClaimDetail,
  | 'id'
  | 'number'
  | 'state'
  | 'version'
  | 'productLine'
  | 'channel'
  | 'incidentDate'
  | 'amountClaimed'
  | 'reportedAt'
  | 'updatedAt'
  | 'description'
  | 'incidentLocation'
  | 'resolutionReason'
  | 'closedAt'
  | 'allowedTransitions'
> & {
  policy: { number: string; productLine: string; startsOn: string; endsOn: string };
  /** Who moved the claim: the kind of actor and the staff role, never a person's name or id. */
  timeline: {
    from: string | null;
    to: string;
    at: Date;
    actorType: string;
    actorRole: string | null;
    reason: string | null;
  }[];
  documents: DocumentSummary[];
  /** What was or will be paid and to which (masked) account. */
  payouts: ClaimantPayoutView[];
};

export type PortalAccessEntry = AccessHistoryEntry & { self: boolean };

/** Everyone who touched the customer's data, one row each, with how often, when and why. */
export type PortalAccessParty = {
  actor: PortalAccessEntry['actor'];
  self: boolean;
  count: number;
  denied: number;
  firstAt: string;
  lastAt: string;
  purposes: string[];
  fields: string[];
};

export type PortalAccessSummary = {
  parties: PortalAccessParty[];
  /** Entries summarised; `complete` is false when the history is longer than {@link ACCESS_SUMMARY_LIMIT}. */
  counted: number;
  complete: boolean;
};

export class PortalService {
  constructor(
    private readonly db: Db,
    private readonly claims: ClaimsService,
    private readonly customers: CustomerService,
    private readonly documents: DocumentsService,
    private readonly notifications: NotificationService,
    private readonly payouts: Pick<PayoutsService, 'forClaimant'>,
    private readonly history: AccessHistorySource | null,
  ) {}

  private caller(context: RequestContext): ClaimCaller & { customerId: string } {
    const principal = context.principal;
    if (principal?.kind !== 'customer' || principal.sessionState !== 'active')
      throw new DomainError('unauthenticated');
    return { context, ability: abilityFor(null), customerId: principal.customerId };
  }

  async me(context: RequestContext) {
    const { customerId } = this.caller(context);
    const [view] = await this.db.transaction().execute((trx) =>
      this.customers.view(trx, [customerId], ['name', 'phone', 'email'], {
        actor: auditActorOf(context),
        purpose: 'data-subject-request',
        unmask: false,
        requestId: context.requestId,
        resource: { type: 'portal-profile', id: customerId },
      }),
    );
    if (!view) throw new DomainError('unauthenticated');
    return {
      customerId,
      language: view.language === 'en-US' ? ('en-US' as const) : ('zh-CN' as const),
      name: view.fields.name?.value ?? '',
      phone: view.fields.phone?.value ?? null,
      email: view.fields.email?.value ?? null,
    };
  }

  async policies(context: RequestContext) {
    const { customerId } = this.caller(context);
    const rows = await this.customers.policiesOf(this.db, customerId);
    return rows.map((row) => ({
      number: row.number,
      productLine: row.product_line,
      startsOn: row.starts_on,
      endsOn: row.ends_on,
    }));
  }

  async listClaims(context: RequestContext, page: { limit: number; offset: number }) {
    const caller = this.caller(context);
    const { items, total } = await this.claims.list(caller, {}, page);
    return {
      total,
      items: items.map((claim) => ({
        id: claim.id,
        number: claim.number,
        state: claim.state,
        version: claim.version,
        productLine: claim.productLine,
        incidentDate: claim.incidentDate,
        amountClaimed: claim.amountClaimed,
        reportedAt: claim.reportedAt,
        updatedAt: claim.updatedAt,
      })),
    };
  }

  async claim(context: RequestContext, id: string): Promise<PortalClaimDetail> {
    const caller = this.caller(context);
    const detail = await this.claims.detail(caller, id);
    return this.view(
      detail,
      await this.documents.list(caller, id),
      await this.payouts.forClaimant(caller, id),
    );
  }

  async report(
    context: RequestContext,
    input: {
      policyNumber: string;
      incidentDate: string;
      amountClaimed?: string | null | undefined;
      description?: string | null | undefined;
      incidentLocation?: string | null | undefined;
    },
  ): Promise<{ id: string; number: string }> {
    const caller = this.caller(context);
    // The claimant is the customer themselves; the claims service checks that the policy lists them.
    return this.claims.report(caller, {
      policyNumber: input.policyNumber,
      claimantId: caller.customerId,
      incidentDate: input.incidentDate,
      amountClaimed: input.amountClaimed ?? null,
      description: input.description ?? null,
      incidentLocation: input.incidentLocation ?? null,
      channel: 'portal',
    });
  }

  upload(context: RequestContext, claimId: string, document: NewDocument): Promise<DocumentSummary> {
    return this.documents.upload(this.caller(context), claimId, document);
  }

  async withdraw(
    context: RequestContext,
    claimId: string,
    input: { reason: string; version: number },
  ): Promise<PortalClaimDetail> {
    const caller = this.caller(context);
    if (!input.reason.trim()) throw new DomainError('reason-required');
    const detail = await this.claims.transition(caller, claimId, {
      to: 'withdrawn' satisfies ClaimState,
      reason: input.reason,
      version: input.version,
    });
    return this.view(
      detail,
      await this.documents.list(caller, claimId),
      await this.payouts.forClaimant(caller, claimId),
    );
  }

  inbox(context: RequestContext, page: { limit: number; offset: number }): Promise<InAppPage> {
    const { customerId } = this.caller(context);
    return this.notifications.listInApp(this.db, { kind: 'customer', id: customerId }, page);
  }

  markRead(context: RequestContext, ids: readonly string[]): Promise<number> {
    const { customerId } = this.caller(context);
    return this.notifications.markRead(this.db, { kind: 'customer', id: customerId }, ids);
  }

  /**
   * Who accessed my data and why: from the audit log, newest first (paged backwards by `before`), by role
   * and internal id (never a name), when, the action, the fields and the purpose. Reads by the customer
   * themselves are marked `self`; other customers and outside parties appear without an id.
   */
  async accessHistory(
    context: RequestContext,
    page: { before?: number; limit: number },
  ): Promise<AuditPage<PortalAccessEntry>> {
    const { customerId } = this.caller(context);
    const history = this.historySource();
    const result = await history.accessHistory(customerId, { ...page, newestFirst: true });
    return {
      nextCursor: result.nextCursor,
      items: result.items.map((entry) => portalEntry(entry, customerId)),
    };
  }

  /**
   * The same history summed up by who: one row per staff member (role and internal id), API token, the
   * customer themselves, and other customers or outside parties by kind; with how many accesses (refused
   * ones counted apart), first and last, and the purposes and fields. Staff first, latest first.
   */
  async accessSummary(context: RequestContext): Promise<PortalAccessSummary> {
    const { customerId } = this.caller(context);
    const history = this.historySource();
    const parties = new Map<string, PortalAccessParty & { purposeSet: Set<string>; fieldSet: Set<string> }>();
    let counted = 0;
    let before: number | undefined;
    let complete = false;
    while (counted < ACCESS_SUMMARY_LIMIT) {
      const page = await history.accessHistory(customerId, {
        ...(before === undefined ? {} : { before }),
        limit: Math.min(SUMMARY_PAGE, ACCESS_SUMMARY_LIMIT - counted),
        newestFirst: true,
      });
      for (const raw of page.items) {
        const entry = portalEntry(raw, customerId);
        const key = `${entry.self}:${entry.actor.type}:${entry.actor.id ?? ''}:${entry.actor.role ?? ''}`;
        let party = parties.get(key);
        if (!party) {
          party = {
            actor: entry.actor,
            self: entry.self,
            count: 0,
            denied: 0,
            firstAt: entry.at,
            lastAt: entry.at,
            purposes: [],
            fields: [],
            purposeSet: new Set(),
            fieldSet: new Set(),
          };
          parties.set(key, party);
        }
        party.count += 1;
        if (entry.outcome === 'denied') party.denied += 1;
        // Newest first: each older entry moves the first access back.
        party.firstAt = entry.at;
        if (entry.purpose) party.purposeSet.add(entry.purpose);
        for (const field of entry.fields) party.fieldSet.add(field);
      }
      counted += page.items.length;
      if (page.nextCursor === null) {
        complete = true;
        break;
      }
      before = page.nextCursor;
    }
    const rank = (party: PortalAccessParty) =>
      party.self ? 2 : party.actor.type === 'staff' || party.actor.type === 'api-token' ? 0 : 1;
    return {
      counted,
      complete,
      parties: [...parties.values()]
        .map(({ purposeSet, fieldSet, ...party }) => ({
          ...party,
          purposes: [...purposeSet].sort(),
          fields: [...fieldSet].sort(),
        }))
        .sort((a, b) => rank(a) - rank(b) || b.lastAt.localeCompare(a.lastAt)),
    };
  }

  private historySource(): AccessHistorySource {
    if (!this.history) throw new DomainError('not-ready', 'The audit log is not available.');
    return this.history;
  }

  private view(
    detail: ClaimDetail,
    documents: DocumentSummary[],
    payouts: ClaimantPayoutView[],
  ): PortalClaimDetail {
    return {
      id: detail.id,
      number: detail.number,
      state: detail.state,
      version: detail.version,
      productLine: detail.productLine,
      channel: detail.channel,
      incidentDate: detail.incidentDate,
      amountClaimed: detail.amountClaimed,
      reportedAt: detail.reportedAt,
      updatedAt: detail.updatedAt,
      description: detail.description,
      incidentLocation: detail.incidentLocation,
      resolutionReason: detail.resolutionReason,
      closedAt: detail.closedAt,
      allowedTransitions: detail.allowedTransitions,
      policy: {
        number: detail.policy.number,
        productLine: detail.policy.productLine,
        startsOn: detail.policy.startsOn,
        endsOn: detail.policy.endsOn,
      },
      timeline: detail.timeline.map((step) => ({
        from: step.from,
        to: step.to,
        at: step.at,
        actorType: step.actorType,
        actorRole: step.actorRole,
        reason: step.reason,
      })),
      documents,
      payouts,
    };
  }
}

/**
 * One history entry as the customer sees it. SECURITY: staff (and their API tokens) by internal id, so a
 * complaint can name the access; anyone else (another customer, an outside party) by kind only.
 */
function portalEntry(entry: AccessHistoryEntry, customerId: string): PortalAccessEntry {
  const self = entry.actor.type === 'customer' && entry.actor.id === customerId;
  const named = self || entry.actor.type === 'staff' || entry.actor.type === 'api-token';
  return { ...entry, actor: { ...entry.actor, id: named ? entry.actor.id : null }, self };
}
