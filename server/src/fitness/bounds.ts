/**
 * Load bounds around the balanced share: T = sum_c n_c k_c / E,
 * L(e) = max(0, T (1 - delta + g_e)), U(e) = T (1 + delta + g_e) with g_e = gamma d(e);
 * `achievableLoadBounds` widens them where needed to contain the loads of a constructed balanced assignment
 * (balanced-load.ts), so they always admit an integer solution: with equal clients and C k not
 * divisible by E, no load lies within T +- delta T at all, and the solver would fall back to slack.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { balancedLoads } from './balanced-load';

/** Parameters of the load bounds. */
export interface LoadBoundOptions {
  /** Slack around the balanced share (default 0.1). */
  readonly delta?: number;
  /** Weight of the historical deficit (default 0.1). */
  readonly gamma?: number;
  /** d(e) per expert; absent means no history (all zeros). */
  readonly deficits?: readonly number[];
}

/** The bounds and the balanced share they were built from. */
export interface LoadBounds {
  readonly share: number;
  readonly lower: number[];
  readonly upper: number[];
}

/** T = sum_c n_c k_c / E: the load every expert would carry under perfect balance. */
export function balancedShare(samples: readonly number[], capacity: readonly number[], experts: number): number {
  let total = 0;
  for (let c = 0; c < samples.length; c++) total += samples[c] * capacity[c];
  return total / experts;
}

/**
 * SPEC load bounds. The deficit shift g_e = gamma d(e) is clipped to |g_e| <= 1 - delta (so
 * U >= L >= 0 hold) and then halved until the bounds stay feasible in sum
 * (sum L <= E T <= sum U); with no deficits the bounds are symmetric around T.
 */
export function loadBounds(samples: readonly number[], capacity: readonly number[], experts: number, options: LoadBoundOptions = {}): LoadBounds {
  const delta = options.delta ?? 0.1;
  const gamma = options.gamma ?? 0.1;
  if (!(delta >= 0) || !Number.isFinite(delta)) throw new InvalidArgumentError(`delta must be a finite number >= 0 (got ${delta})`);
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new InvalidArgumentError(`gamma must be a finite number >= 0 (got ${gamma})`);
  const deficits = options.deficits ?? new Array<number>(experts).fill(0);
  if (deficits.length !== experts) {
    throw new InvalidArgumentError(`deficits has ${deficits.length} entries for ${experts} experts`);
  }
  const share = balancedShare(samples, capacity, experts);
  const shift = clippedShift(
    deficits.map((d) => gamma * (Number.isFinite(d) ? d : 0)),
    delta,
  );
  return {
    share,
    lower: shift.map((g) => Math.max(0, share * (1 - delta + g))),
    upper: shift.map((g) => share * (1 + delta + g)),
  };
}

/**
 * SPEC bounds widened to contain the loads of a constructed balanced assignment, so they always
 * admit an integer solution (the flexmoe strategy solves with these). `loadBounds` itself stays
 * the plain band, which the solver uses for problems without explicit bounds and to report a
 * baseline's violation.
 */
export function achievableLoadBounds(samples: readonly number[], capacity: readonly number[], experts: number, options: LoadBoundOptions = {}): LoadBounds {
  const b = loadBounds(samples, capacity, experts, options);
  const lower = [...b.lower];
  const upper = [...b.upper];
  admitBalancedAssignment(lower, upper, samples, capacity, experts);
  return { share: b.share, lower, upper };
}

/**
 * Widens every expert's bounds to contain the whole range of loads of the constructed balanced
 * assignment. Experts are interchangeable, so that assignment (relabelled any way) stays inside,
 * and the solver keeps the freedom to choose which experts carry the larger loads by Q. Matching
 * loads to experts by deficit rank instead would dictate the heavy experts every round (with
 * equal clients the loads can only be 2n or 3n) and force the assignment to rotate with the
 * deficits whatever Q says.
 */
function admitBalancedAssignment(lower: number[], upper: number[], samples: readonly number[], capacity: readonly number[], experts: number): void {
  const loads = balancedLoads(samples, capacity, experts).load;
  const [lo, hi] = [Math.min(...loads), Math.max(...loads)];
  for (let e = 0; e < experts; e++) {
    lower[e] = Math.min(lower[e], lo);
    upper[e] = Math.max(upper[e], hi);
  }
}
function clippedShift(raw: number[], delta: number): number[] {
  const limit = Math.max(0, 1 - delta);
  let shift = raw.map((g) => Math.min(limit, Math.max(-limit, g)));
  for (let i = 0; i < 40 && !feasibleInSum(shift, delta); i++) shift = shift.map((g) => g / 2);
  return feasibleInSum(shift, delta) ? shift : shift.map(() => 0);
}

/** sum L <= E T <= sum U, in units of T. */
function feasibleInSum(shift: number[], delta: number): boolean {
  let lower = 0;
  let upper = 0;
  for (const g of shift) {
    lower += Math.max(0, 1 - delta + g);
    upper += 1 + delta + g;
  }
  const e = shift.length;
  return lower <= e * (1 + 1e-12) && upper >= e * (1 - 1e-12);
}
