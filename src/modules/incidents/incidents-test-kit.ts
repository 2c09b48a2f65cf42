import { randomUUID } from 'node:crypto';
import type { StaffPrincipal } from '../access/principal.js';
import type { StaffRole } from '../access/roles.js';
import type { IncidentCaller } from './incidents.service.js';

/** Test fixtures for the incidents module (imported by tests only). */
export function staffCaller(
  role: StaffRole = 'security_officer',
  userId: string = randomUUID(),
): IncidentCaller {
  const principal: StaffPrincipal = {
    kind: 'staff',
    userId,
    role,
    branch: null,
    sessionId: randomUUID(),
    sessionState: 'active',
    mustChangePassword: false,
    secondFactorAt: new Date(),
    csrfToken: 'test',
  };
  return { context: { principal, requestId: randomUUID(), ip: '198.51.100.7', userAgent: 'vitest' } };
}
