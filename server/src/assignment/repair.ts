/**
 * Turning a price-based choice into an assignment within the bounds, then improving it.
 * Feasibility: the most violated expert sheds (or attracts) one client at a time, choosing the move
 * that costs least reduced fitness per sample of violation removed; reduced fitness
 * (Q - n_c p_e) at converged prices makes the cheap moves exactly the near-ties the relaxation
 * left undecided. Improvement: single moves that raise fitness and keep every bound.
 */
import type { WorkBudget } from './budget';
import { bestRepairSwap } from './repair-swaps';
import type { AssignmentState } from './state';

interface Move {
  client: number;
  from: number;
  to: number;
  score: number;
}

/**
 * Moves clients until no bound is violated, no move reduces the violation or the budget is spent.
 * Each look for a move charges C * E units (one scan of the clients and their alternatives). Where
 * every single move overshoots (sizes coarse next to the slack), a pair swap shifts the difference
 * of two clients' sizes instead.
 */
export function repairBounds(state: AssignmentState, prices: Float64Array, budget: WorkBudget): void {
  const { clients: C, experts: E } = state.inst;
  const order = Array.from({ length: E }, (_, e) => e);
  for (;;) {
    if (!budget.ok()) return;
    const viol = order.map((e) => state.violationAt(e, state.load[e]));
    const worst = order.filter((e) => viol[e] > 0).sort((a, b) => viol[b] - viol[a] || a - b);
    if (worst.length === 0) return;
    let moved = false;
    for (const e of worst) {
      if (!budget.charge(C * E)) return;
      const best = state.load[e] > state.inst.upper[e] ? bestMoveOut(state, prices, e) : bestMoveIn(state, prices, e);
      if (best) {
        state.move(best.client, best.from, best.to);
        moved = true;
        break;
      }
    }
    if (!moved && !bestRepairSwap(state, prices, worst, budget)) return;
  }
}

function bestMoveOut(state: AssignmentState, prices: Float64Array, e: number): Move | null {
  const { clients: C, experts: E, q, samples } = state.inst;
  let best: Move | null = null;
  for (let c = 0; c < C; c++) {
    const n = samples[c];
    if (n === 0 || state.has[c * E + e] === 0) continue;
    const keep = q[c * E + e] - n * prices[e];
    for (let f = 0; f < E; f++) {
      if (state.has[c * E + f] === 1) continue;
      const gain = state.relief(e, f, n);
      if (gain <= 1e-9) continue;
      const score = (keep - (q[c * E + f] - n * prices[f])) / gain;
      if (best === null || score < best.score) best = { client: c, from: e, to: f, score };
    }
  }
  return best;
}

function bestMoveIn(state: AssignmentState, prices: Float64Array, e: number): Move | null {
  const { clients: C, experts: E, q, samples } = state.inst;
  let best: Move | null = null;
  for (let c = 0; c < C; c++) {
    const n = samples[c];
    if (n === 0 || state.has[c * E + e] === 1) continue;
    const take = q[c * E + e] - n * prices[e];
    for (let i = state.start[c]; i < state.start[c + 1]; i++) {
      const g = state.experts[i];
      const gain = state.relief(g, e, n);
      if (gain <= 1e-9) continue;
      const score = (q[c * E + g] - n * prices[g] - take) / gain;
      if (best === null || score < best.score) best = { client: c, from: g, to: e, score };
    }
  }
  return best;
}

/**
 * Passes of single moves that raise fitness without adding violation; returns the moves made.
 * Each pass offers every client its best such move.
 */
export function improve(state: AssignmentState, q: Float64Array, budget: WorkBudget, maxPasses = 4): number {
  const { clients: C, experts: E, samples } = state.inst;
  let moves = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    let movedThisPass = 0;
    for (let c = 0; c < C && budget.charge(state.inst.capacity[c] * E); c++) {
      let best: Move | null = null;
      for (let i = state.start[c]; i < state.start[c + 1]; i++) {
        const e = state.experts[i];
        for (let f = 0; f < E; f++) {
          if (state.has[c * E + f] === 1) continue;
          const gain = q[c * E + f] - q[c * E + e];
          if (gain <= 1e-12 || (best !== null && -gain >= best.score)) continue;
          if (state.relief(e, f, samples[c]) < -1e-9) continue;
          best = { client: c, from: e, to: f, score: -gain };
        }
      }
      if (best) {
        state.move(best.client, best.from, best.to);
        movedThisPass++;
      }
    }
    moves += movedThisPass;
    if (movedThisPass === 0) break;
  }
  return moves;
}

/**
 * Passes of pair swaps (client a gives e to client b for b's f) that raise fitness and keep every
 * bound; they reach what single moves cannot when the bounds are tight. Quadratic in the clients,
 * so meant for instances up to a few thousand clients. Returns the swaps made.
 */
export function improveSwaps(state: AssignmentState, q: Float64Array, budget: WorkBudget, maxPasses = 3): number {
  const { clients: C, capacity } = state.inst;
  const slots = state.start[C];
  let swaps = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    let made = 0;
    for (let a = 0; a < C && budget.charge(capacity[a] * (slots - state.start[a + 1])); a++) {
      for (let b = a + 1; b < C; b++) if (trySwap(state, q, a, b)) made++;
    }
    swaps += made;
    if (made === 0) break;
  }
  return swaps;
}

/** The best improving swap between clients a and b, applied; true when one was made. */
function trySwap(state: AssignmentState, q: Float64Array, a: number, b: number): boolean {
  const { experts: E, samples } = state.inst;
  const shift = samples[a] - samples[b];
  let bestGain = 1e-12;
  let bestE = -1;
  let bestF = -1;
  for (let i = state.start[a]; i < state.start[a + 1]; i++) {
    const e = state.experts[i];
    if (state.has[b * E + e] === 1) continue;
    for (let j = state.start[b]; j < state.start[b + 1]; j++) {
      const f = state.experts[j];
      if (state.has[a * E + f] === 1) continue;
      const gain = q[a * E + f] - q[a * E + e] + q[b * E + e] - q[b * E + f];
      if (gain <= bestGain || state.relief(e, f, shift) < -1e-9) continue;
      bestGain = gain;
      bestE = e;
      bestF = f;
    }
  }
  if (bestE < 0) return false;
  state.move(a, bestE, bestF);
  state.move(b, bestF, bestE);
  return true;
}
