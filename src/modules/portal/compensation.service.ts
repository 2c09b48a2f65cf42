import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import { abilityFor } from '../access/abilities.js';
import type { RequestContext } from '../access/principal.js';
import type {
  BreachNoticesService,
  CompensationEligibility,
} from '../breach-notices/breach-notices.service.js';
import type { ClaimState } from '../claims/claim-transitions.js';
import type { ClaimsService, CompensationClaimCounts } from '../claims/claims.service.js';
import type { CustomerService } from '../claims/customers.service.js';

/**
 * Compensation claims for a data leak (issue 5 section 8, S4.2): the breach notice's link opens the portal
 * at `/portal/compensation/<reference>`; the customer files a claim there that runs through the ordinary
 * claims lifecycle (报案 → 立案 → …, with the usual claimant verification at registration).
 *
 * - Who may file: only a customer the breach-notices module says was affected (a notice of a started
 *   campaign for this incident was queued for them); anyone else gets `not-affected` (403). This module
 *   reads no breach-notice, notification or incident table.
 * - On which policy (the rule): compensation for a leak is the insurer's own liability, not an insured loss,
 *   but a claim in the lifecycle needs a policy for its branch, product line and duty scoping. So the claim
 *   goes on a policy that lists the customer and is IN FORCE TODAY, the incident date being the filing day
 *   (the day the customer claims the loss; the leak itself may predate a renewal). Preferred: a policy the
 *   customer holds, then the most recently started; the customer may name another in-force policy of theirs.
 *   No policy in force: `no-policy-in-force` (422). The product line is the policy's.
 * - One OPEN compensation claim per customer per incident: a second gets `conflict` (409), checked by the
 *   claims service and backed by a partial unique index (a race loses with the same 409). A withdrawn,
 *   rejected or closed one does not block a new one.
 * - The claim carries the incident reference (claims.incident_reference); the incident page counts them by
 *   state through {@link ClaimsService.compensationClaimCounts} — counts only, no claimant.
 */
type Db = Kysely<Database>;

export type CompensationForm = {
  incidentReference: string;
  isDrill: boolean;
  headline: CompensationEligibility['headline'];
  categories: string[];
  categoryNames: CompensationEligibility['categoryNames'];
  /** Policies the claim may go on, the default first. */
  policies: { number: string; productLine: string; startsOn: string; endsOn: string }[];
  /** The customer's compensation claims for this incident, newest first. */
  claims: { id: string; number: string; state: ClaimState; reportedAt: Date }[];
};

export interface IncidentReferences {
  /** The public reference of the incident with this id; `not-found` when there is none. */
  referenceOf(db: Db, incidentId: string): Promise<string>;
}

const UNIQUE_VIOLATION = '23505';

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export class CompensationService {
  constructor(
    private readonly db: Db,
    private readonly options: {
      notices: Pick<BreachNoticesService, 'compensationEligibility'>;
      claims: Pick<ClaimsService, 'report' | 'compensationClaimsOf' | 'compensationClaimCounts'>;
      customers: Pick<CustomerService, 'policiesOf'>;
      incidents: IncidentReferences;
      now?: () => Date;
    },
  ) {}

  private customerOf(context: RequestContext): string {
    const principal = context.principal;
    if (principal?.kind !== 'customer' || principal.sessionState !== 'active')
      throw new DomainError('unauthenticated');
    return principal.customerId;
  }

  private async policiesInForce(customerId: string): Promise<CompensationForm['policies']> {
    const day = today(this.options.now?.() ?? new Date());
    const rows = (await this.options.customers.policiesOf(this.db, customerId)).filter(
      (policy) => policy.starts_on <= day && day <= policy.ends_on,
    );
    // Newest start first (the repository's order); held policies before those that only list the customer.
    const held = rows.filter((policy) => policy.holder_id === customerId);
    const listed = rows.filter((policy) => policy.holder_id !== customerId);
    return [...held, ...listed].map((policy) => ({
      number: policy.number,
      productLine: policy.product_line,
      startsOn: policy.starts_on,
      endsOn: policy.ends_on,
    }));
  }

  /** The form's pre-filled content: the incident, the categories of the customer's data, the policies. */
  async form(context: RequestContext, reference: string): Promise<CompensationForm> {
    const customerId = this.customerOf(context);
    const eligibility = await this.options.notices.compensationEligibility(context, reference);
    return {
      incidentReference: eligibility.incidentReference,
      isDrill: eligibility.isDrill,
      headline: eligibility.headline,
      categories: eligibility.categories,
      categoryNames: eligibility.categoryNames,
      policies: await this.policiesInForce(customerId),
      claims: await this.options.claims.compensationClaimsOf(customerId, eligibility.incidentReference),
    };
  }

  /** Files the compensation claim (a portal first notice of loss carrying the incident reference). */
  async file(
    context: RequestContext,
    reference: string,
    input: {
      description: string;
      amountClaimed?: string | null | undefined;
      policyNumber?: string | undefined;
    },
  ): Promise<{ id: string; number: string }> {
    const customerId = this.customerOf(context);
    const eligibility = await this.options.notices.compensationEligibility(context, reference);
    const policies = await this.policiesInForce(customerId);
    const policy =
      input.policyNumber === undefined
        ? policies[0]
        : policies.find((candidate) => candidate.number === input.policyNumber);
    if (!policy) throw new DomainError('no-policy-in-force');
    try {
      return await this.options.claims.report(
        { context, ability: abilityFor(null), customerId },
        {
          policyNumber: policy.number,
          claimantId: customerId,
          incidentDate: today(this.options.now?.() ?? new Date()),
          amountClaimed: input.amountClaimed ?? null,
          description: input.description,
          incidentLocation: null,
          channel: 'portal',
          incidentReference: eligibility.incidentReference,
        },
      );
    } catch (error) {
      // Two submissions at once: the partial unique index refuses the second.
      if ((error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION)
        throw new DomainError('conflict', 'There is already an open compensation claim for this incident.');
      throw error;
    }
  }

  /** Staff (security officers): an incident's compensation claims by state. */
  async countsForIncident(
    incidentId: string,
  ): Promise<CompensationClaimCounts & { incidentReference: string }> {
    const incidentReference = await this.options.incidents.referenceOf(this.db, incidentId);
    return { incidentReference, ...(await this.options.claims.compensationClaimCounts(incidentReference)) };
  }
}
