import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database-schema.js';
import { DomainError } from '../../errors/domain-error.js';
import type { AuditRecorder } from '../audit/audit-event.js';
import { NORMALISERS } from '../vault/blind-index.js';
import type { PersonalDataFieldId, PurposeId } from '../vault/personal-data-catalogue.js';
import type {
  RevealedValue,
  RevealRequest,
  VaultAccess,
  VaultService,
  VaultWriteContext,
} from '../vault/vault.service.js';
import * as repository from './claims.repository.js';
import { validateResidentId } from './resident-id.js';

/**
 * Customers (policyholders, insured persons, beneficiaries), their bank accounts and their policies.
 * Every personal field goes through the vault: sealed on write, masked or unmasked (with a purpose) on
 * read, found by blind index, never by decrypting a table (S3.1, S2.3).
 */
type Db = Kysely<Database>;

export const PRODUCT_LINES = ['motor', 'health', 'property', 'life', 'accident', 'cyber'] as const;
export type ProductLine = (typeof PRODUCT_LINES)[number];

export type NewCustomer = {
  name: string;
  idType: 'resident-id' | 'passport';
  idNumber: string;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
  language?: 'zh-CN' | 'en-US';
  branch?: string | null;
};

export type NewBankAccount = { bankName: string; number: string; holderName: string };

export type NewPolicy = {
  number: string;
  productLine: ProductLine;
  branch: string;
  holderId: string;
  startsOn: string;
  endsOn: string;
  sumInsured: string;
  parties: readonly { customerId: string; role: 'insured' | 'beneficiary' }[];
};

/** A customer's personal fields as the caller may see them (masked unless unmasking was granted). */
export type CustomerView = {
  id: string;
  idType: 'resident-id' | 'passport';
  language: string;
  branch: string | null;
  contactChangedAt: Date | null;
  fields: Partial<Record<CustomerField, { value: string; masked: boolean }>>;
};

export const CUSTOMER_FIELDS = {
  name: { field: 'customer.name', column: 'name_ct' },
  idNumber: { field: 'customer.id_number', column: 'id_number_ct' },
  phone: { field: 'customer.phone', column: 'phone_ct' },
  email: { field: 'customer.email', column: 'email_ct' },
  address: { field: 'customer.address', column: 'address_ct' },
} as const satisfies Record<string, { field: PersonalDataFieldId; column: keyof repository.CustomerRow }>;
export type CustomerField = keyof typeof CUSTOMER_FIELDS;

/** A bank account as staff may see it: number and holder name masked unless unmasking was granted. */
export type BankAccountView = {
  id: string;
  customerId: string;
  bankName: string;
  number: { value: string; masked: boolean };
  holderName: { value: string; masked: boolean };
  createdAt: Date;
  verifiedAt: Date | null;
};

/** Told of every bank account added, inside the adding transaction (payouts put pending ones on hold). */
/**
 * Told, in the change's transaction, when a customer's phone or email (what the portal signs in with)
 * changed: the portal ends the customer's sessions except the one that made the change.
 */
export interface SignInContactListener {
  signInContactChanged(
    db: Db,
    event: { customerId: string; channel: 'staff' | 'portal'; keepSessionId: string | null },
  ): Promise<void>;
}

export interface BankAccountListener {
  bankAccountAdded(
    db: Db,
    event: { customerId: string; accountId: string; context: VaultWriteContext },
  ): Promise<void>;
}

/** Which customers' contact and payee changes are held by a security incident (S4.3); the incidents module. */
export interface ChangeHoldGate {
  changesHeld(db: Db, customerId: string): Promise<boolean>;
}

export type CustomerLookup = { idNumber: string } | { phone: string } | { email: string };

/** New contact details (S3.1); absent fields stay as they are. */
export type ContactChange = {
  phone?: string | undefined;
  email?: string | undefined;
  address?: string | undefined;
};

/** Who changes contact details, why, and through which door (staff console or the customer's portal). */
export type ContactChangeContext = VaultWriteContext & {
  channel: 'staff' | 'portal';
  purpose: PurposeId;
};

