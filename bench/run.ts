import { auditGroup } from './audit.bench.js';
import {
  type BenchGroup,
  formatTable,
  missedTarget,
  type Row,
  runComparison,
  runLoadComparison,
  runMeasurement,
} from './bench-kit.js';
import { blastRadiusGroup } from './blast-radius.bench.js';
import { breachNoticesGroup } from './breach-notices.bench.js';
import { claimDetailHttpGroup, customerLookupGroup } from './claims.bench.js';
import { detectionLatencyGroup } from './detection.bench.js';
import { readyzGroup } from './http.bench.js';
import { loginGroup } from './identity.bench.js';
import { embeddedStorageGroup, postgresStorageGroup } from './storage.bench.js';
import { vaultCipherGroup } from './vault.bench.js';

/**
 * `npm run bench`: every benchmark under bench/, one table. BENCH_TIME_MS sets the time per task
 * (default 2000); BENCH_FILTER keeps the groups whose title contains it.
 */
const groups: BenchGroup[] = [
  embeddedStorageGroup(),
  postgresStorageGroup(),
  readyzGroup(),
  vaultCipherGroup(),
  loginGroup(),
  auditGroup(),
  claimDetailHttpGroup(),
  customerLookupGroup('embedded'),
  customerLookupGroup('postgres'),
  blastRadiusGroup(),
  detectionLatencyGroup('embedded'),
  detectionLatencyGroup('postgres'),
  breachNoticesGroup(),
];

const timeMs = Number(process.env.BENCH_TIME_MS ?? 2000);
const filter = process.env.BENCH_FILTER;
const rows: Row[] = [];
const skipped: string[] = [];

for (const group of groups) {
  if (filter && !group.title.includes(filter)) continue;
  const reason = (await group.skipReason?.()) ?? null;
  if (reason) {
    skipped.push(`${group.title}: skipped, ${reason}`);
    continue;
  }
  process.stderr.write(`running ${group.title} ...\n`);
  const comparisons = await group.setup();
  try {
    for (const comparison of comparisons) {
      if (!('kind' in comparison)) rows.push(...(await runComparison(comparison, timeMs)));
      else if (comparison.kind === 'load') rows.push(...(await runLoadComparison(comparison)));
      else rows.push(...(await runMeasurement(comparison)));
    }
  } finally {
    await group.teardown();
  }
}

process.stdout.write(
  `\nClaimGuard benchmarks (Node ${process.version}, ${timeMs} ms per task)\n\n${formatTable(rows)}\n`,
);
for (const line of skipped) process.stdout.write(`${line}\n`);
const missed = rows.filter(missedTarget);
if (missed.length > 0) {
  process.stdout.write(`\n${missed.length} target(s) missed.\n`);
  process.exitCode = 1;
}
