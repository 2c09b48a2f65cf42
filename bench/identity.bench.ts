import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { migrateToLatest } from '../src/db/migrations.js';
import { openEmbeddedStore, type Store } from '../src/db/store.js';
import { testAuditService } from '../src/modules/audit/audit-test-kit.js';
import { IdentityService } from '../src/modules/identity/identity.service.js';
import { ARGON2_OPTIONS } from '../src/modules/identity/password-policy.js';
import { SecretBox } from '../src/modules/identity/secret-box.js';
import type { BenchGroup } from './bench-kit.js';

/**
 * Sign-in: the whole login (throttle check, argon2id verification at OWASP cost, session, audit event in
 * the same transaction) against argon2id verification alone. The p50 of the login row is the figure the
 * security core reports; the ratio shows that the hash, on purpose, is nearly all of it.
 */
export function loginGroup(): BenchGroup {
  let store: Store;
  return {
    title: 'identity: login (argon2id)',
    async setup() {
      store = await openEmbeddedStore();
      await migrateToLatest(store.db);
      const { audit } = testAuditService(store);
      const identity = new IdentityService(store.db, {
        audit,
        secretBox: new SecretBox(randomBytes(32)),
        sessionIdleMs: 30 * 60_000,
        sessionMaxMs: 12 * 3_600_000,
      });
      const admin = await identity.createFirstAdministrator();
      if (!admin) throw new Error('no administrator');
      const hash = await argon2.hash(admin.oneTimePassword, ARGON2_OPTIONS);
      const context = { principal: null, requestId: null, ip: null, userAgent: 'bench' };
      return [
        {
          name: 'login through the identity service (embedded store)',
          baselineName: 'argon2id verify alone',
          measured: () => identity.login({ username: 'admin', password: admin.oneTimePassword }, context),
          baseline: () => argon2.verify(hash, admin.oneTimePassword),
        },
      ];
    },
    async teardown() {
      await store.close();
    },
  };
}