/**
 * Where {@link CustomerService.changeContactDetails} queues the notice to the old contact: the notifications
 * module's service (`enqueue` with a sealed `to`), in the change's own transaction.
 */
export interface ContactChangeNotices {
  enqueue(
    db: Db,
    notice: {
      recipient: { kind: 'customer'; id: string };
      channel: 'in-app' | 'email' | 'sms';
      template: 'customer.contact-changed';
      params: Record<string, never>;
      language: 'zh-CN' | 'en-US';
      dedupeKey: string;
      expiresAt: Date;
      to?: string;
    },
  ): Promise<unknown>;
}

/** A mainland mobile number once normalised (`+86 138-1234-5678` → `13812345678`). */
const MAINLAND_MOBILE = /^1[3-9][0-9]{9}$/;
/** An email address, checked as the rest of ClaimGuard checks them (Zod's), at most 254 characters. */
const EMAIL = z.email().max(254);
/** How long the notice to the old contact may wait for a dispatcher before it is given up (and wiped). */
const CONTACT_NOTICE_HOURS = 72;

/**
 * Checks new contact details and returns them normalised (phone as 11 digits, email trimmed and
 * lower-cased, address trimmed). Refuses with `invalid-contact` naming the field, never the value.
 */
export function normaliseContactChange(change: ContactChange): {
  phone?: string;
  email?: string;
  address?: string;
} {
  const out: { phone?: string; email?: string; address?: string } = {};
  if (change.phone !== undefined) {
    const phone = NORMALISERS.phone(change.phone);
    if (!MAINLAND_MOBILE.test(phone))
      throw new DomainError(
        'invalid-contact',
        'A mainland mobile number has 11 digits and starts with 13 to 19.',
        {
          field: 'phone',
        },
      );
    out.phone = phone;
  }
  if (change.email !== undefined) {
    const email = NORMALISERS.email(change.email);
    if (!EMAIL.safeParse(email).success)
      throw new DomainError('invalid-contact', 'The email address is not valid.', { field: 'email' });
    out.email = email;
  }
  if (change.address !== undefined) {
    const address = change.address.normalize('NFKC').trim();
    if (address.length < 4 || address.length > 300)
      throw new DomainError('invalid-contact', 'A postal address has 4 to 300 characters.', {
        field: 'address',
      });
    out.address = address;
  }
  if (Object.keys(out).length === 0)
    throw new DomainError('bad-request', 'Give a new phone, email or address.');
  return out;
}

export class CustomerService {
  private readonly accountListeners: BankAccountListener[] = [];
  private readonly signInContactListeners: SignInContactListener[] = [];
  private changeHold: ChangeHoldGate | null = null;
  private contactNotices: ContactChangeNotices | null = null;

  constructor(
    private readonly vault: VaultService,
    private readonly audit: AuditRecorder,
  ) {}

  onSignInContactChanged(listener: SignInContactListener): void {
    this.signInContactListeners.push(listener);
  }

  onBankAccountAdded(listener: BankAccountListener): void {
    this.accountListeners.push(listener);
  }

  /** Installs the outbox that tells customers at their old contact that it changed (notifications). */
  setContactChangeNotices(notices: ContactChangeNotices): void {
    this.contactNotices = notices;
  }

  /** Installs containment's change hold (incidents module). */
  setChangeHold(gate: ChangeHoldGate): void {
    this.changeHold = gate;
  }

  /**
   * Refuses a change of a customer's contact details or payee accounts while a security incident holds
   * them (S4.3): a leak is often followed by account-takeover fraud, so they wait for re-verification.
   */
  async assertChangesAllowed(db: Db, customerId: string): Promise<void> {
    if (await this.changesHeld(db, customerId)) throw new DomainError('changes-held');
  }

  /** Whether a security incident holds the customer's changes (payouts hold new proposals then, S4.3). */
  async changesHeld(db: Db, customerId: string): Promise<boolean> {
    return this.changeHold !== null && (await this.changeHold.changesHeld(db, customerId));
  }

