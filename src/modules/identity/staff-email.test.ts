import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { DomainError } from '../../errors/domain-error.js';
import { describeEachStore, openTestStore } from '../../test-support/test-stores.js';
import type { RequestContext } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuditEventInput, AuditRecorder } from '../audit/audit-event.js';
import { testAuditService } from '../audit/audit-test-kit.js';
import { DetectionService } from '../detection/detection.service.js';
import { appendAt, failedLogin, spread } from '../detection/detection-test-kit.js';
import { SmtpEmailProvider } from '../notifications/channels.js';
import { NotificationDispatcher } from '../notifications/notification-dispatcher.js';
import { NotificationService } from '../notifications/notifications.service.js';
import { startSmtpTestServer } from '../notifications/notifications-test-kit.js';
import { directoryByKind } from '../notifications/recipient-directories.js';
import { IdentityService, STAFF_EMAIL_FIELD } from './identity.service.js';
import { SecretBox } from './secret-box.js';
import { staffDirectory } from './staff-directory.js';

/**
 * Staff work emails (issue 5 section 1, S2.3): sealed at rest, masked for administrators, never in audit
 * details, every read and write audited; security officers with an address get leak-detection alerts by
 * email over SMTP, those without are skipped as `no-address`.
 */
const SYSTEM: RequestContext = { principal: null, requestId: null, ip: null, userAgent: null };
const WEDNESDAY_10 = '2026-11-18T02:00:00.000Z';

