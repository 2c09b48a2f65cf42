import { randomBytes } from 'node:crypto';
import type { AuditActor } from '../modules/audit/audit-event.js';
import { EnvironmentKeyProvider, type VaultKeys } from '../modules/vault/key-provider.js';

/** Fresh in-memory vault keys for a test (the environment provider, no files). */
export function testVaultKeys(kekCount = 1): VaultKeys & { kek: EnvironmentKeyProvider } {
  const keks = Array.from({ length: kekCount }, () => randomBytes(32));
  const provider = new EnvironmentKeyProvider(keks, randomBytes(32));
  return { kek: provider, blindIndexKey: provider.blindIndexKey };
}

export const TEST_ADJUSTER: AuditActor = {
  type: 'staff',
  id: 'staff-adjuster-1',
  role: 'adjuster',
  sessionId: 'session-1',
  ip: '127.0.0.1',
  userAgent: 'vitest',
};
