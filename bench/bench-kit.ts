import pg from 'pg';
import { Bench } from 'tinybench';

/**
 * A benchmark compares a measured task with a baseline doing the same work more directly, both run in the
 * same process and the same run, so the ratio holds across machines even when the absolute figures do not.
 */
export type Comparison = {
  name: string;
  baselineName: string;
  /** What the ratio should reach, e.g. 0.9 for "costs under 10 %". */
  target?: number;
  /** The measured task's p99 latency must stay under this (ms), e.g. 20 for "p99 < 20 ms". */
  p99TargetMs?: number;
  measured: () => Promise<unknown>;
  baseline: () => Promise<unknown>;
};

/** What one side of a load comparison reports for one round. */
export type Sample = { ops: number; p50: number; p99: number };

/**
 * A comparison whose sides are whole load runs rather than single operations (an HTTP load generator
 * keeping many connections busy, say): each call of `measured` or `baseline` runs the load once and
 * reports requests per second and latency percentiles. Rounds alternate as in {@link runComparison}.
 */
export type LoadComparison = {
  kind: 'load';
  name: string;
  baselineName: string;
  target?: number;
  p99TargetMs?: number;
  /** Default 4: baseline first in even rounds, measured first in odd ones. */
  rounds?: number;
  measured: () => Promise<Sample>;
  baseline: () => Promise<Sample>;
};

/**
 * A benchmark with an absolute target instead of a baseline: some rates are requirements of their own
 * (e.g. "verify at least 200,000 audit events per second"). Each run of `measured` processes
 * `unitsPerOp` units; the row reports units per second against `target` units per second.
 */
export type Measurement = {
  kind: 'absolute';
  name: string;
  unit: string;
  unitsPerOp: number;
  /** Minimum units per second. */
  target?: number;
  /** Runs measured this many times (slow operations), median reported; default 3. */
  runs?: number;
  measured: () => Promise<unknown>;
};

export type BenchGroup = {
  title: string;
  setup: () => Promise<(Comparison | Measurement | LoadComparison)[]>;
  teardown: () => Promise<void>;
  /** Why a group did not run (a missing PostgreSQL, say); the runner prints it. */
  skipReason?: () => Promise<string | null>;
};

export type Row = {
  name: string;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  baseline: string;
  ratio: number | null;
  target: number | null;
  /** For absolute measurements: what opsPerSecond counts, and the minimum it must reach. */
  unit?: string;
  absoluteTarget?: number | null;
  /** Maximum p99 latency (ms) of this row, when one is set. */
  p99TargetMs?: number | null;
};

/** Runs an absolute measurement: a few timed runs, medians; ops/s is units per second. */
export async function runMeasurement(measurement: Measurement): Promise<Row[]> {
  const times: number[] = [];
  for (let run = 0; run < (measurement.runs ?? 3); run++) {
    const started = performance.now();
    await measurement.measured();
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = median(times);
  return [
    {
      name: measurement.name,
      opsPerSecond: (measurement.unitsPerOp / p50) * 1000,
      p50Ms: p50,
      p99Ms: sorted.at(-1) ?? p50,
      baseline: `(absolute, ${measurement.unit}/s)`,
      ratio: null,
      target: null,
      unit: measurement.unit,
      absoluteTarget: measurement.target ?? null,
    },
  ];
}

/** Whether a row missed its latency target (p99 at or above the limit). */
function missedP99(row: Row): boolean {
  return row.p99TargetMs !== undefined && row.p99TargetMs !== null && !(row.p99Ms < row.p99TargetMs);
}

/** Whether a row missed its throughput target, relative or absolute. */
function missedThroughput(row: Row): boolean {
  if (row.absoluteTarget !== undefined && row.absoluteTarget !== null)
    return row.opsPerSecond < row.absoluteTarget;
  return row.target !== null && row.ratio !== null && row.ratio < row.target;
}

/** Whether a row missed any of its targets: throughput (relative or absolute) or p99 latency. */
export function missedTarget(row: Row): boolean {
  return missedThroughput(row) || missedP99(row);
}

async function measureOnce(
  tasks: [string, () => Promise<unknown>][],
  timeMs: number,
): Promise<Map<string, Sample>> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(300, timeMs / 3) });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  const samples = new Map<string, Sample>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    samples.set(task.name, { ops: result.throughput.mean, p50: result.latency.p50, p99: result.latency.p99 });
  }
  return samples;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/**
 * Runs baseline and measured task in alternating order over several rounds (whichever runs first in a
 * round gets a colder machine) and reports medians; the ratio is the median of the per-round ratios.
 */
