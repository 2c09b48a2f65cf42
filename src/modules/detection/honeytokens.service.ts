import { randomInt, randomUUID } from 'node:crypto';
import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { AppAbility } from '../access/abilities.js';
import { auditActorOf, type RequestContext } from '../access/principal.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import type { ClaimCaller, ClaimsService } from '../claims/claims.service.js';
import type { CustomerService, ProductLine } from '../claims/customers.service.js';
import { makeDemoPeople } from '../demo/demo-people.js';
import * as repository from './detection.repository.js';
import type { DetectionStaffDirectory } from './detection.service.js';

/**
 * Honeytokens (S2.3, issue 5 section 1): decoy customers and decoy claims the security officer plants, which
 * no legitimate work ever reads. They are made through the claims module's own services (so they look and
 * behave like real records) from fictitious but well-formed data, and recorded in `detection_honeytokens`.
 *
 * - A decoy claim is shown to exactly one recipient: a handler (it is assigned to them and listed to them
 *   alone: the claims list leaves decoys out for everyone else) or an outside party it is handed to. Its
 *   claim number and its decoy claimant's phone and ID number are unique, so each is a watermark: given a
 *   value found outside (a leaked list, a phone number in a fraudster's script), {@link lookup} names the
 *   decoy and whom it was shown to.
 * - Any audit event touching a decoy's data subject or claim (other than its planting, and the recipient's
 *   masked listing) raises a critical alert at once (the `honeytoken` rule).
 *
 * SECURITY: the decoy's values are returned once, in the planting's answer (the officer may need them to hand
 * the decoy over); afterwards they are read by nobody, since reading them is a touch.
 */
type Db = Kysely<Database>;

export const HONEYTOKEN_RECIPIENT_ROLES = ['adjuster', 'surveyor'] as const;
export const HONEYTOKEN_PARTY_KINDS = ['garage', 'hospital', 'loss-adjuster', 'other'] as const;

export type HoneytokenRecipient =
  | { kind: 'none' }
  | { kind: 'staff'; userId: string }
  | { kind: 'external'; label: string; partyKind: (typeof HONEYTOKEN_PARTY_KINDS)[number] };

export type PlantInput = {
  kind: 'customer' | 'claim';
  recipient: HoneytokenRecipient;
  /** The decoy policy's product line (claims only; default motor). */
  productLine?: ProductLine;
  /** The branch of a decoy customer or of a claim for an outside party (a staff recipient's branch wins). */
  branch?: string | null;
  note?: string | null;
};

export type HoneytokenView = {
  id: string;
  kind: 'customer' | 'claim';
  subjectId: string;
  claimId: string | null;
  claimNumber: string | null;
  recipient:
    | { kind: 'none' }
    | { kind: 'staff'; userId: string }
    | { kind: 'external'; label: string; partyKind: string | null };
  plantedBy: string;
  plantedAt: Date;
  note: string | null;
  alerts: number;
  lastTouchAt: Date | null;
};

/** The decoy's fictitious values: shown once, when planted. */
export type DecoyValues = { name: string; idNumber: string; phone: string; email: string; address: string };

export type PlantedHoneytoken = HoneytokenView & { decoy: DecoyValues };

export type LookupMatch = {
  honeytoken: HoneytokenView;
  matchedOn: 'claim-number' | 'phone' | 'id-number' | 'email';
};

export class HoneytokenService {
  readonly #db: Db;

  constructor(
    db: Db,
    private readonly deps: {
      claims: ClaimsService;
      customers: CustomerService;
      audit: AuditRecorder;
      staff: DetectionStaffDirectory;
    },
  ) {
    this.#db = db;
  }