  /**
   * Changes a customer's phone, email or postal address (S3.1, S4.3), in one transaction:
   * - refused with `changes-held` (409) while a security incident holds the customer's changes;
   * - the new values sealed by the vault (its `personal-data.write` event), blind indexes replaced (so a new
   *   phone or email is what the portal signs in with from now on), `contact_changed_at` set (claimant
   *   verification sends new claims on the customer's policies to manual review for 30 days);
   * - audited as `customer.contact-change` with the fields, purpose and channel, never the values;
   * - a notice queued in-app and to the OLD phone and email (read through the vault, purpose
   *   customer-service, audited; sealed in the outbox row and wiped once sent), saying that the details
   *   changed and whom to call if it was not them. A field that was empty before has no old contact to tell.
   */
  async changeContactDetails(
    db: Db,
    customerId: string,
    change: ContactChange,
    context: ContactChangeContext,
  ): Promise<{ changed: ('phone' | 'email' | 'address')[]; contactChangedAt: Date }> {
    const values = normaliseContactChange(change);
    const notices = this.contactNotices;
    if (!notices) throw new Error('contact-change notices are not installed (setContactChangeNotices)');
    return inTransaction(db, async (trx) => {
      const row = await repository.lockCustomer(trx, customerId);
      if (!row) throw new DomainError('not-found', 'No such customer.');
      await this.assertChangesAllowed(trx, customerId);
      const changed = (['phone', 'email', 'address'] as const).filter((key) => values[key] !== undefined);

      // The old phone and email, to tell them; read before they are overwritten.
      const old = new Map<'phone' | 'email', string>();
      const oldRequests = (['phone', 'email'] as const)
        .filter((key) => values[key] !== undefined && row[CUSTOMER_FIELDS[key].column] !== null)
        .map((key) => ({
          key,
          subjectId: customerId,
          field: CUSTOMER_FIELDS[key].field,
          table: 'customers',
          column: CUSTOMER_FIELDS[key].column,
          rowId: customerId,
          ciphertext: row[CUSTOMER_FIELDS[key].column] as Uint8Array,
        }));
      if (oldRequests.length > 0) {
        const revealed = await this.vault.revealMany(trx, oldRequests, {
          actor: context.actor,
          purpose: 'customer-service',
          unmask: true,
          requestId: context.requestId ?? null,
          resource: { type: 'customer', id: customerId },
        });
        oldRequests.forEach((request, index) => {
          const value = revealed[index];
          if (value && !value.masked) old.set(request.key, value.value);
        });
      }

      const items = changed.map((key) => ({
        target: {
          subjectId: customerId,
          field: CUSTOMER_FIELDS[key].field,
          table: 'customers',
          column: CUSTOMER_FIELDS[key].column,
          rowId: customerId,
        },
        plaintext: values[key] as string,
      }));
      const sealed = await this.vault.sealMany(trx, items, context);
      const sealedOf = (key: CustomerField) => sealed[changed.indexOf(key as (typeof changed)[number])];
      const now = new Date();
      await repository.updateCustomerContact(trx, customerId, {
        ...(values.phone !== undefined
          ? { phone_ct: sealedOf('phone')?.ciphertext, phone_bi: sealedOf('phone')?.blindIndex }
          : {}),
        ...(values.email !== undefined
          ? { email_ct: sealedOf('email')?.ciphertext, email_bi: sealedOf('email')?.blindIndex }
          : {}),
        ...(values.address !== undefined ? { address_ct: sealedOf('address')?.ciphertext } : {}),
        contact_changed_at: now,
      });
      const changeId = crypto.randomUUID();
      await this.audit.record(trx, {
        actor: context.actor,
        action: 'customer.contact-change',
        resource: { type: 'customer', id: customerId },
        dataSubjectId: customerId,
        fields: changed.map((key) => CUSTOMER_FIELDS[key].field),
        purpose: context.purpose,
        outcome: 'success',
        requestId: context.requestId ?? null,
        details: { changeId, channel: context.channel, fields: changed.join(','), oldContactsTold: old.size },
      });

      const language: 'zh-CN' | 'en-US' = row.language === 'en-US' ? 'en-US' : 'zh-CN';
      const expiresAt = new Date(now.getTime() + CONTACT_NOTICE_HOURS * 3_600_000);
      const notice = {
        recipient: { kind: 'customer' as const, id: customerId },
        template: 'customer.contact-changed' as const,
        params: {},
        language,
        expiresAt,
      };
      await notices.enqueue(trx, {
        ...notice,
        channel: 'in-app',
        dedupeKey: `contact-change:${changeId}:in-app`,
      });
      for (const [key, channel] of [
        ['phone', 'sms'],
        ['email', 'email'],
      ] as const) {
        const to = old.get(key);
        // Changed: to the old one (none before: nobody to warn there). Unchanged: to the one on file.
        if (values[key] !== undefined && to === undefined) continue;
        if (values[key] === undefined && row[CUSTOMER_FIELDS[key].column] === null) continue;
        await notices.enqueue(trx, {
          ...notice,
          channel,
          dedupeKey: `contact-change:${changeId}:${channel}`,
          ...(to !== undefined ? { to } : {}),
        });
      }
      if (values.phone !== undefined || values.email !== undefined) {
        // Whoever else is signed in with the old details must sign in again (S3.1): a session opened by
        // someone who had taken over the account does not outlive the customer reclaiming it.
        const keepSessionId = context.channel === 'portal' ? context.actor.sessionId : null;
        for (const listener of this.signInContactListeners)
          await listener.signInContactChanged(trx, { customerId, channel: context.channel, keepSessionId });
      }
      return { changed: [...changed], contactChangedAt: now };
    });
  }

