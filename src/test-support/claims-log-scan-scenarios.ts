import { DomainError } from '../errors/domain-error.js';
import { abilityFor } from '../modules/access/abilities.js';
import type { StaffPrincipal } from '../modules/access/principal.js';
import type { StaffRole } from '../modules/access/roles.js';
import { SYSTEM_ACTOR } from '../modules/audit/audit-event.js';
import type { ClaimCaller } from '../modules/claims/claims.service.js';
import type { LogScanContext, LogScanScenario } from './personal-data-scan.js';

/**
 * The claims module's paths for the shared personal-data log scan: customers, policies, claims, search,
 * claimant verification, with the distinctive values in every personal field and in every refused input.
 */
function services(context: LogScanContext) {
  const claims = context.server.app.claims;
  if (!claims) throw new Error('the scan server has no claims services');
  return claims;
}

function caller(role: StaffRole): ClaimCaller {
  const principal: StaffPrincipal = {
    kind: 'staff',
    userId: '00000000-0000-4000-8000-00000000000a',
    role,
    branch: 'scan',
    sessionId: '00000000-0000-4000-8000-00000000000b',
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: '',
  };
  return {
    context: { principal, requestId: null, ip: '127.0.0.1', userAgent: 'scan' },
    ability: abilityFor(principal),
  };
}

let policyCounter = 0;

async function customerWithPolicy(context: LogScanContext) {
  const { customers } = services(context);
  const { values } = context;
  const write = { actor: SYSTEM_ACTOR, requestId: null };
  const id = await customers.createCustomer(
    context.db,
    {
      name: values.name,
      idType: 'resident-id',
      idNumber: values.idNumber,
      phone: values.phone,
      email: values.email,
      address: values.address,
      branch: 'scan',
    },
    write,
  );
  await customers.addBankAccount(
    context.db,
    id,
    { bankName: '中国工商银行', number: values.bankCard, holderName: values.name },
    write,
  );
  policyCounter += 1;
  const number = `PSCAN${policyCounter}`;
  await customers.createPolicy(
    context.db,
    {
      number,
      productLine: 'health',
      branch: 'scan',
      holderId: id,
      startsOn: '2025-01-01',
      endsOn: '2030-12-31',
      sumInsured: '100000.00',
      parties: [{ customerId: id, role: 'insured' }],
    },
    write,
  );
  return { id, number };
}

export const claimsLogScanScenarios: LogScanScenario[] = [
  {
    name: 'claims: report a claim and read it masked',
    async run(context) {
      const { claims } = services(context);
      const { id, number } = await customerWithPolicy(context);
      const claim = await claims.report(caller('claims_intake'), {
        policyNumber: number,
        claimantId: id,
        incidentDate: '2026-01-02',
        description: `${context.values.name} ${context.values.diagnosis}`,
        incidentLocation: context.values.address,
        channel: 'phone',
      });
      return claims.detail(caller('claims_intake'), claim.id);
    },
  },
  {
    name: 'claims: invalid ID number refused',
    async run(context) {
      await services(context).customers.createCustomer(
        context.db,
        {
          name: context.values.name,
          idType: 'resident-id',
          idNumber: `${context.values.idNumber.slice(0, 17)}0`,
        },
        { actor: SYSTEM_ACTOR, requestId: null },
      );
    },
  },
  {
    name: 'claims: claimant not on the policy',
    async run(context) {
      const { claims } = services(context);
      const first = await customerWithPolicy(context);
      const other = await customerWithPolicy(context);
      await claims.report(caller('claims_intake'), {
        policyNumber: first.number,
        claimantId: other.id,
        incidentDate: '2026-01-02',
        description: context.values.diagnosis,
        channel: 'phone',
      });
    },
  },
  {
    name: 'claims: search by ID number and phone',
    async run(context) {
      const { customers } = services(context);
      await customerWithPolicy(context);
      const byId = await customers.findIds(context.db, { idNumber: context.values.idNumber });
      const byPhone = await customers.findIds(context.db, { phone: context.values.phone });
      if (byId.length === 0 || byPhone.length === 0)
        throw new DomainError('internal', 'search found nothing');
      return { found: byId.length + byPhone.length };
    },
  },
  {
    name: 'claims: impersonation in claimant verification',
    async run(context) {
      const { claims, customers } = services(context);
      const { id, number } = await customerWithPolicy(context);
      const claim = await claims.report(caller('claims_intake'), {
        policyNumber: number,
        claimantId: id,
        incidentDate: '2026-01-02',
        channel: 'phone',
      });
      return customers.matchIdentity(
        context.db,
        id,
        { name: context.values.latinName, idNumber: context.values.idNumber, phone: context.values.phone },
        { actor: SYSTEM_ACTOR, requestId: null, resource: { type: 'claim', id: claim.id } },
      );
    },
  },
];
