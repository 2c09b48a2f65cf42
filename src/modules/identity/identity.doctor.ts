import { existsSync } from 'node:fs';
import type { CheckResult } from '../../cli/doctor.js';
import type { Config } from '../../config/config.js';
import { IdentityKeyError, identityKeyPath, loadIdentityKey } from './identity-keys.js';

/** `claimguard doctor`: is the key that seals second-factor secrets there, private and well-formed? */
export function checkIdentityKey(config: Config): CheckResult {
  if (!config.identityKey && !existsSync(identityKeyPath(config.dataDir))) {
    return {
      name: 'identity-key',
      outcome: 'warn',
      summary: 'no identity key yet (the first start creates it)',
      fix: 'run: claimguard init',
    };
  }
  try {
    loadIdentityKey({ dataDir: config.dataDir, fromEnv: config.identityKey });
    return {
      name: 'identity-key',
      outcome: 'pass',
      summary: `identity key from ${config.identityKey ? 'CLAIMGUARD_IDENTITY_KEY' : identityKeyPath(config.dataDir)}`,
    };
  } catch (error) {
    if (!(error instanceof IdentityKeyError)) throw error;
    return {
      name: 'identity-key',
      outcome: 'fail',
      summary: error.message,
      fix: 'correct the key as the message says',
    };
  }
}
