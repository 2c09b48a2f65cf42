import type { Config } from '../config/config.js';
import { migrateToLatest } from '../db/migrations.js';
import { openStore } from '../db/store.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { ensureCheckpointKey } from '../modules/audit/checkpoint-note.js';
import { IdentityService } from '../modules/identity/identity.service.js';
import { ensureIdentityKey, identityKeyPath, loadIdentityKey } from '../modules/identity/identity-keys.js';
import { SecretBox } from '../modules/identity/secret-box.js';
import { SystemRepository } from '../modules/system/system.repository.js';
import { initVaultKeys } from '../modules/vault/key-provider.js';

/**
 * `claimguard init`: the keys a store needs (each created once, mode 0600, never overwritten) and the
 * first administrator (with a work email when `--email` gives one), whose one-time password is printed once and must be changed at first sign-in,
 * followed by second-factor enrolment.
 */
export async function initialise(
  config: Config,
  options: { email?: string | null } = {},
): Promise<{ keys: string[]; firstAdministrator: { username: string; oneTimePassword: string } | null }> {
  const keys: string[] = [];
  if (!config.identityKey) {
    keys.push(
      ensureIdentityKey(config.dataDir)
        ? `Created the identity key ${identityKeyPath(config.dataDir)}`
        : `Identity key present: ${identityKeyPath(config.dataDir)}`,
    );
  }
  if (!config.vaultKek) {
    const vault = initVaultKeys(config.dataDir);
    keys.push(vault.created ? `Created the vault keys ${vault.path}` : `Vault keys present: ${vault.path}`);
  }
  if (!config.auditSigningKey) {
    ensureCheckpointKey(config.dataDir);
    keys.push('Audit checkpoint signing key present in the data directory (keys/audit-checkpoint.key)');
  }
  const identityKey = loadIdentityKey({ dataDir: config.dataDir, fromEnv: config.identityKey });
  const store = await openStore(config);
  try {
    await migrateToLatest(store.db);
    const installationId = await new SystemRepository(store.db).ensureInstallationId();
    const audit = AuditService.fromConfig(store, config, { logName: installationId });
    const firstAdministrator = await new IdentityService(store.db, {
      audit,
      secretBox: new SecretBox(identityKey),
      sessionIdleMs: config.sessionIdleMinutes * 60_000,
      sessionMaxMs: config.sessionMaxHours * 3_600_000,
    }).createFirstAdministrator('admin', options.email ?? null);
    await audit.flush();
    return { keys, firstAdministrator };
  } finally {
    await store.close();
  }
}

export function firstAdministratorBanner(
  admin: { username: string; oneTimePassword: string },
  url: string,
): string {
  return [
    '',
    '  First administrator created. This password is shown only now:',
    '',
    `    login name:         ${admin.username}`,
    `    one-time password:  ${admin.oneTimePassword}`,
    '',
    `  Sign in at ${url}: you will choose a new password and set up a second factor (TOTP).`,
    '',
    '',
  ].join('\n');
}
