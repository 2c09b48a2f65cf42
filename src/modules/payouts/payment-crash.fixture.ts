/**
 * Test fixture, run as a child process by payment-crash.test.ts (`node --import tsx <this file>`): pays a
 * payout on a PostgreSQL test schema through the real PayoutsService and simulated bank, and, with
 * CRASH_AFTER_TRANSFER=1, stops dead after the bank has made the transfer and before ClaimGuard records
 * it as paid (it prints `transferred` and waits to be killed). Not part of the product.
 */
import { randomUUID } from 'node:crypto';
import { openPostgresStore } from '../../db/store.js';
import { abilityFor } from '../access/abilities.js';
import { BreakGlassService } from '../access/break-glass.service.js';
import type { StaffPrincipal } from '../access/principal.js';
import { testAuditService } from '../audit/audit-test-kit.js';
import { ClaimsService } from '../claims/claims.service.js';
import { CustomerService } from '../claims/customers.service.js';
import { EnvironmentKeyProvider } from '../vault/key-provider.js';
import { VaultService } from '../vault/vault.service.js';
import { type PaymentGateway, SimulatedPaymentGateway, type TransferRequest } from './payment-gateway.js';
import { PayoutsService } from './payouts.service.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const store = await openPostgresStore({
  url: env('CRASH_DB_URL'),
  schema: env('CRASH_DB_SCHEMA'),
  poolSize: 2,
});
const provider = new EnvironmentKeyProvider(
  [Buffer.from(env('CRASH_VAULT_KEK'), 'hex')],
  Buffer.from(env('CRASH_VAULT_INDEX_KEY'), 'hex'),
);
const { audit } = testAuditService(store);
const vault = new VaultService({ keys: { kek: provider, blindIndexKey: provider.blindIndexKey }, audit });
const customers = new CustomerService(vault, audit);
const claims = new ClaimsService(store.db, vault, customers, audit, { listUsers: async () => [] });
const bank = new SimulatedPaymentGateway(store.db);
const gateway: PaymentGateway = {
  async transfer(request: TransferRequest) {
    const transfer = await bank.transfer(request);
    if (process.env.CRASH_AFTER_TRANSFER === '1') {
      process.stdout.write('transferred\n');
      // The process dies here (SIGKILL from the test): the money has moved, ClaimGuard has not noted it.
      await new Promise(() => {});
    }
    return transfer;
  },
};
const payouts = new PayoutsService(
  store.db,
  claims,
  customers,
  audit,
  new BreakGlassService(store.db, audit),
  gateway,
);

const principal: StaffPrincipal = {
  kind: 'staff',
  userId: env('CRASH_FINANCE_USER'),
  role: 'finance',
  branch: 'beijing',
  sessionId: randomUUID(),
  sessionState: 'active',
  mustChangePassword: false,
  secondFactorAt: new Date(),
  csrfToken: '',
};
const result = await payouts.execute(
  {
    context: { principal, requestId: randomUUID(), ip: null, userAgent: 'payment-crash-fixture' },
    ability: abilityFor(principal),
  },
  env('CRASH_PAYOUT_ID'),
  env('CRASH_IDEMPOTENCY_KEY'),
);
process.stdout.write(`${result.payout.state}\n`);
await store.close();
