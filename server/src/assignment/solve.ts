/**
 * The solver layer's entry point: one assignment problem in, a valid answer out within the time
 * budget. `auto` runs the Lagrangian heuristic and, on small instances it has not proved optimal,
 * the exact elastic MIP in glpk.js under a hard deadline; only a proved optimum replaces the
 * heuristic there, which keeps `auto` deterministic.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { greedyAssignment, randomAssignment } from './baselines';
import { GLP, readAssignment } from './glpk-model';
import { runGlpk } from './glpk-runner';
import { solveHeuristic } from './heuristic';
import { toInstance, type Instance } from './instance';
import { buildResult } from './result';
import type { AssignmentProblem, AssignmentResult, SolveOptions, WarmStart } from './types';

/** Defaults of `SolveOptions`. */
export const SOLVE_DEFAULTS = Object.freeze({ solver: 'auto', timeLimitSeconds: 2, delta: 0.1, exactMaxVariables: 256 });
/** glpk.js builds a model object per variable; beyond this it only burns memory. */
const GLPK_MAX_VARIABLES = 200_000;
/** Gap below which the heuristic's answer counts as proved optimal. */
const OPTIMAL_GAP = 1e-9;

/** Solves one problem. Throws only for a malformed problem or options (`InvalidArgumentError`). */
export async function solveAssignment(problem: AssignmentProblem, options: SolveOptions = {}): Promise<AssignmentResult> {
  const started = performance.now();
  const limit = options.timeLimitSeconds ?? SOLVE_DEFAULTS.timeLimitSeconds;
  if (!(limit > 0) || !Number.isFinite(limit)) throw new InvalidArgumentError(`timeLimitSeconds must be a finite number > 0 (got ${limit})`);
  const inst = toInstance(problem, options.delta ?? SOLVE_DEFAULTS.delta);
  const solver = options.solver ?? 'auto';
  if (solver === 'greedy') return buildResult(inst, greedyAssignment(inst), { solver, status: 'feasible', bound: Infinity, started });
  if (solver === 'random') {
    return buildResult(inst, randomAssignment(inst, problem.seed, problem.round), { solver, status: 'feasible', bound: Infinity, started });
  }
  if (!['auto', 'glpk', 'heuristic'].includes(solver)) throw new InvalidArgumentError(`unknown solver '${solver}'`);
  const deadline = started + limit * 1000;
  const small = inst.clients * inst.experts <= (options.exactMaxVariables ?? SOLVE_DEFAULTS.exactMaxVariables);
  // Half the budget stays for glpk.js when it may follow; otherwise the heuristic may use it all.
  const exactMayFollow = solver === 'glpk' || (solver === 'auto' && small);
  const heuristic = runHeuristic(inst, problem, options, exactMayFollow ? started + limit * 500 : deadline, started);
  const exactWanted = solver === 'glpk' || (solver === 'auto' && small && heuristic.status !== 'optimal');
  if (!exactWanted) return heuristic;
  return solveExact(inst, heuristic, { explicit: solver === 'glpk', deadline, signal: options.signal, started });
}

function runHeuristic(inst: Instance, problem: AssignmentProblem, options: SolveOptions, deadline: number, started: number): AssignmentResult {
  const outcome = solveHeuristic(inst, {
    deadline,
    seed: problem.seed + problem.round,
    warmPrices: options.warmStart?.prices,
    warmChoice: warmChoice(inst, problem, options.warmStart),
    signal: options.signal,
  });
  const result = buildResult(inst, outcome.state.toLists(), {
    solver: 'lagrangian',
    status: 'feasible',
    bound: outcome.bound,
    prices: outcome.prices,
    notes: [`${outcome.sweeps} price sweeps`, ...(outcome.cut ? ['deadline cut the search short (answer depends on timing)'] : [])],
    started,
  });
  return result.status === 'feasible' && result.gap <= OPTIMAL_GAP ? { ...result, status: 'optimal' } : result;
}

/** Last round's experts by client id, where they still fit (k_c unchanged, ids valid). */
function warmChoice(inst: Instance, problem: AssignmentProblem, warm?: WarmStart): ((c: number) => readonly number[] | undefined) | undefined {
  const last = warm?.assignment;
  if (!last || last.size === 0) return undefined;
  return (c) => {
    const experts = last.get(problem.clients[c].id);
    if (!experts || experts.length !== inst.capacity[c] || new Set(experts).size !== experts.length) return undefined;
    return experts.every((e) => Number.isInteger(e) && e >= 0 && e < inst.experts) ? experts : undefined;
  };
}

interface ExactContext { explicit: boolean; deadline: number; signal?: AbortSignal; started: number }

async function solveExact(inst: Instance, heuristic: AssignmentResult, ctx: ExactContext): Promise<AssignmentResult> {
  const fallback = (why: string): AssignmentResult => ({
    ...heuristic,
    status: ctx.explicit && heuristic.status !== 'elastic' ? 'fallback' : heuristic.status,
    seconds: (performance.now() - ctx.started) / 1000,
    notes: [...heuristic.notes, why],
  });
  if (inst.clients * inst.experts > GLPK_MAX_VARIABLES) return fallback('glpk: instance too large for glpk.js');
  const remaining = (ctx.deadline - performance.now()) / 1000;
  if (remaining < 0.05) return fallback('glpk: no time left');
  const outcome = await runGlpk(inst, { hardLimitSeconds: remaining, signal: ctx.signal });
  if (outcome.kind !== 'answer') {
    const detail = outcome.kind === 'error' ? `failed (${outcome.message})` : outcome.kind === 'abandoned' ? `abandoned at the deadline after ${outcome.seconds.toFixed(2)} s` : 'aborted';
    return fallback(`glpk: ${detail}`);
  }
  const { status, vars } = outcome.reply;
  const proved = status === GLP.OPT;
  if (!proved && !(ctx.explicit && status === GLP.FEAS)) return fallback(`glpk: no proved answer (status ${status}) in time`);
  const lists = readAssignment(inst, vars);
  if (!lists) return fallback('glpk: answer did not respect the capacities');
  const exact = buildResult(inst, lists, {
    solver: 'glpk',
    status: proved ? 'optimal' : 'feasible',
    bound: proved ? outcome.reply.z : heuristic.upperBound,
    prices: heuristic.prices,
    notes: [`glpk ${proved ? 'optimal' : 'feasible (time limit)'} in ${outcome.seconds.toFixed(2)} s`],
    started: ctx.started,
  });
  const worse = exact.violation > heuristic.violation + 1e-9 ||
    (Math.abs(exact.violation - heuristic.violation) <= 1e-9 && exact.objective < heuristic.objective - 1e-9);
  return !proved && worse ? fallback('glpk: its answer was worse than the heuristic') : exact;
}
