import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAuditRecorder } from '../../test-support/audit-test-recorder.js';
import { claimsLogScanScenarios } from '../../test-support/claims-log-scan-scenarios.js';
import {
  DISTINCTIVE_PERSONAL_VALUES,
  type LogScanContext,
  type LogScanScenario,
  personalValueVariants,
  runLogScanScenarios,
  scanForPersonalData,
} from '../../test-support/personal-data-scan.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { testVaultKeys } from '../../test-support/vault-fixtures.js';
import { vaultLogScanScenarios } from '../../test-support/vault-log-scan-scenarios.js';
import { VaultService } from './vault.service.js';

/** Every module's scenarios: add yours here (see src/test-support/personal-data-scan.ts). */
const SCENARIOS: LogScanScenario[] = [...vaultLogScanScenarios, ...claimsLogScanScenarios];

describe('no personal data in logs or error bodies', () => {
  let server: TestServer;
  let result: Awaited<ReturnType<typeof runLogScanScenarios>>;

  beforeAll(async () => {
    server = await createTestServer();
    const audit = await TestAuditRecorder.install(server.store.db);
    const context: LogScanContext = {
      server,
      db: server.store.db,
      audit,
      vault: new VaultService({ keys: testVaultKeys(), audit }),
      values: DISTINCTIVE_PERSONAL_VALUES,
    };
    result = await runLogScanScenarios(context, SCENARIOS);
  });

  afterAll(async () => {
    await server.close();
  });

  it('ran every scenario, and the failure paths failed as they should', () => {
    expect(result.statuses).toEqual({
      'seal and reveal masked': 200,
      'reveal unmasked (only the length is returned)': 200,
      'tampered ciphertext': 500,
      'ciphertexts swapped between rows': 500,
      'wrong purpose': 403,
      'no purpose': 400,
      'shredded subject': 410,
      'audit log down during a read': 500,
      'personal value passed where an id belongs': 400,
      'personal value passed as a field id': 400,
      'database error quoting a personal value': 500,
      'claims: report a claim and read it masked': 200,
      'claims: invalid ID number refused': 422,
      'claims: claimant not on the policy': 422,
      'claims: search by ID number and phone': 200,
      'claims: impersonation in claimant verification': 200,
    });
    // The scan looked at something: the server logged each request (one access line each) and each failure.
    expect(server.logs.lines.length).toBeGreaterThanOrEqual(SCENARIOS.length);
    const messages = new Set(server.logs.records().map((record) => record.msg));
    expect([...messages].sort()).toEqual(['request completed', 'request failed', 'request refused']);
  });

  it('finds none of the personal values, in any form, in any log line or response', () => {
    const findings = scanForPersonalData(result.texts, Object.values(DISTINCTIVE_PERSONAL_VALUES));
    expect(findings).toEqual([]);
  });

  it('would notice a leak in any of its forms (the scanner works)', () => {
    const leaks = [
      `{"msg":"${DISTINCTIVE_PERSONAL_VALUES.name}"}`,
      JSON.stringify({ id: '110105 19491231 002x' }),
      '{"msg":"\\u6b27\\u9633\\u5a1c\\u5a1c"}',
      `phone=${encodeURIComponent('+86 139-1234-5678')}`,
      `"email":"OUYANG.NANA.SCAN@EXAMPLE.COM"`,
      Buffer.from(DISTINCTIVE_PERSONAL_VALUES.diagnosis).toString('base64'),
    ].map((text, index) => ({ where: `sample ${index}`, text }));
    const findings = scanForPersonalData(leaks, Object.values(DISTINCTIVE_PERSONAL_VALUES));
    expect(findings.map((finding) => finding.where).sort()).toEqual(leaks.map((leak) => leak.where).sort());
    expect(personalValueVariants('13912345678')).toContain('+8613912345678');
  });
});