  async plant(context: RequestContext, input: PlantInput): Promise<PlantedHoneytoken> {
    const principal = context.principal;
    if (principal?.kind !== 'staff')
      throw new DomainError('forbidden', 'Only staff in a session plant honeytokens.');
    const recipient = input.recipient;
    if (input.kind === 'claim' && recipient.kind === 'none')
      throw new DomainError('bad-request', 'A decoy claim is shown to one handler or one outside party.');
    if (input.kind === 'customer' && recipient.kind === 'staff')
      throw new DomainError(
        'bad-request',
        'A handler is shown a decoy claim; a decoy customer goes to nobody or outside.',
      );
    let branch = input.branch ?? principal.branch ?? 'head-office';
    let recipientRole: string | null = null;
    if (recipient.kind === 'staff') {
      const user = (await this.deps.staff.listUsers()).find((candidate) => candidate.id === recipient.userId);
      if (
        user?.status !== 'active' ||
        !(HONEYTOKEN_RECIPIENT_ROLES as readonly string[]).includes(user.role) ||
        !user.branch
      )
        throw new DomainError(
          'bad-request',
          'The recipient must be an active adjuster or surveyor with a branch.',
        );
      branch = user.branch;
      recipientRole = user.role;
    }

    const requestId = context.requestId ?? randomUUID();
    const planting: RequestContext = { ...context, requestId };
    const actor = auditActorOf(planting);
    const person = await this.#freshDecoyPerson();
    const id = randomUUID();
    const year = new Date().getUTCFullYear();
    const policyNumber = `P${(input.productLine ?? 'motor').slice(0, 3).toUpperCase()}${year}${randomCode(8)}`;
    const today = Date.now();
    const isoDay = (offsetDays: number) =>
      new Date(today + offsetDays * 86_400_000).toISOString().slice(0, 10);

    const subjectId = await this.#db.transaction().execute(async (trx) => {
      const customerId = await this.deps.customers.createCustomer(
        trx,
        {
          name: person.name,
          idType: 'resident-id',
          idNumber: person.idNumber,
          phone: person.phone,
          email: person.email,
          address: person.address,
          language: 'zh-CN',
          branch,
        },
        { actor, requestId },
      );
      if (input.kind === 'claim') {
        await this.deps.customers.createPolicy(
          trx,
          {
            number: policyNumber,
            productLine: input.productLine ?? 'motor',
            branch,
            holderId: customerId,
            startsOn: isoDay(-200),
            endsOn: isoDay(165),
            sumInsured: `${randomInt(10, 60) * 10_000}.00`,
            parties: [{ customerId, role: 'insured' }],
          },
          { actor, requestId },
        );
      }
      await repository.insertHoneytoken(trx, {
        id,
        kind: input.kind,
        subject_id: customerId,
        claim_id: null,
        claim_number: null,
        recipient_kind: recipient.kind,
        recipient_user_id: recipient.kind === 'staff' ? recipient.userId : null,
        recipient_label: recipient.kind === 'external' ? recipient.label.trim() : null,
        recipient_party_kind: recipient.kind === 'external' ? recipient.partyKind : null,
        plant_request_id: requestId,
        planted_by: principal.userId,
        note: input.note?.trim() || null,
      });
      await this.deps.audit.record(trx, {
        actor,
        action: 'detection.honeytoken.planted',
        resource: { type: 'detection-honeytoken', id },
        dataSubjectId: null,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId,
        details: { kind: input.kind, recipient: recipient.kind, ...(recipientRole ? { recipientRole } : {}) },
      });
      return customerId;
    });

    if (input.kind === 'claim') {
      // The claims service acts for the planting with exactly the powers it needs, on decoys only.
      const builder = new AbilityBuilder<AppAbility>(createMongoAbility);
      builder.can(['create', 'read', 'assign'], 'Claim');
      const caller: ClaimCaller = { context: planting, ability: builder.build() };
      const claim = await this.deps.claims.report(
        caller,
        {
          policyNumber,
          claimantId: subjectId,
          incidentDate: isoDay(-randomInt(3, 30)),
          amountClaimed: `${randomInt(20, 400) * 100}.00`,
          description: DECOY_DESCRIPTIONS[randomInt(DECOY_DESCRIPTIONS.length)] as string,
          incidentLocation: person.address,
          channel: 'phone',
        },
        { decoy: true },
      );
      if (recipient.kind === 'staff') {
        await this.deps.claims.assign(caller, claim.id, {
          ...(recipientRole === 'surveyor'
            ? { surveyorId: recipient.userId }
            : { assigneeId: recipient.userId }),
          version: 1,
        });
      }
      await repository.setHoneytokenClaim(this.#db, id, claim.id, claim.number);
    }
    const row = (await repository.findHoneytoken(this.#db, id)) as repository.HoneytokenRow;
    return { ...toView(row, undefined), decoy: person };
  }

  /** Every decoy customer (the data subjects no real work touches); the incidents module leaves them out. */
  async decoySubjectIds(db: Db = this.#db): Promise<string[]> {
    return (await repository.listHoneytokenRows(db)).map((row) => row.subject_id);
  }

  async list(): Promise<HoneytokenView[]> {
    const [rows, counts] = await Promise.all([
      repository.listHoneytokenRows(this.#db),
      repository.alertCountsByHoneytoken(this.#db),
    ]);
    return rows.map((row) => toView(row, counts.get(row.id)));
  }

  /**
   * Which decoy a value found outside belongs to, and whom it was shown to: a claim number, or a phone
   * number, resident ID number or email of a decoy claimant (compared through the blind indexes, so the
   * value is never decrypted nor stored). The lookup is audited without the value.
   */
  async lookup(context: RequestContext, value: string): Promise<LookupMatch[]> {
    const trimmed = value.trim();
    if (trimmed.length < 4 || trimmed.length > 200)
      throw new DomainError('bad-request', 'Give a value of 4 to 200 characters.');
    const matches: LookupMatch[] = [];
    const counts = await repository.alertCountsByHoneytoken(this.#db);
    const add = (rows: repository.HoneytokenRow[], matchedOn: LookupMatch['matchedOn']) => {
      for (const row of rows)
        if (!matches.some((match) => match.honeytoken.id === row.id))
          matches.push({ honeytoken: toView(row, counts.get(row.id)), matchedOn });
    };
    const claimNumber = trimmed.replace(/\s+/g, '').toUpperCase();
    if (/^[A-Z0-9-]{4,40}$/.test(claimNumber))
      add(await repository.honeytokensBy(this.#db, { claimNumber }), 'claim-number');
    const digits = trimmed.replace(/[\s()+-]/g, '').replace(/^(0086|86)(?=1\d{10}$)/, '');
    const lookups: { kind: LookupMatch['matchedOn']; run: () => Promise<string[]> }[] = [];
    if (trimmed.includes('@'))
      lookups.push({ kind: 'email', run: () => this.deps.customers.findIds(this.#db, { email: trimmed }) });
    if (/^1\d{10}$/.test(digits))
      lookups.push({ kind: 'phone', run: () => this.deps.customers.findIds(this.#db, { phone: digits }) });
    if (/^[0-9]{17}[0-9Xx]$/.test(digits) || /^[A-Za-z0-9]{6,20}$/.test(trimmed))
      lookups.push({
        kind: 'id-number',
        run: () => this.deps.customers.findIds(this.#db, { idNumber: trimmed }),
      });
    for (const lookup of lookups) {
      const subjectIds = await lookup.run();
      // SECURITY: only decoys are answered; a real customer who happens to match is never revealed.
      if (subjectIds.length > 0) add(await repository.honeytokensBy(this.#db, { subjectIds }), lookup.kind);
    }
    await this.deps.audit.record(this.#db, {
      actor: auditActorOf(context),
      action: 'detection.honeytoken.lookup',
      resource: {
        type: 'detection-honeytoken',
        id: matches.length === 1 ? (matches[0] as LookupMatch).honeytoken.id : null,
      },
      dataSubjectId: null,
      fields: [],
      purpose: null,
      outcome: 'success',
      requestId: context.requestId,
      details: { matches: matches.length },
    });
    return matches;
  }

  /** A fictitious person whose phone and ID number no customer has (checked through the blind indexes). */
  async #freshDecoyPerson(): Promise<DecoyValues> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const [person] = makeDemoPeople(1, randomInt(1, 2 ** 47));
      if (!person) continue;
      const [byPhone, byId] = await Promise.all([
        this.deps.customers.findIds(this.#db, { phone: person.mobile }),
        this.deps.customers.findIds(this.#db, { idNumber: person.residentId }),
      ]);
      if (byPhone.length === 0 && byId.length === 0)
        return {
          name: person.name,
          idNumber: person.residentId,
          phone: person.mobile,
          email: person.email,
          address: person.address.full,
        };
    }
    throw new DomainError('conflict', 'Could not make a decoy that differs from every customer; try again.');
  }
}

function toView(
  row: repository.HoneytokenRow,
  touches: { alerts: number; lastAt: Date | null } | undefined,
): HoneytokenView {
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    claimId: row.claim_id,
    claimNumber: row.claim_number,
    recipient:
      row.recipient_kind === 'staff' && row.recipient_user_id
        ? { kind: 'staff', userId: row.recipient_user_id }
        : row.recipient_kind === 'external' && row.recipient_label
          ? { kind: 'external', label: row.recipient_label, partyKind: row.recipient_party_kind }
          : { kind: 'none' },
    plantedBy: row.planted_by,
    plantedAt: row.planted_at,
    note: row.note,
    alerts: touches?.alerts ?? 0,
    lastTouchAt: touches?.lastAt ?? null,
  };
}

function randomCode(length: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

const DECOY_DESCRIPTIONS = [
  '倒车时与立柱剐蹭，左后叶子板及后保险杠受损，无人员受伤。',
  '小区地下车库内被邻车开门磕碰，右前门凹陷。',
  '雨天追尾前车，前保险杠、大灯及水箱框架受损，双方无人受伤。',
  '停车场内被落物砸中，前挡风玻璃破裂。',
];
