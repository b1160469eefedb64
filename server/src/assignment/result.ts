/**
 * Turning an assignment (expert lists per client) into the `AssignmentResult` every path returns:
 * loads, objective on the original Q, violation, bound and gap.
 */
import type { Instance } from './instance';
import { threadCpuSeconds } from './thread-cpu';
import type { AssignmentResult, AssignmentStatus } from './types';

/** When a solve started, on the wall clock and in the calling thread's CPU time. */
export interface SolveClock {
  /** performance.now() at the start. */
  readonly wall: number;
  /** threadCpuSeconds() at the start. */
  readonly cpu: number;
}

/** Starts the clocks of one solve. */
export function startClock(): SolveClock {
  return { wall: performance.now(), cpu: threadCpuSeconds() };
}

/** Wall seconds and the calling thread's CPU seconds since `clock` started. */
export function elapsed(clock: SolveClock): { seconds: number; cpuSeconds: number } {
  return { seconds: (performance.now() - clock.wall) / 1000, cpuSeconds: threadCpuSeconds() - clock.cpu };
}

/** What a path knows about its answer besides the assignment. */
export interface Provenance {
  readonly solver: string;
  /** Status when the answer is within the bounds and the safety net did not fire. */
  readonly status: Exclude<AssignmentStatus, 'elastic' | 'timeout'>;
  /** A bound valid for assignments within the bounds (Infinity when the path has none). */
  readonly bound: number;
  readonly prices?: ArrayLike<number>;
  readonly notes?: readonly string[];
  readonly started: SolveClock;
  /** The wall-clock safety net fired while this answer was searched for. */
  readonly timedOut?: boolean;
  /** Proof that the bounds cannot all hold (kept only when the answer has violation). */
  readonly infeasibility?: string | null;
}

/** Sum over clients of their best k_c raw fitness values: a bound on every assignment. */
export function trivialBound(inst: Instance): number {
  const { clients: C, experts: E, qRaw, capacity } = inst;
  const best = new Float64Array(E);
  let total = 0;
  for (let c = 0; c < C; c++) {
    // Insertion into a short descending list: k_c is small next to E.
    const k = capacity[c];
    let filled = 0;
    for (let e = 0; e < E; e++) {
      const v = qRaw[c * E + e];
      if (filled === k && v <= best[k - 1]) continue;
      let i = filled < k ? filled++ : k - 1;
      while (i > 0 && best[i - 1] < v) {
        best[i] = best[i - 1];
        i--;
      }
      best[i] = v;
    }
    for (let i = 0; i < k; i++) total += best[i];
  }
  return total;
}

/** The answer without its two timings: what must not depend on how busy the machine is. */
export function withoutTimings(r: AssignmentResult): Omit<AssignmentResult, 'seconds' | 'cpuSeconds'> {
  const { seconds: _wall, cpuSeconds: _cpu, ...rest } = r;
  return rest;
}

/** Builds the full answer; with violation it is `elastic`, cut by the safety net `timeout`. */
export function buildResult(inst: Instance, assignment: number[][], how: Provenance): AssignmentResult {
  const { experts: E, qRaw, samples, lower, upper } = inst;
  const load = new Array<number>(E).fill(0);
  let objective = 0;
  assignment.forEach((experts, c) => {
    for (const e of experts) {
      load[e] += samples[c];
      objective += qRaw[c * E + e];
    }
  });
  let violation = 0;
  for (let e = 0; e < E; e++) violation += Math.max(0, load[e] - upper[e]) + Math.max(0, lower[e] - load[e]);
  // Tolerate float noise in explicit fractional bounds.
  if (violation < 1e-9) violation = 0;
  const elastic = violation > 0;
  // A finite Lagrangian bound never exceeds the trivial one (it is D(0)), so that is only the fallback.
  const upperBound = elastic || !Number.isFinite(how.bound) ? trivialBound(inst) : how.bound;
  const gap = Math.max(0, (upperBound - objective) / Math.max(Math.abs(upperBound), 1e-12));
  return {
    assignment,
    objective,
    upperBound,
    gap,
    status: how.timedOut ? 'timeout' : elastic ? 'elastic' : how.status,
    solver: how.solver,
    ...elapsed(how.started),
    timedOut: how.timedOut ?? false,
    infeasibility: elastic ? (how.infeasibility ?? null) : null,
    load,
    lower: Array.from(lower),
    upper: Array.from(upper),
    violation,
    prices: how.prices ? Array.from(how.prices) : new Array<number>(E).fill(0),
    notes: [...(how.notes ?? [])],
  };
}
