/**
 * The bound repair's last resort, for when neither single moves nor pair swaps reduce the
 * violation: some fixes need several moves whose first ones add violation (an expert must shed a
 * large client and then gather small ones). A kick makes one seeded random move at a violated
 * expert, the repair runs again, and the result is kept only when the total violation fell.
 * Seeded and bounded by counted work, so it is as deterministic as the rest of the search.
 */
import type { WorkBudget } from './budget';
import { repairBounds } from './repair';
import type { Rng } from './rng';
import type { AssignmentState } from './state';

/** Kicks tried per start at most. */
const MAX_KICKS = 200;

/** Kicks and repairs until the bounds hold, the kicks run out or the budget is spent. */
export function kickRepair(state: AssignmentState, prices: Float64Array, rng: Rng, budget: WorkBudget): void {
  for (let i = 0; i < MAX_KICKS && budget.ok(); i++) {
    const before = state.violation();
    if (before === 0) return;
    const saved = state.save();
    if (!kick(state, rng)) return;
    repairBounds(state, prices, budget);
    if (!(state.violation() < before - 1e-9)) state.restore(saved);
  }
}

/** One random move at a random violated expert: off it when over, onto it when under. */
function kick(state: AssignmentState, rng: Rng): boolean {
  const { clients: C, experts: E, upper } = state.inst;
  const violated: number[] = [];
  for (let e = 0; e < E; e++) if (state.violationAt(e, state.load[e]) > 0) violated.push(e);
  if (violated.length === 0) return false;
  const e = violated[rng.int(violated.length)];
  const over = state.load[e] > upper[e];
  const candidates: number[] = [];
  for (let c = 0; c < C; c++) if ((state.has[c * E + e] === 1) === over && state.start[c + 1] - state.start[c] < E) candidates.push(c);
  if (candidates.length === 0) return false;
  const c = candidates[rng.int(candidates.length)];
  if (over) {
    const free: number[] = [];
    for (let f = 0; f < E; f++) if (state.has[c * E + f] === 0) free.push(f);
    state.move(c, e, free[rng.int(free.length)]);
  } else {
    const held = state.experts[state.start[c] + rng.int(state.start[c + 1] - state.start[c])];
    state.move(c, held, e);
  }
  return true;
}
