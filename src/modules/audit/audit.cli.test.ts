import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/claimguard.js';
import { EXIT } from '../../cli/exit-codes.js';
import { loadConfig } from '../../config/config.js';
import { PACKAGE_ROOT } from '../../config/package-info.js';
import { openEmbeddedStore } from '../../db/store.js';
import { captureCli } from '../../test-support/cli-capture.js';
import { SystemService } from '../system/system.service.js';
import { AuditService } from './audit.service.js';
import { sampleEvent } from './audit-test-kit.js';

const run = promisify(execFile);
const SCRIPT = join(PACKAGE_ROOT, 'docs', 'verify-audit-export.mjs');

describe('claimguard audit', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'claimguard-audit-cli-'));
    env = { CLAIMGUARD_DATA_DIR: dataDir, CLAIMGUARD_LOG_LEVEL: 'silent' };
    expect(await runCli(['migrate'], captureCli(env).io)).toBe(EXIT.ok);
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Records events as the server would, through the store the CLI uses (then lets go of it). */
  async function record(from: number, count: number): Promise<void> {
    const store = await openEmbeddedStore({ dataDir });
    try {
      const config = loadConfig(env);
      const system = await SystemService.create(store, { version: '0', defaultLanguage: 'en-US' });
      const audit = AuditService.fromConfig(store, config, {
        logName: (await system.status()).installationId,
      });
      for (let n = from; n < from + count; n++) await audit.record(store.db, sampleEvent(n));
      await audit.stop();
    } finally {
      await store.close();
    }
  }

  async function cli(...args: string[]) {
    const captured = captureCli(env);
    const code = await runCli(args, captured.io);
    return { code, out: captured.out(), err: captured.err() };
  }

  it('checkpoints, verifies, exports, proves consistency; an outsider script verifies both', async () => {
    await record(0, 10);
    const first = await cli('audit', 'checkpoint');
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toMatch(/^Signed checkpoint: 10 event\(s\), root [0-9a-f]{64}\n/);
    const verifierKey = /Verifier key: (\S+)/.exec(first.out)?.[1] as string;
    expect(verifierKey).toMatch(/^claimguard\.local\/audit\/[0-9a-f-]{36}\+[0-9a-f]{8}\+/);
    await record(10, 15);
    expect((await cli('audit', 'checkpoint')).out).toContain('Signed checkpoint: 25 event(s)');

    const verify = await cli('audit', 'verify', '--json');
    expect(verify.code).toBe(EXIT.ok);
    expect(JSON.parse(verify.out)).toMatchObject({ intact: true, events: 25, checkpointFilesChecked: 2 });

    const exportFile = join(dataDir, 'subject.jsonl');
    const exported = await cli('audit', 'export', '--out', exportFile, '--subject', 'customer-1');
    expect(exported).toMatchObject({ code: EXIT.ok });
    expect(exported.out).toContain('Exported 6 event(s)');
    const offline = await run(process.execPath, [SCRIPT, exportFile, verifierKey]);
    expect(offline.stdout).toContain('6 event(s) verified against');

    const proof = await cli('audit', 'consistency-proof', '--from', '10', '--to', '25');
    expect(proof.code).toBe(EXIT.ok);
    const proofFile = join(dataDir, 'proof.json');
    writeFileSync(proofFile, proof.out);
    const checkpoints = join(dataDir, 'checkpoints');
    const consistency = await run(process.execPath, [
      SCRIPT,
      '--consistency',
      join(checkpoints, '10.checkpoint'),
      join(checkpoints, '25.checkpoint'),
      proofFile,
      verifierKey,
    ]);
    expect(consistency.stdout).toContain('consistent: 25 extends 10');

    // A changed line fails offline.
    const lines = readFileSync(exportFile, 'utf8').replace('customer-1', 'customer-9');
    writeFileSync(exportFile, lines);
    await expect(run(process.execPath, [SCRIPT, exportFile, verifierKey])).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('does NOT verify'),
    });
  });

  it('exits 1 and lists where the log was changed, and reseals', async () => {
    await record(0, 6);
    expect((await cli('audit', 'checkpoint')).code).toBe(EXIT.ok);
    const store = await openEmbeddedStore({ dataDir });
    try {
      await sql`alter table audit_events disable trigger user`.execute(store.db);
      await sql`update audit_events set canonical = canonical || '\\x20'::bytea where seq = 4`.execute(
        store.db,
      );
      await sql`alter table audit_events enable trigger user`.execute(store.db);
    } finally {
      await store.close();
    }
    const verify = await cli('audit', 'verify');
    expect(verify.code).toBe(EXIT.failure);
    expect(verify.out).toContain('changed-event: seq 4: stored bytes do not hash to its leaf hash');

    const reseal = await cli('audit', 'reseal', '--reason', 'restored from backup');
    expect(reseal.code).toBe(EXIT.ok);
    expect(reseal.out).toContain('Resealed at 6 event(s)');
  });

  it('refuses to run before migrations and on bad options', async () => {
    expect((await cli('audit', 'export')).code).toBe(EXIT.usage);
    expect((await cli('audit', 'consistency-proof', '--from', 'x', '--to', '1')).code).toBe(EXIT.usage);
  });
});
