/**
 * Timing: warm up, then run a case repeatedly for a fixed time budget and report the median rate
 * over short windows (the median resists one-off pauses such as garbage collection).
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

/** Calls `fn` (one unit of work per call) under the budget and returns its median call rate. */
export async function measureRate(fn: () => unknown | Promise<unknown>, budget: MeasureBudget): Promise<Measurement> {
  await runFor(fn, budget.warmupMs);
  const windowMs = budget.measureMs / budget.windows;
  const rates: number[] = [];
  let calls = 0;
  for (let w = 0; w < budget.windows; w++) {
    const { count, ms } = await runFor(fn, windowMs);
    calls += count;
    rates.push((count * 1000) / ms);
  }
  rates.sort((a, b) => a - b);
  return { callsPerSecond: rates[Math.floor(rates.length / 2)], calls };
}

/** Runs `fn` at least once and until `ms` have passed; returns the count and the exact time. */
async function runFor(fn: () => unknown | Promise<unknown>, ms: number): Promise<{ count: number; ms: number }> {
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
