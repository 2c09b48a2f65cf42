import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../db/store.js';
import { AuditService, type AuditServiceOptions } from './audit.service.js';
import type { AuditEventInput } from './audit-event.js';
import { createCheckpointSigner } from './checkpoint-note.js';

/** Test fixtures for the audit module (imported by tests only). */
export function testAuditService(
  store: Store,
  options: Partial<AuditServiceOptions> = {},
): { audit: AuditService; checkpointDir: string } {
  const checkpointDir = mkdtempSync(join(tmpdir(), 'claimguard-checkpoints-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const audit = new AuditService(store, {
    signer: createCheckpointSigner('claimguard.local/audit/test', privateKey),
    checkpointDir,
    checkpointEveryEvents: 1_000_000,
    checkpointEveryMs: 3_600_000,
    ...options,
  });
  return { audit, checkpointDir };
}

export function sampleEvent(n: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: {
      type: 'staff',
      id: `staff-${n % 3}`,
      role: 'adjuster',
      sessionId: `session-${n}`,
      ip: '192.0.2.10',
      userAgent: 'test',
    },
    action: n % 2 === 0 ? 'personal-data.read' : 'claim.update',
    resource: { type: 'claim', id: `claim-${n % 5}` },
    dataSubjectId: `customer-${n % 4}`,
    fields: n % 2 === 0 ? ['customer.id_number'] : [],
    purpose: n % 2 === 0 ? 'claim-assessment' : null,
    outcome: n % 7 === 6 ? 'denied' : 'success',
    requestId: `req-${n}`,
    details: { n },
    ...overrides,
  };
}
