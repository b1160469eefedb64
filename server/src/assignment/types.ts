/**
 * The public shapes of the assignment layer: one round's problem, the solver's options and the
 * answer every solver path returns.
 */

/** One participating client as the solver sees it. */
export interface AssignmentClient {
  /** Stable client id (keys the fitness matrix and the warm start). */
  readonly id: string;
  /** n_c: training samples the client holds (finite, >= 0). */
  readonly samples: number;
  /** k_c: how many experts the client trains this round (integer, 1 <= k_c <= E). */
  readonly capacity: number;
}

/** One round's assignment problem. Rows of `q` follow `clients`. */
export interface AssignmentProblem {
  readonly clients: readonly AssignmentClient[];
  /** E: number of experts. */
  readonly experts: number;
  /** Q[c][e]: fitness of client c for expert e (finite). */
  readonly q: readonly (readonly number[])[];
  /** Round number (mixed into the tie-breaking jitter). */
  readonly round: number;
  /** Seed of the run (mixed into the tie-breaking jitter). */
  readonly seed: number;
  /** L(e); when absent (with `upper`), the bounds come from `delta` around the balanced share. */
  readonly lower?: readonly number[];
  /** U(e); when absent (with `lower`), the bounds come from `delta` around the balanced share. */
  readonly upper?: readonly number[];
}

/**
 * How an answer ended: `optimal` (proved), `heuristic` (the deterministic heuristic's answer within
 * the bounds, not proved optimal), `feasible` (a baseline's answer within the bounds), `elastic`
 * (the bounds provably cannot all hold: least violation found, reason in `infeasibility`),
 * `fallback` (an explicitly requested glpk.js solve gave no proved answer: the heuristic's answer),
 * `timeout` (the wall-clock safety net cut the search: the answer depends on timing).
 */
export type AssignmentStatus = 'optimal' | 'heuristic' | 'feasible' | 'elastic' | 'fallback' | 'timeout';

/** Solver paths `solveAssignment` can take. */
export type SolverChoice = 'auto' | 'glpk' | 'heuristic' | 'greedy' | 'random';

/** Every solver path answers with this. */
export interface AssignmentResult {
  /** Expert ids (0-based, ascending) per client, rows following `problem.clients`. */
  readonly assignment: number[][];
  /** sum of Q over the assigned pairs (the original Q, without jitter or penalties). */
  readonly objective: number;
  /** Upper bound on the objective of any assignment within the bounds (LP, Lagrangian or exact). */
  readonly upperBound: number;
  /** (upperBound - objective) / max(|upperBound|, 1e-12), >= 0. */
  readonly gap: number;
  readonly status: AssignmentStatus;
  /** Which path produced the assignment, e.g. `glpk`, `lagrangian`, `greedy`. */
  readonly solver: string;
  /** Wall-clock seconds of the whole solve. */
  readonly seconds: number;
  /** CPU seconds of the solve: the calling thread's, plus the glpk.js worker's job when it answered. */
  readonly cpuSeconds: number;
  /** True when the wall-clock safety net (time limit) fired: status is then `timeout`. */
  readonly timedOut: boolean;
  /** Why the bounds cannot all hold when the answer has violation (a proof), else null. */
  readonly infeasibility: string | null;
  /** load(e) = sum_c n_c X[c][e]. */
  readonly load: number[];
  /** The bounds the answer was solved against. */
  readonly lower: number[];
  readonly upper: number[];
  /** Total bound violation in samples: sum_e max(0, load - U) + max(0, L - load). 0 when feasible. */
  readonly violation: number;
  /** Final expert prices (per sample); feed them back as the next round's warm start. */
  readonly prices: number[];
  /** Short human-readable facts about the path taken (timeouts, fallbacks). */
  readonly notes: string[];
}

/** What the previous round leaves for the next: prices and the last assignment by client id. */
export interface WarmStart {
  readonly prices?: readonly number[];
  readonly assignment?: ReadonlyMap<string, readonly number[]>;
}

/** Options of one solve. */
export interface SolveOptions {
  /** Path to take (default `auto`: heuristic, then exact glpk.js on small instances). */
  readonly solver?: SolverChoice;
  /**
   * Wall-clock safety net in seconds (default 30), far above the normal solve time: the search is
   * bounded by counted work, and this only stops one that runs away (status `timeout`).
   */
  readonly timeLimitSeconds?: number;
  /** Slack around the balanced share when the problem carries no explicit bounds (default 0.1). */
  readonly delta?: number;
  /** Largest C*E that `auto` hands to the exact glpk.js MIP (default 256). */
  readonly exactMaxVariables?: number;
  readonly warmStart?: WarmStart;
  /** Aborting returns the best answer known so far (never throws for an abort). */
  readonly signal?: AbortSignal;
}
