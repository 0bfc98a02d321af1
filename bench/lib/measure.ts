/**
 * The measuring harness: warm-up, repeated timed runs, medians, ops/s. Every figure uses these, so every figure is
 * measured the same way.
 *
 * How an ops/s figure is taken: the function is first run for a warm-up period (so V8 has optimised it and caches
 * are in their steady state), then a batch size is calibrated so one batch lasts about a millisecond (timer
 * overhead stays negligible), then `runs` timed runs of about `runMs` each count how many calls complete. The
 * figure is the median over the runs. When several implementations are compared, their runs are interleaved
 * (ours, peer, ours, peer, ...) so that drift in the machine (other processes, CPU frequency) hits them alike.
 */
import { performance } from 'node:perf_hooks';
import { median, percentile, relativeSpread } from './stats';

/** How long and how often to measure. */
export interface MeasureOptions {
  /** Warm-up before the timed runs, ms. @default 500 */
  readonly warmupMs?: number;
  /** Number of timed runs; the figure is their median. @default 7 */
  readonly runs?: number;
  /** Length of one timed run, ms. @default 400 */
  readonly runMs?: number;
}

/** The result of an ops/s measurement. */
export interface OpsMeasurement {
  /** Median calls per second over the runs. */
  readonly opsPerSecond: number;
  /** Median time of one call, microseconds (1e6 / opsPerSecond). */
  readonly microsPerOp: number;
  /** Calls per second of each run, in run order. */
  readonly samples: readonly number[];
  readonly runs: number;
  /** (max - min) / median of the samples. */
  readonly spread: number;
}

/** The result of a per-iteration duration measurement. */
export interface DurationMeasurement {
  /** Median duration of one iteration, ms. */
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly samplesMs: readonly number[];
  readonly runs: number;
}

const DEFAULTS = { warmupMs: 500, runs: 7, runMs: 400 } as const;

/** Written by every measured call so V8 cannot drop a call whose result is unused. */
let sink: unknown;

/** Returns the last value the harness kept alive (only so that `sink` is observable and never optimised away). */
export function lastSinkValue(): unknown {
  return sink;
}

type SyncCall = () => unknown;
type AsyncCall = () => Promise<unknown>;

/** A named implementation taking part in a comparison. */
export interface Contender {
  readonly name: string;
  /** One call of the measured operation. Synchronous unless `async` is set. */
  readonly call: SyncCall | AsyncCall;
  /** Set when `call` returns a promise that must be awaited. */
  readonly async?: boolean;
}

function runBatchSync(call: SyncCall, batch: number): void {
  for (let i = 0; i < batch; i++) sink = call();
}

async function runBatchAsync(call: AsyncCall, batch: number): Promise<void> {
  for (let i = 0; i < batch; i++) sink = await call();
}

async function runBatch(contender: Contender, batch: number): Promise<void> {
  if (contender.async) await runBatchAsync(contender.call as AsyncCall, batch);
  else runBatchSync(contender.call as SyncCall, batch);
}

/** Runs batches until `ms` elapsed; returns calls completed and the exact elapsed time. */
async function timedRun(contender: Contender, batch: number, ms: number): Promise<{ ops: number; elapsedMs: number }> {
  const start = performance.now();
  let ops = 0;
  let elapsed = 0;
  do {
    await runBatch(contender, batch);
    ops += batch;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return { ops, elapsedMs: elapsed };
}

/** Warms `contender` up for `ms` and returns a batch size that lasts about one millisecond. */
async function warmUpAndCalibrate(contender: Contender, ms: number): Promise<number> {
  let batch = 1;
  const start = performance.now();
  let perCallMs = Number.POSITIVE_INFINITY;
  while (performance.now() - start < ms) {
    const t0 = performance.now();
    await runBatch(contender, batch);
    const took = performance.now() - t0;
    perCallMs = took / batch;
    if (took < 1 && batch < 1 << 20) batch *= 2;
  }
  return Math.max(1, Math.min(1 << 20, Math.round(1 / Math.max(perCallMs, 1e-6))));
}

function summariseOps(samples: number[]): OpsMeasurement {
  const opsPerSecond = median(samples);
  return {
    opsPerSecond,
    microsPerOp: 1e6 / opsPerSecond,
    samples,
    runs: samples.length,
    spread: relativeSpread(samples),
  };
}

/**
 * Measures several implementations of the same operation on the same input, interleaving their timed runs.
 * Returns one {@link OpsMeasurement} per contender name.
 */
export async function compareOps(
  contenders: readonly Contender[],
  options: MeasureOptions = {},
): Promise<Record<string, OpsMeasurement>> {
  const { warmupMs, runs, runMs } = { ...DEFAULTS, ...options };
  const batches = new Map<string, number>();
  for (const contender of contenders) batches.set(contender.name, await warmUpAndCalibrate(contender, warmupMs));
  const samples = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const contender of contenders) {
      const { ops, elapsedMs } = await timedRun(contender, batches.get(contender.name) ?? 1, runMs);
      samples.get(contender.name)?.push((ops / elapsedMs) * 1000);
    }
  }
  return Object.fromEntries(
    contenders.map((contender) => [contender.name, summariseOps(samples.get(contender.name) ?? [])]),
  );
}

/** Measures one implementation's ops/s (see {@link compareOps}). */
export async function measureOps(contender: Contender, options: MeasureOptions = {}): Promise<OpsMeasurement> {
  const result = await compareOps([contender], options);
  return result[contender.name] as OpsMeasurement;
}

/** How many iterations to time for a duration measurement. */
export interface DurationOptions {
  /** Untimed iterations first. @default 20 */
  readonly warmupIterations?: number;
  /** Timed iterations; each one is a sample. @default 30 */
  readonly iterations?: number;
}

/**
 * Times each iteration of `iteration` separately (for operations of a millisecond or more, such as a whole batch)
 * and returns the median, p95 and minimum. `setup` runs before each iteration outside the timing.
 */
export async function measureDurations(
  iteration: () => unknown | Promise<unknown>,
  options: DurationOptions = {},
  setup?: () => void | Promise<void>,
): Promise<DurationMeasurement> {
  const warmupIterations = options.warmupIterations ?? 20;
  const iterations = options.iterations ?? 30;
  for (let i = 0; i < warmupIterations; i++) {
    await setup?.();
    sink = await iteration();
  }
  const samplesMs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    await setup?.();
    const start = performance.now();
    sink = await iteration();
    samplesMs.push(performance.now() - start);
  }
  return {
    medianMs: median(samplesMs),
    p95Ms: percentile(samplesMs, 95),
    minMs: Math.min(...samplesMs),
    samplesMs,
    runs: iterations,
  };
}
