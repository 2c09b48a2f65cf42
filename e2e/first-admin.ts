import type { Store } from '../src/db/store.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import { RecordingAudit } from '../src/test-support/recording-audit.js';

/**
 * Creates the first administrator on a fresh store, as the server will on its first start, and returns
 * the login name and one-time password it would print.
 *
 * TODO(wiring): once `startServer` creates the first administrator itself and hands its one-time
 * password back on `RunningServer`, read it from there and drop this helper. The identity key must be
 * the one the server seals second-factor secrets with (`TestServer.identityKey` for a test server; the
 * key from `identity-keys.ts` for `startServer`), or the server cannot open the TOTP secret.
 */
export async function createFirstAdministrator(
  store: Store,
  identityKey: Buffer,
): Promise<{ username: string; oneTimePassword: string }> {
  const identity = new IdentityService(store.db, {
    audit: new RecordingAudit(),
    secretBox: new SecretBox(identityKey),
    sessionIdleMs: 30 * 60_000,
    sessionMaxMs: 12 * 3_600_000,
  });
  const admin = await identity.createFirstAdministrator();
  if (!admin) throw new Error('the store already has users; the first administrator exists');
  return admin;
}
