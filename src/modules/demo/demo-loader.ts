import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { abilityFor } from '../access/abilities.js';
import type { RequestContext, StaffPrincipal } from '../access/principal.js';
import type { StaffRole } from '../access/roles.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';
import type { ClaimState } from '../claims/claim-transitions.js';
import type { ClaimCaller, ClaimsService } from '../claims/claims.service.js';
import { type CustomerService, PRODUCT_LINES, type ProductLine } from '../claims/customers.service.js';
import type { IdentityService } from '../identity/identity.service.js';
import type { PayoutsService } from '../payouts/payouts.service.js';
import { makeDemoPeople } from './demo-people.js';

/**
 * `claimguard demo` and the first `npm start`: a living system within a minute (issue "Demo data"). Staff of
 * every role in two branches, customers with valid ID numbers and bank cards, policies of every product line,
 * and claims in every state, each moved there through the real services (so the transition table, duty
 * checks, vault and audit log all apply, and the audit log shows a history from the start).
 */
type Db = Kysely<Database>;

export type DemoDependencies = {
  db: Db;
  identity: IdentityService;
  customers: CustomerService;
  claims: ClaimsService;
  /** Payouts of claims past adjustment go through the real maker-checker workflow. */
  payouts: PayoutsService;
};

export type DemoStaffAccount = {
  username: string;
  displayName: string;
  role: StaffRole;
  branch: string | null;
  oneTimePassword: string;
};

export type DemoResult = {
  staff: DemoStaffAccount[];
  customers: number;
  policies: number;
  claims: number;
  claimsByState: Partial<Record<ClaimState, number>>;
};

export type DemoOptions = {
  customers?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
};

const BRANCHES = ['beijing', 'shanghai'] as const;

/** A demo staff member's work email, e.g. `demo-security@claimguard.example` (a reserved domain). */
export function demoStaffEmail(username: string): string {
  return `${username}@claimguard.example`;
}

const STAFF: readonly { username: string; role: StaffRole; branch: string | null; name: string }[] = [
  { username: 'demo-intake', role: 'claims_intake', branch: 'beijing', name: '王受理' },
  { username: 'demo-adjuster', role: 'adjuster', branch: 'beijing', name: '刘理算' },
  { username: 'demo-adjuster-2', role: 'adjuster', branch: 'beijing', name: '陈理算' },
  { username: 'demo-surveyor', role: 'surveyor', branch: 'beijing', name: '赵查勘' },
  { username: 'demo-supervisor', role: 'claims_supervisor', branch: 'beijing', name: '孙主管' },
  { username: 'demo-intake-sh', role: 'claims_intake', branch: 'shanghai', name: '周受理' },
  { username: 'demo-adjuster-sh', role: 'adjuster', branch: 'shanghai', name: '吴理算' },
  { username: 'demo-surveyor-sh', role: 'surveyor', branch: 'shanghai', name: '郑查勘' },
  { username: 'demo-supervisor-sh', role: 'claims_supervisor', branch: 'shanghai', name: '冯主管' },
  { username: 'demo-finance', role: 'finance', branch: null, name: '何财务' },
  { username: 'demo-security', role: 'security_officer', branch: null, name: '林安全' },
  // A second officer: reversing containment and approving breach notices are maker-checker (S4.2, S4.3).
  { username: 'demo-security-2', role: 'security_officer', branch: null, name: '黄安全' },
  { username: 'demo-auditor', role: 'internal_auditor', branch: null, name: '高审计' },
  { username: 'demo-external-auditor', role: 'external_auditor', branch: null, name: '外部审计师' },
];

/** Where each demo claim ends up: every state, weighted towards work in progress. */
const TARGET_STATES: readonly ClaimState[] = [
  'reported',
  'registered',
  'surveying',
  'assessing',
  'adjusting',
  'approving',
  'paying',
  'closed',
  'closed',
  'rejected',
  'withdrawn',
  'reopened',
  'registered',
  'assessing',
];

const PRODUCT_CODES: Record<ProductLine, string> = {
  motor: 'PDAA',
  health: 'PHEA',
  property: 'PPRO',
  life: 'PLIF',
  accident: 'PACC',
  cyber: 'PCYB',
};

const INCIDENTS: Record<ProductLine, readonly string[]> = {
  motor: [
    '等红灯时被后车追尾，后保险杠及尾灯损坏。',
    '倒车时与停车场立柱刮擦，右后门凹陷。',
    '雨天路滑与前车发生碰撞，前脸受损。',
  ],
  health: [
    '因急性阑尾炎住院手术治疗 5 天。',
    '体检发现甲状腺结节，行门诊穿刺检查。',
    '骨折住院治疗，需报销医疗费用。',
  ],
  property: [
    '楼上邻居水管爆裂，导致天花板和木地板浸水。',
    '雷击造成家用电器损坏。',
    '台风期间窗户玻璃破碎，室内物品受损。',
  ],
  life: ['被保险人因病身故，受益人申请身故保险金。'],
  accident: ['骑行时摔倒导致右腕骨折。', '外出旅行时扭伤脚踝，门诊治疗。'],
  cyber: ['客户数据库遭勒索软件加密，产生应急响应费用。', '员工邮箱被钓鱼，导致客户信息外泄。'],
};