  /** Creates a customer as a new data subject; their personal fields are sealed under their own key. */
  async createCustomer(db: Db, input: NewCustomer, context: VaultWriteContext): Promise<string> {
    let idNumber = input.idNumber;
    if (input.idType === 'resident-id') {
      // GB 11643: region, birth date and check digit (S3.1). The reason, never the number, goes back.
      const check = validateResidentId(input.idNumber);
      if (!check.valid) throw new DomainError('invalid-id-number', undefined, { reason: check.reason });
      idNumber = check.normalised;
    }
    return inTransaction(db, async (trx) => {
      const id = await this.vault.createSubject(trx);
      const target = (field: PersonalDataFieldId, column: string) => ({
        subjectId: id,
        field,
        table: 'customers',
        column,
        rowId: id,
      });
      const idField: PersonalDataFieldId =
        input.idType === 'passport' ? 'customer.passport_number' : 'customer.id_number';
      const items = [
        { target: target('customer.name', 'name_ct'), plaintext: input.name },
        { target: target(idField, 'id_number_ct'), plaintext: idNumber },
        ...(input.phone ? [{ target: target('customer.phone', 'phone_ct'), plaintext: input.phone }] : []),
        ...(input.email ? [{ target: target('customer.email', 'email_ct'), plaintext: input.email }] : []),
        ...(input.address
          ? [{ target: target('customer.address', 'address_ct'), plaintext: input.address }]
          : []),
      ];
      const sealed = await this.vault.sealMany(trx, items, context);
      const byColumn = new Map(items.map((item, index) => [item.target.column, sealed[index]]));
      const cipher = (column: string) => byColumn.get(column)?.ciphertext ?? null;
      const index = (column: string) => byColumn.get(column)?.blindIndex ?? null;
      await repository.insertCustomer(trx, {
        id,
        name_ct: cipher('name_ct') as Buffer,
        id_type: input.idType,
        id_number_ct: cipher('id_number_ct') as Buffer,
        id_number_bi: index('id_number_ct') as Buffer,
        phone_ct: cipher('phone_ct'),
        phone_bi: index('phone_ct'),
        email_ct: cipher('email_ct'),
        email_bi: index('email_ct'),
        address_ct: cipher('address_ct'),
        language: input.language ?? 'zh-CN',
        branch: input.branch ?? null,
      });
      return id;
    });
  }

