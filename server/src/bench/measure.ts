/**
 * Timing: warm up, then run each case repeatedly for a fixed time budget and report its median
 * rate over short windows (the median resists one-off pauses such as garbage collection). Cases
 * compared with each other run in interleaved windows, so a burst of load from other processes on
 * the machine hits ours and the baseline alike instead of skewing their ratio.
 */

/** How long to warm up and measure one case. */
export interface MeasureBudget {
  /** Warm-up time in milliseconds (JIT, allocator, caches). */
  readonly warmupMs: number;
  /** Measuring time in milliseconds. */
  readonly measureMs: number;
  /** Number of windows the measuring time is split into (the median window is reported). */
  readonly windows: number;
}

/** Full runs: enough windows for a stable median. */
export const FULL_BUDGET: MeasureBudget = Object.freeze({ warmupMs: 500, measureMs: 3000, windows: 7 });

/** `--quick`: a smoke test, numbers are indicative only. */
export const QUICK_BUDGET: MeasureBudget = Object.freeze({ warmupMs: 100, measureMs: 400, windows: 3 });

/** Result of one measured case. */
export interface Measurement {
  /** Median calls per second over the windows. */
  callsPerSecond: number;
  /** Total calls made while measuring. */
  calls: number;
}

/** One unit of work (a training step, a MatMul); may be async. */
export type WorkFn = () => unknown | Promise<unknown>;

/** Calls `fn` under the budget and returns its median call rate. */
export async function measureRate(fn: WorkFn, budget: MeasureBudget): Promise<Measurement> {
  return (await measureInterleaved({ only: fn }, budget)).only;
}

/**
 * Warms every case up, then runs `budget.windows` rounds; in each round every case runs for one
 * window (`measureMs / windows`). Returns each case's median call rate.
 */
export async function measureInterleaved<K extends string>(cases: Record<K, WorkFn>, budget: MeasureBudget): Promise<Record<K, Measurement>> {
  const names = Object.keys(cases) as K[];
  for (const name of names) await runFor(cases[name], budget.warmupMs);
  const windowMs = budget.measureMs / budget.windows;
  const rates = new Map<K, number[]>(names.map((n) => [n, []]));
  const calls = new Map<K, number>(names.map((n) => [n, 0]));
  for (let w = 0; w < budget.windows; w++) {
    for (const name of names) {
      const { count, ms } = await runFor(cases[name], windowMs);
      calls.set(name, calls.get(name)! + count);
      rates.get(name)!.push((count * 1000) / ms);
    }
  }
  const out = {} as Record<K, Measurement>;
  for (const name of names) out[name] = { callsPerSecond: median(rates.get(name)!), calls: calls.get(name)! };
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` at least once and until `ms` have passed; returns the count and the exact time. */
async function runFor(fn: WorkFn, ms: number): Promise<{ count: number; ms: number }> {
  const start = performance.now();
  let count = 0;
  let now = start;
  do {
    await fn();
    count++;
    now = performance.now();
  } while (now - start < ms);
  return { count, ms: now - start };
}