export async function hasCustomers(db: Db): Promise<boolean> {
  const row = await db.selectFrom('customers').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function loadDemoData(deps: DemoDependencies, options: DemoOptions = {}): Promise<DemoResult> {
  const count = options.customers ?? 120;
  const seed = options.seed ?? 20261124;
  const people = makeDemoPeople(count, seed);
  const context = { actor: SYSTEM_ACTOR, requestId: null };
  const total = STAFF.length + count * 2;
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);

  const staff: DemoStaffAccount[] = [];
  const principals = new Map<string, StaffPrincipal>();
  const system: RequestContext = { principal: null, requestId: null, ip: null, userAgent: null };
  for (const member of STAFF) {
    const { user, oneTimePassword } = await deps.identity.createUser(system, {
      username: member.username,
      displayName: member.name,
      role: member.role,
      branch: member.branch,
      accessExpiresAt: member.role === 'external_auditor' ? new Date(Date.now() + 90 * 86_400_000) : null,
      // Fictitious work addresses (issue 5 section 1): the security officer's gets the alert emails.
      email: demoStaffEmail(member.username),
    });
    staff.push({
      username: member.username,
      displayName: member.name,
      role: member.role,
      branch: member.branch,
      oneTimePassword,
    });
    principals.set(member.username, {
      kind: 'staff',
      userId: user.id,
      role: member.role,
      branch: member.branch,
      sessionId: '00000000-0000-4000-8000-000000000000',
      sessionState: 'active',
      mustChangePassword: false,
      secondFactorAt: new Date(),
      csrfToken: '',
    });
    tick();
  }
  const callerFor = (username: string): ClaimCaller => {
    const principal = principals.get(username) as StaffPrincipal;
    return {
      context: { principal, requestId: null, ip: '127.0.0.1', userAgent: 'claimguard demo' },
      ability: abilityFor(principal),
    };
  };
  const suffix = (branch: string) => (branch === 'beijing' ? '' : '-sh');

  const year = new Date().getUTCFullYear();
  const customerIds: string[] = [];
  let policies = 0;
  const policyOf: {
    number: string;
    branch: string;
    productLine: ProductLine;
    claimantId: string;
    startsOn: string;
  }[] = [];
  for (const [index, person] of people.entries()) {
    const branch = BRANCHES[index % 3 === 2 ? 1 : 0] as string;
    const id = await deps.customers.createCustomer(
      deps.db,
      {
        name: person.name,
        idType: 'resident-id',
        idNumber: person.residentId,
        phone: person.mobile,
        email: person.email,
        address: person.address.full,
        language: person.preferredLanguage,
        branch,
      },
      context,
    );
    await deps.customers.addBankAccount(
      deps.db,
      id,
      {
        bankName: person.bankAccount.bankName,
        number: person.bankAccount.cardNumber,
        holderName: person.bankAccount.holderName,
      },
      context,
    );
    customerIds.push(id);
    const productLine = PRODUCT_LINES[index % PRODUCT_LINES.length] as ProductLine;
    // Policies started between one and eleven months ago and run for a year, so every claim date is real.
    const started = new Date(Date.now() - (30 + ((index * 37) % 300)) * 86_400_000);
    const startsOn = started.toISOString().slice(0, 10);
    const endsOn = new Date(started.getTime() + 364 * 86_400_000).toISOString().slice(0, 10);
    const number = `${PRODUCT_CODES[productLine]}${year}${branch === 'beijing' ? 'BJ' : 'SH'}${String(index + 1).padStart(6, '0')}`;
    // Life and accident policies name a beneficiary: the previous customer of the branch, if any.
    const beneficiary =
      (productLine === 'life' || productLine === 'accident') && index > 3
        ? customerIds[index - 3]
        : undefined;
    await deps.customers.createPolicy(
      deps.db,
      {
        number,
        productLine,
        branch,
        holderId: id,
        startsOn,
        endsOn,
        sumInsured:
          productLine === 'motor' ? '300000.00' : productLine === 'life' ? '1000000.00' : '200000.00',
        parties: [
          { customerId: id, role: 'insured' },
          ...(beneficiary ? [{ customerId: beneficiary, role: 'beneficiary' as const }] : []),
        ],
      },
      context,
    );
    policies += 1;
    policyOf.push({ number, branch, productLine, claimantId: id, startsOn });
    tick();
  }

  const claimsByState: Partial<Record<ClaimState, number>> = {};
  let claims = 0;
  for (const [index, policy] of policyOf.entries()) {
    // Four customers in five have a claim.
    if (index % 5 === 4) {
      tick();
      continue;
    }
    const target = TARGET_STATES[index % TARGET_STATES.length] as ClaimState;
    const s = suffix(policy.branch);
    const startsAt = new Date(`${policy.startsOn}T00:00:00Z`).getTime();
    const daysCovered = Math.max(1, Math.floor((Date.now() - 86_400_000 - startsAt) / 86_400_000));
    const incident = new Date(startsAt + ((index * 7919) % daysCovered) * 86_400_000);
    const texts = INCIDENTS[policy.productLine];
    const { id } = await deps.claims.report(callerFor(`demo-intake${s}`), {
      policyNumber: policy.number,
      claimantId: policy.claimantId,
      incidentDate: incident.toISOString().slice(0, 10),
      amountClaimed: `${1000 + ((index * 3571) % 48000)}.00`,
      description: texts[index % texts.length] as string,
      incidentLocation: policy.productLine === 'motor' ? '北京市朝阳区建国路与东三环路口' : null,
      channel: index % 3 === 0 ? 'portal' : 'phone',
    });
    await walkTo(deps.claims, id, target, {
      intake: callerFor(`demo-intake${s}`),
      supervisor: callerFor(`demo-supervisor${s}`),
      handlerOf: async (claimId) => {
        const detail = await deps.claims.detail(callerFor(`demo-supervisor${s}`), claimId);
        const username = [...principals.entries()].find(
          ([, principal]) => principal.userId === detail.assigneeId,
        )?.[0];
        return callerFor(username ?? `demo-supervisor${s}`);
      },
      surveyor: callerFor(`demo-surveyor${s}`),
      finance: callerFor('demo-finance'),
      payouts: deps.payouts,
      payeeAccountId: (await deps.customers.bankAccountIdsOf(deps.db, policy.claimantId))[0] as string,
      amount: `${800 + ((index * 2731) % 30000)}.00`,
    });
    claimsByState[target] = (claimsByState[target] ?? 0) + 1;
    claims += 1;
    tick();
  }
  return { staff, customers: customerIds.length, policies, claims, claimsByState };
}

