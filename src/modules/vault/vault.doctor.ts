import type { CheckResult } from '../../cli/doctor.js';
import type { Config } from '../../config/config.js';
import { DomainError } from '../../errors/domain-error.js';
import { keyFilePath, loadVaultKeys } from './key-provider.js';

/** `claimguard doctor`: are the vault's keys there, private, and loadable? Never prints key material. */
export async function checkVaultKeys(config: Config): Promise<CheckResult> {
  try {
    const keys = loadVaultKeys(config);
    const current = await keys.kek.currentKekId();
    return {
      name: 'vault-keys',
      outcome: 'pass',
      summary: `vault keys from ${keys.kek.source}, current key-encryption key ${current}`,
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const missing = /no vault keys/.test(error.message);
    return {
      name: 'vault-keys',
      outcome: missing ? 'warn' : 'fail',
      summary: error.message,
      fix: missing
        ? `run: claimguard keys init (creates ${keyFilePath(config.dataDir)})`
        : 'correct the key file or the CLAIMGUARD_VAULT_* settings as the message says',
    };
  }
}
