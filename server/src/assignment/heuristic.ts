/**
 * The scalable path: Lagrangian prices by exact per-expert market clearing, the price-based
 * choice as a start, a bound repair and an improvement pass. Deterministic: every phase is bounded
 * by counted work (sweeps, passes, restarts, repair units), never by the clock; the safety net
 * (far deadline, abort) only stops a search that runs away, and then says so.
 */
import { REPAIR_MOVES, type SafetyNet } from './budget';
import type { Instance } from './instance';
import { PriceStepper } from './prices';
import { Ranking } from './ranking';
import { improve, improveSwaps, repairBounds } from './repair';
import { kickRepair } from './repair-kicks';
import { mixSeeds, Rng } from './rng';
import { AssignmentState } from './state';

/** What the heuristic found. */
export interface HeuristicOutcome {
  readonly state: AssignmentState;
  readonly prices: Float64Array;
  /** Lagrangian dual value D(p): an upper bound on any assignment within the bounds. */
  readonly bound: number;
  readonly sweeps: number;
  /** True when the safety net (deadline or abort) ended a phase: the answer then depends on timing. */
  readonly cut: boolean;
}

/** Options of the heuristic. */
export interface HeuristicOptions {
  /** Far wall-clock deadline and abort: stops the search early only when it fires. */
  readonly net: SafetyNet;
  readonly warmPrices?: ArrayLike<number>;
  /** Last round's experts of client c, when known and still valid. */
  readonly warmChoice?: (c: number) => readonly number[] | undefined;
  /** Seeds the restarts' price perturbations. */
  readonly seed?: number;
  /** Most price sweeps (default 40). */
  readonly maxSweeps?: number;
}

/** Restarts while C * E * restarts stays below this (about 0.1 s of work). */
const RESTART_WORK = 100_000;
const MAX_RESTARTS = 64;
/** Relative noise on the prices of a restart. */
const PERTURBATION = 0.1;
/** Pair swaps are quadratic in the clients: only below this many. */
const SWAP_MAX_CLIENTS = 500;
/** Stop the price sweeps when one sweep lowers the bound by less than this fraction. */
const SWEEP_TOLERANCE = 5e-5;

/** Runs prices, repair and improvement; always returns an assignment with exact capacities. */
export function solveHeuristic(inst: Instance, options: HeuristicOptions): HeuristicOutcome {
  const prices = initialPrices(inst, options.warmPrices);
  const ranking = new Ranking(inst, prices);
  const stepper = new PriceStepper(inst, ranking);
  const net = options.net;
  let bound = ranking.dualValue();
  let sweeps = 0;
  for (; sweeps < (options.maxSweeps ?? 40) && !net.fired(); sweeps++) {
    const change = stepper.sweep();
    const next = ranking.dualValue();
    const progress = bound - next;
    bound = Math.min(bound, next);
    if (change === 0 || (sweeps > 0 && progress <= SWEEP_TOLERANCE * Math.abs(bound))) {
      sweeps++;
      break;
    }
  }
  const seed = options.seed ?? 0;
  const fromPrices = polish(new AssignmentState(inst, (c) => ranking.choice(c)), prices, net, mixSeeds(seed, 0));
  let state = fromPrices;
  if (options.warmChoice) {
    const warm = options.warmChoice;
    const fromWarm = polish(new AssignmentState(inst, (c) => warm(c) ?? ranking.choice(c)), prices, net, mixSeeds(seed, 1));
    if (better(fromWarm, fromPrices)) state = fromWarm;
  }
  state = restarts(inst, prices, state, options);
  return { state, prices, bound, sweeps, cut: net.reason !== null };
}

/**
 * Small instances have a real integrality gap that one repaired start leaves open; starts from
 * seeded perturbations of the prices explore other roundings cheaply. The count shrinks with
 * C * E so large instances skip this.
 */
function restarts(inst: Instance, prices: Float64Array, incumbent: AssignmentState, options: HeuristicOptions): AssignmentState {
  const count = Math.min(MAX_RESTARTS, Math.floor(RESTART_WORK / (inst.clients * inst.experts)));
  const rng = new Rng(options.seed ?? 0);
  let best = incumbent;
  for (let i = 0; i < count && !options.net.fired(); i++) {
    const perturbed = Float64Array.from(prices, (p) => p * (1 + PERTURBATION * rng.normal()));
    const ranking = new Ranking(inst, perturbed);
    const candidate = polish(new AssignmentState(inst, (c) => ranking.choice(c)), perturbed, options.net, mixSeeds(options.seed ?? 0, 2 + i));
    if (better(candidate, best)) best = candidate;
  }
  return best;
}

/** Feasibility first: repair within its work allowance, then improve without adding violation. */
function polish(state: AssignmentState, prices: Float64Array, net: SafetyNet, seed: number): AssignmentState {
  const { clients: C, experts: E } = state.inst;
  const repair = net.budget(REPAIR_MOVES * C * E);
  repairBounds(state, prices, repair);
  if (state.violation() > 0) kickRepair(state, prices, new Rng(seed), repair);
  // Improvement passes are bounded by their pass counts; only the safety net cuts them.
  const passes = net.unbounded();
  improve(state, state.inst.q, passes);
  if (C <= SWAP_MAX_CLIENTS) {
    improveSwaps(state, state.inst.q, passes);
    improve(state, state.inst.q, passes);
  }
  return state;
}

/** Less violation first, then more fitness. */
function better(a: AssignmentState, b: AssignmentState): boolean {
  const va = a.violation();
  const vb = b.violation();
  if (Math.abs(va - vb) > 1e-9) return va < vb;
  return a.objective(a.inst.q) > b.objective(b.inst.q);
}

function initialPrices(inst: Instance, warm?: ArrayLike<number>): Float64Array {
  const prices = new Float64Array(inst.experts);
  if (warm && warm.length === inst.experts) {
    for (let e = 0; e < inst.experts; e++) prices[e] = Number.isFinite(warm[e]) ? warm[e] : 0;
  }
  return prices;
}
