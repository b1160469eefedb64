/**
 * Timing: warm up, then run each case repeatedly for a fixed time budget split into short windows.
 * Reports the rate per second of the calling thread's CPU time (robust on a shared, loaded machine)
 * and the wall-clock rate of the best and the median window. Cases compared with each other run in
 * interleaved windows, so load from elsewhere hits ours and the baseline alike.
 */
import { threadCpuMicros } from './cpu-time';

/** How long to warm up and measure one case. */
export interface MeasureBudget {
  /** Warm-up time in milliseconds (JIT, allocator, caches). */
  readonly warmupMs: number;
  /** Measuring time in milliseconds. */
  readonly measureMs: number;
  /** Number of windows the measuring time is split into (the median window is reported). */
  readonly windows: number;
}

/** Full runs: many short windows, so some fall between bursts of load from other processes. */
export const FULL_BUDGET: MeasureBudget = Object.freeze({ warmupMs: 500, measureMs: 4000, windows: 40 });

/** `--quick`: a smoke test, numbers are indicative only. */
export const QUICK_BUDGET: MeasureBudget = Object.freeze({ warmupMs: 50, measureMs: 300, windows: 3 });

/** Result of one measured case. */
export interface Measurement {
  /** Calls per second in the best window. */
  callsPerSecond: number;
  /** Calls per second in the median window. */
  medianCallsPerSecond: number;
  /** Calls per second of the calling thread's CPU time over all windows (see cpu-time.ts). */
  cpuCallsPerSecond: number;
  /** Total calls made while measuring. */
  calls: number;
}

/** One unit of work (a training step, a MatMul); may be async. */
export type WorkFn = () => unknown;

/** What one measuring window of a case yields: calls made, wall milliseconds, CPU microseconds. */
export interface WindowResult {
  count: number;
  ms: number;
  cpuUs: number;
}

/**
 * A case that times its own windows (work in another process, such as the PyTorch baseline): runs
 * for about `ms` and reports its own count and clocks, so no round trip per call is counted.
 */
export interface WindowedCase {
  window(ms: number): Promise<WindowResult>;
}

/** A case of `measureInterleaved`: a unit of work called repeatedly here, or a self-timed case. */
export type MeasureCase = WorkFn | WindowedCase;

/** Calls `fn` under the budget and returns its call rate. */
export async function measureRate(fn: WorkFn, budget: MeasureBudget): Promise<Measurement> {
  return (await measureInterleaved({ only: fn }, budget)).only;
}

/**
 * Warms every case up, then runs `budget.windows` rounds; in each round every case runs for one
 * window (`measureMs / windows`). Returns each case's best and median call rate.
 */
export async function measureInterleaved<K extends string>(cases: Record<K, MeasureCase>, budget: MeasureBudget): Promise<Record<K, Measurement>> {
  const names = Object.keys(cases) as K[];
  for (const name of names) await runFor(cases[name], budget.warmupMs);
  const windowMs = budget.measureMs / budget.windows;
  const rates = new Map<K, number[]>(names.map((n) => [n, []]));
  const calls = new Map<K, number>(names.map((n) => [n, 0]));
  const cpuMicros = new Map<K, number>(names.map((n) => [n, 0]));
  for (let w = 0; w < budget.windows; w++) {
    for (const name of names) {
      const { count, ms, cpuUs } = await runFor(cases[name], windowMs);
      calls.set(name, calls.get(name)! + count);
      cpuMicros.set(name, cpuMicros.get(name)! + cpuUs);
      rates.get(name)!.push((count * 1000) / ms);
    }
  }
  const out = {} as Record<K, Measurement>;
  for (const name of names) {
    const r = rates.get(name)!;
    const cpuCallsPerSecond = (calls.get(name)! * 1e6) / Math.max(cpuMicros.get(name)!, 1);
    out[name] = { callsPerSecond: Math.max(...r), medianCallsPerSecond: median(r), cpuCallsPerSecond, calls: calls.get(name)! };
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` at least once and until `ms` have passed; returns the count, wall and CPU time. */
async function runFor(c: MeasureCase, ms: number): Promise<WindowResult> {
  if (typeof c !== 'function') return c.window(ms);
  const fn = c;
  const cpuStart = threadCpuMicros();
  const start = performance.now();
  let count = 0;
  let now: number;
  do {
    await fn();
    count++;
    now = performance.now();
  } while (now - start < ms);
  return { count, ms: now - start, cpuUs: threadCpuMicros() - cpuStart };
}