type Walkers = {
  intake: ClaimCaller;
  supervisor: ClaimCaller;
  surveyor: ClaimCaller;
  handlerOf: (claimId: string) => Promise<ClaimCaller>;
  finance: ClaimCaller;
  payouts: PayoutsService;
  payeeAccountId: string;
  amount: string;
};

/** Moves a reported claim to `target` along the transition table, as the people on duty would. */
async function walkTo(claims: ClaimsService, id: string, target: ClaimState, who: Walkers): Promise<void> {
  if (target === 'reported') return;
  let claim = await claims.transition(who.intake, id, { to: 'registered', version: 1 });
  if (target === 'registered') return;
  if (target === 'withdrawn') {
    await claims.transition(who.intake, id, {
      to: 'withdrawn',
      reason: '客户来电撤案：已与对方私了。',
      version: claim.version,
    });
    return;
  }
  const handler = await who.handlerOf(id);
  claim = await claims.transition(handler, id, { to: 'surveying', version: claim.version });
  if (target === 'surveying') return;
  const surveyor = who.surveyor.context.principal;
  claim = await claims.transition(
    surveyor?.kind === 'staff' && surveyor.userId === claim.surveyorId ? who.surveyor : who.supervisor,
    id,
    {
      to: 'assessing',
      version: claim.version,
    },
  );
  if (target === 'assessing') return;
  if (target === 'rejected') {
    await claims.transition(who.supervisor, id, {
      to: 'rejected',
      reason: '事故不属于保险责任范围。',
      version: claim.version,
    });
    return;
  }
  claim = await claims.transition(handler, id, { to: 'adjusting', version: claim.version });
  if (target === 'adjusting') return;
  // The payout workflow (S3.3): the adjuster proposes, the supervisor approves (within the limit), finance pays.
  const payout = await who.payouts.propose(handler, id, {
    amount: who.amount,
    payeeAccountId: who.payeeAccountId,
    claimVersion: claim.version,
  });
  if (target === 'approving') return;
  await who.payouts.approve(who.supervisor, payout.id);
  if (target === 'paying') return;
  await who.payouts.execute(who.finance, payout.id, randomUUID());
  if (target === 'closed') return;
  const closed = await claims.detail(who.supervisor, id);
  await claims.transition(who.supervisor, id, {
    to: 'reopened',
    reason: '客户补充了新的维修发票。',
    version: closed.version,
  });
}