  async addBankAccount(
    db: Db,
    customerId: string,
    input: NewBankAccount,
    context: VaultWriteContext,
  ): Promise<string> {
    return inTransaction(db, async (trx) => {
      const [customer] = await repository.findCustomers(trx, [customerId]);
      if (!customer) throw new DomainError('not-found', 'No such customer.');
      await this.assertChangesAllowed(trx, customerId);
      const id = crypto.randomUUID();
      const target = (field: PersonalDataFieldId, column: string) => ({
        subjectId: customerId,
        field,
        table: 'bank_accounts',
        column,
        rowId: id,
      });
      const [number, holder] = await this.vault.sealMany(
        trx,
        [
          { target: target('bank_account.number', 'number_ct'), plaintext: input.number },
          { target: target('bank_account.holder_name', 'holder_name_ct'), plaintext: input.holderName },
        ],
        context,
      );
      await repository.insertBankAccount(trx, {
        id,
        customer_id: customerId,
        bank_name: input.bankName,
        number_ct: number?.ciphertext as Buffer,
        number_bi: number?.blindIndex as Buffer,
        holder_name_ct: holder?.ciphertext as Buffer,
        verified_at: null,
      });
      for (const listener of this.accountListeners)
        await listener.bankAccountAdded(trx, { customerId, accountId: id, context });
      return id;
    });
  }

  /** A bank account's owner and bank, without its personal fields. */
  async bankAccount(
    db: Db,
    id: string,
  ): Promise<{ id: string; customerId: string; bankName: string } | undefined> {
    const [row] = await repository.findBankAccounts(db, [id]);
    return row ? { id: row.id, customerId: row.customer_id, bankName: row.bank_name } : undefined;
  }

  /** The ids of a customer's bank accounts, oldest first. */
  async bankAccountIdsOf(db: Db, customerId: string): Promise<string[]> {
    return (await repository.bankAccountsOf(db, customerId)).map((row) => row.id);
  }

