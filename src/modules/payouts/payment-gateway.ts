import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database-schema.js';

/**
 * The bank (or payment provider) side of a payout. A real gateway must be idempotent on the key: asked
 * twice with the same key it moves the money once and answers both times with the same transfer. That is
 * what makes a retry after a crash safe (S3.3): ClaimGuard may not know whether its first call got
 * through, so it asks again with the same key.
 */
export type TransferRequest = {
  idempotencyKey: string;
  amount: string;
  currency: string;
  payee: { accountId: string; bankName: string; number: string; holderName: string };
};

export type Transfer = { transferId: string; amount: string; currency: string; createdAt: Date };

export interface PaymentGateway {
  transfer(request: TransferRequest): Promise<Transfer>;
}

/**
 * A simulated bank for development, demos and tests. It keeps its own ledger (`simulated_bank_transfers`,
 * standing for the bank's system: it is written on the store's own connection, never in the caller's
 * transaction) and is idempotent on the key as a real bank is. It keeps the account by id only: the number
 * and holder name it is handed are not stored.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  constructor(private readonly db: Kysely<Database>) {}

  async transfer(request: TransferRequest): Promise<Transfer> {
    const transferId = `SIM${new Date().toISOString().slice(0, 10).replaceAll('-', '')}${randomBytes(6).toString('hex').toUpperCase()}`;
    await this.db
      .insertInto('simulated_bank_transfers')
      .values({
        idempotency_key: request.idempotencyKey,
        transfer_id: transferId,
        amount: request.amount,
        currency: request.currency,
        payee_account_id: request.payee.accountId,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('simulated_bank_transfers')
      .select(['transfer_id', 'amount', 'currency', 'created_at'])
      .where('idempotency_key', '=', request.idempotencyKey)
      .executeTakeFirstOrThrow();
    // As a bank does: a key reused for another amount is an error, never a second transfer.
    if (row.amount !== request.amount || row.currency !== request.currency)
      throw new Error('idempotency key reused with another amount');
    return {
      transferId: row.transfer_id,
      amount: row.amount,
      currency: row.currency,
      createdAt: row.created_at,
    };
  }
}
