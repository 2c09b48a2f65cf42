import { sql } from 'kysely';
import { DomainError } from '../errors/domain-error.js';
import type { VaultAccess, VaultTarget } from '../modules/vault/vault.service.js';
import type { LogScanContext, LogScanScenario } from './personal-data-scan.js';
import { TEST_ADJUSTER } from './vault-fixtures.js';

/** The vault's paths, successes and failures, for the shared personal-data log scan. */
const masked: VaultAccess = { actor: TEST_ADJUSTER, purpose: 'fraud-investigation', unmask: false };
const unmasked: VaultAccess = { ...masked, unmask: true };

async function customer(context: LogScanContext) {
  const { db, vault, values } = context;
  const subjectId = await vault.createSubject(db);
  const at = (field: VaultTarget['field'], column: string, rowId = 'customer-1'): VaultTarget => ({
    subjectId,
    field,
    table: 'customers',
    column,
    rowId,
  });
  const fields: [VaultTarget, string][] = [
    [at('customer.name', 'name'), values.name],
    [at('customer.id_number', 'id_number'), values.idNumber],
    [at('customer.phone', 'phone'), values.phone],
    [at('customer.email', 'email'), values.email],
    [at('customer.address', 'address'), values.address],
    [at('bank_account.number', 'number', 'account-1'), values.bankCard],
    [at('bank_account.holder_name', 'holder_name', 'account-1'), values.latinName],
    [at('claim.diagnosis', 'diagnosis', 'claim-1'), values.diagnosis],
  ];
  const sealed = await vault.sealMany(
    db,
    fields.map(([target, plaintext]) => ({ target, plaintext })),
    { actor: TEST_ADJUSTER },
  );
  const requests = fields.map(([target], index) => ({
    ...target,
    ciphertext: sealed[index]?.ciphertext as Buffer,
  }));
  return { subjectId, requests, at };
}

export const vaultLogScanScenarios: LogScanScenario[] = [
  {
    name: 'seal and reveal masked',
    async run(context) {
      const { requests } = await customer(context);
      return (await context.vault.revealMany(context.db, requests, masked)).map((value) => value.value);
    },
  },
  {
    name: 'reveal unmasked (only the length is returned)',
    async run(context) {
      const { requests } = await customer(context);
      const [first] = requests;
      if (!first) throw new Error('no value');
      return (await context.vault.reveal(context.db, first, unmasked)).value.length;
    },
  },
  {
    name: 'tampered ciphertext',
    async run(context) {
      const { requests } = await customer(context);
      const request = requests[1];
      if (!request) throw new Error('no value');
      const tampered = Buffer.from(request.ciphertext);
      tampered[40] = (tampered[40] ?? 0) ^ 0xff;
      return context.vault.reveal(context.db, { ...request, ciphertext: tampered }, unmasked);
    },
  },
  {
    name: 'ciphertexts swapped between rows',
    async run(context) {
      const { requests } = await customer(context);
      const [name, idNumber] = requests;
      if (!name || !idNumber) throw new Error('no value');
      return context.vault.reveal(context.db, { ...name, ciphertext: idNumber.ciphertext }, unmasked);
    },
  },
  {
    name: 'wrong purpose',
    async run(context) {
      const { requests } = await customer(context);
      return context.vault.revealMany(context.db, requests, { ...unmasked, purpose: 'customer-service' });
    },
  },
  {
    name: 'no purpose',
    async run(context) {
      const { requests } = await customer(context);
      return context.vault.revealMany(context.db, requests, { ...unmasked, purpose: null });
    },
  },
  {
    name: 'shredded subject',
    async run(context) {
      const { subjectId, requests } = await customer(context);
      await context.vault.shredSubject(context.db, subjectId, TEST_ADJUSTER);
      return context.vault.revealMany(context.db, requests, unmasked);
    },
  },
  {
    name: 'audit log down during a read',
    async run(context) {
      const { requests } = await customer(context);
      context.audit.failing = true;
      try {
        return await context.vault.revealMany(context.db, requests, unmasked);
      } finally {
        context.audit.failing = false;
      }
    },
  },
  {
    name: 'personal value passed where an id belongs',
    async run(context) {
      const { at } = await customer(context);
      return context.vault.seal(
        context.db,
        { ...at('customer.phone', 'phone'), subjectId: context.values.phone },
        context.values.phone,
        {
          actor: TEST_ADJUSTER,
        },
      );
    },
  },
  {
    name: 'personal value passed as a field id',
    async run(context) {
      const { at } = await customer(context);
      const field = context.values.idNumber as VaultTarget['field'];
      return context.vault.seal(
        context.db,
        { ...at('customer.phone', 'phone'), field },
        context.values.idNumber,
        {
          actor: TEST_ADJUSTER,
        },
      );
    },
  },
  {
    name: 'database error quoting a personal value',
    async run(context) {
      await sql`select ${context.values.idNumber}::int`.execute(context.db);
      throw new DomainError('internal');
    },
  },
];