  /**
   * Bank accounts through the vault (number and holder name masked unless `access.unmask`); one audit
   * event per customer. The order of `ids` is kept; unknown ids are left out.
   */
  async viewBankAccounts(db: Db, ids: readonly string[], access: VaultAccess): Promise<BankAccountView[]> {
    const rows = await repository.findBankAccounts(db, ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const ordered = ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
    if (ordered.length === 0) return [];
    const requests = ordered.flatMap((row): RevealRequest[] => [
      {
        subjectId: row.customer_id,
        field: 'bank_account.number',
        table: 'bank_accounts',
        column: 'number_ct',
        rowId: row.id,
        ciphertext: row.number_ct,
      },
      {
        subjectId: row.customer_id,
        field: 'bank_account.holder_name',
        table: 'bank_accounts',
        column: 'holder_name_ct',
        rowId: row.id,
        ciphertext: row.holder_name_ct,
      },
    ]);
    const revealed = await this.vault.revealMany(db, requests, access);
    return ordered.map((row, index) => {
      const number = revealed[index * 2];
      const holder = revealed[index * 2 + 1];
      return {
        id: row.id,
        customerId: row.customer_id,
        bankName: row.bank_name,
        number: { value: number?.value ?? '', masked: number?.masked ?? true },
        holderName: { value: holder?.value ?? '', masked: holder?.masked ?? true },
        createdAt: row.created_at,
        verifiedAt: row.verified_at,
      };
    });
  }

  /**
   * Whether the account's holder name is the customer's name. Compared inside the vault (audited as a
   * comparison for the purpose); no plaintext leaves it. False for another customer's account.
   */
  async accountHolderIsCustomer(
    db: Db,
    accountId: string,
    customerId: string,
    access: Omit<VaultAccess, 'unmask'>,
  ): Promise<boolean> {
    const [account] = await repository.findBankAccounts(db, [accountId]);
    const [customer] = await repository.findCustomers(db, [customerId]);
    if (!account || !customer || account.customer_id !== customerId) return false;
    return this.vault.sameValue(
      db,
      [
        {
          subjectId: customerId,
          field: 'bank_account.holder_name',
          table: 'bank_accounts',
          column: 'holder_name_ct',
          rowId: account.id,
          ciphertext: account.holder_name_ct,
        },
        {
          subjectId: customerId,
          field: 'customer.name',
          table: 'customers',
          column: 'name_ct',
          rowId: customer.id,
          ciphertext: customer.name_ct,
        },
      ],
      access,
    );
  }

  async createPolicy(db: Db, input: NewPolicy, context: VaultWriteContext): Promise<string> {
    return inTransaction(db, async (trx) => {
      if (await repository.findPolicyByNumber(trx, input.number))
        throw new DomainError('conflict', 'A policy with this number exists.');
      const id = crypto.randomUUID();
      await repository.insertPolicy(
        trx,
        {
          id,
          number: input.number,
          product_line: input.productLine,
          branch: input.branch,
          holder_id: input.holderId,
          starts_on: input.startsOn,
          ends_on: input.endsOn,
          sum_insured: input.sumInsured,
        },
        [{ customerId: input.holderId, role: 'holder' }, ...input.parties],
      );
      await this.audit.record(trx, {
        actor: context.actor,
        action: 'policy.create',
        resource: { type: 'policy', id },
        dataSubjectId: input.holderId,
        fields: [],
        purpose: null,
        outcome: 'success',
        requestId: context.requestId ?? null,
        details: { parties: input.parties.length + 1 },
      });
      return id;
    });
  }

  /** Customer ids whose searchable field equals the value (normalised), through the blind index. */
  async findIds(db: Db, lookup: CustomerLookup): Promise<string[]> {
    if ('idNumber' in lookup) {
      // Either kind of identity document: the index is per field, so try both normalisers.
      const [resident, passport] = await Promise.all([
        repository.customerIdsByIndex(
          db,
          'id_number_bi',
          this.vault.blindIndex('customer.id_number', lookup.idNumber),
        ),
        repository.customerIdsByIndex(
          db,
          'id_number_bi',
          this.vault.blindIndex('customer.passport_number', lookup.idNumber),
        ),
      ]);
      return [...new Set([...resident, ...passport])];
    }
    if ('phone' in lookup)
      return repository.customerIdsByIndex(
        db,
        'phone_bi',
        this.vault.blindIndex('customer.phone', lookup.phone),
      );
    return repository.customerIdsByIndex(
      db,
      'email_bi',
      this.vault.blindIndex('customer.email', lookup.email),
    );
  }

  /** Reads customers' fields through the vault: one audit event per customer, masked unless granted. */
  async view(
    db: Db,
    ids: readonly string[],
    fields: readonly CustomerField[],
    access: VaultAccess,
  ): Promise<CustomerView[]> {
    return (await this.viewWith(db, ids, fields, access, [])).views;
  }

  /**
   * `view`, plus other values of the same customers (a claim's description, its notes) decrypted in the
   * same vault call: one key lookup and one audit event per customer for everything the caller was shown,
   * instead of one per call. `alongside` comes back in its order.
   */
  async viewWith(
    db: Db,
    ids: readonly string[],
    fields: readonly CustomerField[],
    access: VaultAccess,
    alongside: readonly RevealRequest[],
    /** The customers' rows when the caller already read them (the claim detail reads them with the claim). */
    loaded?: readonly repository.CustomerRow[],
  ): Promise<{ views: CustomerView[]; alongside: RevealedValue[] }> {
    const rows = loaded
      ? loaded.filter((row) => ids.includes(row.id))
      : await repository.findCustomers(db, ids);
    const order = new Map(ids.map((id, index) => [id, index]));
    rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    const requests: (RevealRequest & { key: CustomerField; customerId: string })[] = [];
    for (const row of rows) {
      for (const key of fields) {
        const { column } = CUSTOMER_FIELDS[key];
        const ciphertext = row[column];
        if (!ciphertext) continue;
        const field: PersonalDataFieldId =
          key === 'idNumber' && row.id_type === 'passport'
            ? 'customer.passport_number'
            : CUSTOMER_FIELDS[key].field;
        requests.push({
          key,
          customerId: row.id,
          subjectId: row.id,
          field,
          table: 'customers',
          column,
          rowId: row.id,
          ciphertext,
        });
      }
    }
    const all = [...requests, ...alongside];
    const revealed = all.length > 0 ? await this.vault.revealMany(db, all, access) : [];
    const views = new Map<string, CustomerView>(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          idType: row.id_type,
          language: row.language,
          branch: row.branch,
          contactChangedAt: row.contact_changed_at,
          fields: {},
        },
      ]),
    );
    requests.forEach((request, index) => {
      const value = revealed[index];
      const view = views.get(request.customerId);
      if (value && view) view.fields[request.key] = { value: value.value, masked: value.masked };
    });
    return { views: [...views.values()], alongside: revealed.slice(requests.length) };
  }

  /**
   * Whether what a caller says about a customer matches the record (S3.1): ID number and phone through their
   * blind indexes; the name by decrypting this one customer's name inside the service (audited, purpose
   * identity-verification), never by decrypting the table. Returns which parts matched, nothing else.
   */
  async matchIdentity(
    db: Db,
    customerId: string,
    claimed: { name: string; idNumber: string; phone: string },
    access: Pick<VaultAccess, 'actor' | 'requestId' | 'resource'>,
  ): Promise<{ name: boolean; idNumber: boolean; phone: boolean; contactChangedAt: Date | null }> {
    const indexes = await repository.customerIndexes(db, customerId);
    if (!indexes) throw new DomainError('not-found', 'No such customer.');
    const same = (a: Uint8Array | null, b: Buffer) => a !== null && Buffer.from(a).equals(b);
    const idNumber =
      same(indexes.id_number_bi, this.vault.blindIndex('customer.id_number', claimed.idNumber)) ||
      same(indexes.id_number_bi, this.vault.blindIndex('customer.passport_number', claimed.idNumber));
    const phone = same(indexes.phone_bi, this.vault.blindIndex('customer.phone', claimed.phone));
    const [view] = await this.view(db, [customerId], ['name'], {
      ...access,
      purpose: 'identity-verification',
      unmask: true,
    });
    const stored = view?.fields.name?.value ?? '';
    const name = normaliseName(stored) === normaliseName(claimed.name) && stored.length > 0;
    return { name, idNumber, phone, contactChangedAt: indexes.contact_changed_at };
  }

  /**
   * Which contacts the customer has on file (whether a phone and an email are stored), without reading
   * them: where a one-time code can be sent.
   */
  async contactChannels(db: Db, id: string): Promise<{ sms: boolean; email: boolean } | undefined> {
    const [row] = await repository.findCustomers(db, [id]);
    return row ? { sms: row.phone_ct !== null, email: row.email_ct !== null } : undefined;
  }

  /** The customer's preferred language and branch, which are not personal data. */
  async profile(db: Db, id: string): Promise<{ language: string; branch: string | null } | undefined> {
    const [row] = await repository.findCustomers(db, [id]);
    return row ? { language: row.language, branch: row.branch } : undefined;
  }

  /**
   * Preferred languages of many customers at once (S4.2: a breach notice to each in their own language),
   * in one query. Not personal data. Ids that are no customer are absent from the map.
   */
  async languagesOf(db: Db, ids: readonly string[]): Promise<Map<string, 'zh-CN' | 'en-US'>> {
    const rows = await repository.customerLanguages(db, ids);
    return new Map(rows.map((row) => [row.id, row.language === 'en-US' ? 'en-US' : 'zh-CN']));
  }

  async policyByNumber(db: Db, number: string): Promise<repository.PolicyRow | undefined> {
    return repository.findPolicyByNumber(db, number);
  }

  async policy(db: Db, id: string): Promise<repository.PolicyRow | undefined> {
    return repository.findPolicy(db, id);
  }

  async policiesOf(db: Db, customerId: string): Promise<repository.PolicyRow[]> {
    return repository.policiesOfCustomer(db, customerId);
  }

  async partiesOf(db: Db, policyId: string) {
    return repository.partiesOf(db, policyId);
  }
}

export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Names compare without spaces, middle dots or case: 欧阳 娜娜 = 欧阳娜娜, Zhang San = zhang san. */
function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s·・.]/g, '')
    .toLowerCase();
}
