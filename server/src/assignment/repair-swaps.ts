/**
 * The bound repair's second step, for when no single move reduces the violation: every single
 * move shifts a whole client's n_c, which overshoots when client sizes are coarse next to the
 * bounds' slack. A swap (client x gives violated expert e to client y for y's expert f) shifts
 * only n_x - n_y between e and f, reaching loads single moves cannot. Chosen like single moves:
 * least reduced fitness lost per sample of violation removed.
 */
import type { WorkBudget } from './budget';
import type { AssignmentState } from './state';

interface Swap {
  x: number;
  y: number;
  e: number;
  f: number;
  score: number;
}

/**
 * Applies the best violation-reducing swap at the first of `violated` (worst first) that has one;
 * false when none has or the budget is spent. Charges the slots scanned per client looked at.
 */
export function bestRepairSwap(state: AssignmentState, prices: Float64Array, violated: readonly number[], budget: WorkBudget): boolean {
  const holders = holderLists(state);
  for (const e of violated) {
    const best = bestSwapAt(state, prices, e, holders, budget);
    if (best === undefined) return false;
    if (best !== null) {
      state.move(best.x, best.e, best.f);
      state.move(best.y, best.f, best.e);
      return true;
    }
  }
  return false;
}

/** The clients holding each expert, ascending. */
function holderLists(state: AssignmentState): number[][] {
  const { clients: C, experts: E } = state.inst;
  const holders: number[][] = Array.from({ length: E }, () => []);
  for (let c = 0; c < C; c++) {
    for (let i = state.start[c]; i < state.start[c + 1]; i++) holders[state.experts[i]].push(c);
  }
  return holders;
}

/** The best swap moving load off (or onto) expert e; undefined when the budget ran out. */
function bestSwapAt(state: AssignmentState, prices: Float64Array, e: number, holders: number[][], budget: WorkBudget): Swap | null | undefined {
  const { experts: E, q, samples } = state.inst;
  const slots = state.start[state.inst.clients];
  const reduced = (c: number, g: number): number => q[c * E + g] - samples[c] * prices[g];
  let best: Swap | null = null;
  for (const x of holders[e]) {
    if (!budget.charge(slots)) return undefined;
    for (let f = 0; f < E; f++) {
      if (state.has[x * E + f] === 1) continue;
      const giveUp = reduced(x, e) - reduced(x, f);
      for (const y of holders[f]) {
        if (state.has[y * E + e] === 1) continue;
        const gain = state.relief(e, f, samples[x] - samples[y]);
        if (gain <= 1e-9) continue;
        const score = (giveUp + reduced(y, f) - reduced(y, e)) / gain;
        if (best === null || score < best.score) best = { x, y, e, f, score };
      }
    }
  }
  return best;
}