describeEachStore('staff work email', (kind) => {
  let store: Store;
  let audit: AuditService;
  let identity: IdentityService;
  const recorded: AuditEventInput[] = [];

  beforeAll(async () => {
    store = await openTestStore(kind);
    ({ audit } = testAuditService(store));
    // Identity's own events go to a recorder (in the caller's transaction, like the real one) so that the
    // detection engine below judges only the events the test appends.
    const recorder: AuditRecorder = {
      async record(_db, event) {
        recorded.push(event);
      },
    };
    identity = new IdentityService(store.db, {
      audit: recorder,
      secretBox: new SecretBox(randomBytes(32)),
      sessionIdleMs: 60_000,
      sessionMaxMs: 3_600_000,
    });
  });

  afterAll(async () => {
    await audit.stop();
    await store.close();
  });

  const newUser = (role: 'security_officer' | 'adjuster', email: string | null) =>
    identity.createUser(SYSTEM, {
      username: `u-${randomUUID().slice(0, 8)}`,
      displayName: 'Someone',
      role,
      branch: null,
      accessExpiresAt: null,
      email,
    });

  it('seals the address, shows it masked, keeps it out of audit details and refuses a second holder (S2.3)', async () => {
    const address = `Zhang.Wei+${randomUUID().slice(0, 6)}@ClaimGuard.example`;
    const created = await newUser('adjuster', address);
    const normalised = address.toLowerCase();
    expect(created.user.email).toBe(`z***@claimguard.example`);

    const stored = await store.db
      .selectFrom('staff_users')
      .select(['email_sealed', 'email_hmac'])
      .where('id', '=', created.user.id)
      .executeTakeFirstOrThrow();
    expect(stored.email_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(stored).toLowerCase()).not.toContain(normalised.split('@')[0]);

    recorded.length = 0;
    const listed = await identity.listUsersForAdministration(SYSTEM);
    expect(listed.find((user) => user.id === created.user.id)?.email).toBe('z***@claimguard.example');
    expect(recorded).toEqual([
      expect.objectContaining({
        action: 'staff.email.read',
        fields: [STAFF_EMAIL_FIELD],
        purpose: 'account-administration',
        details: expect.objectContaining({ masked: true }),
      }),
    ]);

    // Another account may not take the same address, whatever its case; the refusal names nobody.
    const clash = await newUser('adjuster', address.toUpperCase()).catch((error: unknown) => error);
    expect(clash).toBeInstanceOf(DomainError);
    expect((clash as DomainError).code).toBe('conflict');
    expect((clash as DomainError).message).not.toContain('@');

    // An administrator changes it, then removes it; both audited without the value.
    recorded.length = 0;
    const admin: RequestContext = {
      ...SYSTEM,
      principal: {
        kind: 'staff',
        userId: randomUUID(),
        role: 'admin',
        branch: null,
        sessionId: randomUUID(),
        sessionState: 'active',
        mustChangePassword: false,
        secondFactorAt: new Date(),
        csrfToken: 'x',
      },
    };
    const changed = await identity.updateUser(admin, created.user.id, { email: 'li.na@claimguard.example' });
    expect(changed.email).toBe('l***@claimguard.example');
    const removed = await identity.updateUser(admin, created.user.id, { email: null });
    expect(removed.email).toBeNull();
    const writes = recorded.filter((event) => event.action === 'user.updated');
    expect(writes.map((event) => event.details?.email)).toEqual(['changed', 'removed']);
    expect(writes.every((event) => event.fields.includes(STAFF_EMAIL_FIELD))).toBe(true);
    expect(JSON.stringify(recorded)).not.toContain('li.na');
    expect(JSON.stringify(recorded).toLowerCase()).not.toContain('zhang.wei');
  });

  it('an officer with an address gets the alert email over SMTP; one without is skipped as no-address', async () => {
    const smtp = await startSmtpTestServer();
    const email = new SmtpEmailProvider({ smtpUrl: smtp.url, from: 'claimguard@claimguard.example' });
    try {
      // Only these two are active security officers: the others made above are adjusters.
      const withAddress = await newUser('security_officer', 'demo-security@claimguard.example');
      const without = await newUser('security_officer', null);
      const notifications = new NotificationService({
        secretKey: randomBytes(32),
        publicUrl: 'https://claims.example.com',
      });
      const detection = new DetectionService(store.db, { audit, staff: identity, notifications });
      const suspect = randomUUID();
      await appendAt(
        store,
        audit,
        spread(
          WEDNESDAY_10,
          30_000,
          Array.from({ length: 6 }, () => failedLogin(suspect, '198.51.100.7')),
        ),
      );
      const raised = await detection.evaluateAll();
      expect(raised.length).toBeGreaterThan(0);

      recorded.length = 0;
      const dispatcher = new NotificationDispatcher({
        service: notifications,
        directory: directoryByKind({ staff: staffDirectory(identity) }),
        email,
        batchSize: 100,
      });
      await dispatcher.dispatchDue(store.db);

      const outcomes = await store.db
        .selectFrom('notifications')
        .select(['recipient_id', 'channel', 'status', 'last_error'])
        .where('template_id', '=', 'detection.alert')
        .where('channel', '=', 'email')
        .where('recipient_id', 'in', [withAddress.user.id, without.user.id])
        .execute();
      expect(outcomes.filter((row) => row.recipient_id === withAddress.user.id)).toEqual(
        raised.map(() => expect.objectContaining({ status: 'sent' })),
      );
      expect(outcomes.filter((row) => row.recipient_id === without.user.id)).toEqual(
        raised.map(() => expect.objectContaining({ status: 'skipped', last_error: 'no-address' })),
      );

      expect(smtp.received).toHaveLength(raised.length);
      const [mail] = smtp.received;
      expect(mail?.envelopeTo).toEqual(['demo-security@claimguard.example']);
      expect(mail?.mail.subject).toContain('failed-login-burst');
      // Rule, severity and a link: nothing about whom it concerns (no account id, no address of theirs).
      const text = `${mail?.mail.subject}\n${mail?.mail.text}`;
      expect(text).toContain(`/detection/alerts/${raised[0]}`);
      expect(text).not.toContain(suspect);
      expect(text).not.toContain('198.51.100');

      // Each look-up of the address was audited as the system's read for a notification, value left out.
      const reads = recorded.filter((event) => event.action === 'staff.email.read');
      expect(reads.length).toBeGreaterThanOrEqual(1);
      expect(reads[0]).toMatchObject({
        actor: { type: 'system' },
        purpose: 'notification',
        fields: [STAFF_EMAIL_FIELD],
        details: { masked: false },
      });
      expect(JSON.stringify(recorded)).not.toContain('demo-security');
      // The outbox never held the address.
      const outbox = await store.db.selectFrom('notifications').select(['params']).execute();
      expect(JSON.stringify(outbox)).not.toContain('demo-security');
    } finally {
      email.close();
      await smtp.close();
    }
  });
});