export async function runComparison(comparison: Comparison, timeMs: number, rounds = 4): Promise<Row[]> {
  const base: Sample[] = [];
  const measured: Sample[] = [];
  const ratios: number[] = [];
  const baselineTask: [string, () => Promise<unknown>] = ['baseline', comparison.baseline];
  const measuredTask: [string, () => Promise<unknown>] = ['measured', comparison.measured];
  for (let round = 0; round < rounds; round++) {
    const order: [string, () => Promise<unknown>][] =
      round % 2 === 0 ? [baselineTask, measuredTask] : [measuredTask, baselineTask];
    const samples = await measureOnce(order, timeMs / rounds);
    const b = samples.get('baseline') as Sample;
    const m = samples.get('measured') as Sample;
    base.push(b);
    measured.push(m);
    ratios.push(m.ops / b.ops);
  }
  return comparisonRows(comparison, base, measured, ratios);
}

/** Runs a load comparison: whole load runs per side, alternating order over the rounds, medians. */
export async function runLoadComparison(comparison: LoadComparison): Promise<Row[]> {
  const base: Sample[] = [];
  const measured: Sample[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < (comparison.rounds ?? 4); round++) {
    let b: Sample;
    let m: Sample;
    if (round % 2 === 0) {
      b = await comparison.baseline();
      m = await comparison.measured();
    } else {
      m = await comparison.measured();
      b = await comparison.baseline();
    }
    base.push(b);
    measured.push(m);
    ratios.push(m.ops / b.ops);
  }
  return comparisonRows(comparison, base, measured, ratios);
}

function comparisonRows(
  comparison: Pick<Comparison, 'name' | 'baselineName' | 'target' | 'p99TargetMs'>,
  base: Sample[],
  measured: Sample[],
  ratios: number[],
): Row[] {
  const summarise = (samples: Sample[]) => ({
    ops: median(samples.map((sample) => sample.ops)),
    p50: median(samples.map((sample) => sample.p50)),
    p99: median(samples.map((sample) => sample.p99)),
  });
  const b = summarise(base);
  const m = summarise(measured);
  return [
    {
      name: comparison.baselineName,
      opsPerSecond: b.ops,
      p50Ms: b.p50,
      p99Ms: b.p99,
      baseline: '(baseline)',
      ratio: null,
      target: null,
    },
    {
      name: comparison.name,
      opsPerSecond: m.ops,
      p50Ms: m.p50,
      p99Ms: m.p99,
      baseline: comparison.baselineName,
      ratio: median(ratios),
      target: comparison.target ?? null,
      p99TargetMs: comparison.p99TargetMs ?? null,
    },
  ];
}

function targetCell(row: Row): string {
  const mark = (missed: boolean) => (missed ? ' MISSED' : ' ok');
  const parts: string[] = [];
  if (row.absoluteTarget !== undefined && row.absoluteTarget !== null)
    parts.push(
      `>= ${Math.round(row.absoluteTarget).toLocaleString('en-US')}/s${mark(missedThroughput(row))}`,
    );
  else if (row.target !== null) parts.push(`>= ${row.target.toFixed(2)}${mark(missedThroughput(row))}`);
  if (row.p99TargetMs !== undefined && row.p99TargetMs !== null)
    parts.push(`p99 < ${row.p99TargetMs} ms${mark(missedP99(row))}`);
  return parts.join(', ');
}

export function formatTable(rows: Row[]): string {
  const header = ['name', 'ops/s', 'p50 (ms)', 'p99 (ms)', 'ratio', 'target', 'baseline'];
  const body = rows.map((row) => [
    row.name,
    Math.round(row.opsPerSecond).toLocaleString('en-US'),
    row.p50Ms.toFixed(3),
    row.p99Ms.toFixed(3),
    row.ratio === null ? '' : row.ratio.toFixed(2),
    targetCell(row),
    row.baseline,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column >= 1 && column <= 4 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

/** A group's skip reason when PostgreSQL does not answer at `url` (null when it does). */
export async function postgresUnreachable(url: string): Promise<string | null> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.end();
    return null;
  } catch {
    return `PostgreSQL not reachable at ${new URL(url).host} (set DATABASE_URL)`;
  }
}
