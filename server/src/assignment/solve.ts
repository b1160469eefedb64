/**
 * The solver layer's entry point: one assignment problem in, a valid answer out. `auto` runs the
 * Lagrangian heuristic and, on instances small enough (by size, never by speed) that it has not
 * proved optimal, the exact elastic MIP in glpk.js; only a proved optimum replaces the heuristic.
 * The heuristic is bounded by counted work, so the answer does not depend on how busy the machine
 * is; the time limit is a far safety net, and an answer it cut short says so (status `timeout`).
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { greedyAssignment, randomAssignment } from './baselines';
import { SafetyNet } from './budget';
import { infeasibilityReason } from './feasibility';
import { GLP, readAssignment } from './glpk-model';
import { runGlpk } from './glpk-runner';
import { solveHeuristic } from './heuristic';
import { toInstance, type Instance } from './instance';
import { buildResult, elapsed, startClock, type SolveClock } from './result';
import type { AssignmentProblem, AssignmentResult, SolveOptions, WarmStart } from './types';

/** Defaults of `SolveOptions`. */
export const SOLVE_DEFAULTS = Object.freeze({ solver: 'auto', timeLimitSeconds: 30, delta: 0.1, exactMaxVariables: 256 });
/** glpk.js builds a model object per variable; beyond this it only burns memory. */
const GLPK_MAX_VARIABLES = 200_000;
/** Gap below which the heuristic's answer counts as proved optimal. */
const OPTIMAL_GAP = 1e-9;

/** Solves one problem. Throws only for a malformed problem or options (`InvalidArgumentError`). */
export async function solveAssignment(problem: AssignmentProblem, options: SolveOptions = {}): Promise<AssignmentResult> {
  const clock = startClock();
  const limit = options.timeLimitSeconds ?? SOLVE_DEFAULTS.timeLimitSeconds;
  if (!(limit > 0) || !Number.isFinite(limit)) throw new InvalidArgumentError(`timeLimitSeconds must be a finite number > 0 (got ${limit})`);
  const inst = toInstance(problem, options.delta ?? SOLVE_DEFAULTS.delta);
  const solver = options.solver ?? 'auto';
  const baseline = { status: 'feasible', bound: Infinity, started: clock } as const;
  if (solver === 'greedy') return buildResult(inst, greedyAssignment(inst), { ...baseline, solver });
  if (solver === 'random') return buildResult(inst, randomAssignment(inst, problem.seed, problem.round), { ...baseline, solver });
  if (!['auto', 'glpk', 'heuristic'].includes(solver)) throw new InvalidArgumentError(`unknown solver '${solver}'`);
  const deadline = clock.wall + limit * 1000;
  const net = new SafetyNet(deadline, options.signal);
  const heuristic = runHeuristic(inst, problem, options, net, clock);
  const small = inst.clients * inst.experts <= (options.exactMaxVariables ?? SOLVE_DEFAULTS.exactMaxVariables);
  const exactWanted = solver === 'glpk' || (solver === 'auto' && small && heuristic.status !== 'optimal');
  if (!exactWanted) return heuristic;
  return solveExact(inst, heuristic, { explicit: solver === 'glpk', deadline, signal: options.signal, clock });
}

function runHeuristic(inst: Instance, problem: AssignmentProblem, options: SolveOptions, net: SafetyNet, clock: SolveClock): AssignmentResult {
  const outcome = solveHeuristic(inst, {
    net,
    seed: problem.seed + problem.round,
    warmPrices: options.warmStart?.prices,
    warmChoice: warmChoice(inst, problem, options.warmStart),
  });
  const violated = outcome.state.violation() > 0;
  const infeasibility = violated ? infeasibilityReason(inst) : null;
  const notes = [`${outcome.sweeps} price sweeps`];
  if (net.reason === 'deadline') notes.push('time limit reached: the search was cut short (answer depends on timing)');
  if (net.reason === 'aborted') notes.push('aborted: the search was cut short');
  if (violated && infeasibility === null && net.reason === null) notes.push('bounds not reached and not proved infeasible: the repair ran out of work');
  const result = buildResult(inst, outcome.state.toLists(), {
    solver: 'lagrangian',
    status: 'heuristic',
    bound: outcome.bound,
    prices: outcome.prices,
    notes,
    started: clock,
    timedOut: net.reason === 'deadline',
    infeasibility,
  });
  return result.status === 'heuristic' && result.gap <= OPTIMAL_GAP ? { ...result, status: 'optimal' } : result;
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

interface ExactContext {
  explicit: boolean;
  deadline: number;
  signal?: AbortSignal;
  clock: SolveClock;
}

/**
 * glpk.js on the exact elastic MIP until the safety net. Only a proved optimum is used: glpk stops
 * short only at its time limit, and a time-out always yields the heuristic's (deterministic) answer.
 */
async function solveExact(inst: Instance, heuristic: AssignmentResult, ctx: ExactContext): Promise<AssignmentResult> {
  const keep = (why: string, how: 'fallback' | 'timeout' | 'aborted' = 'fallback'): AssignmentResult => ({
    ...heuristic,
    status: how === 'timeout' ? 'timeout' : how === 'fallback' && ctx.explicit && heuristic.status !== 'elastic' ? 'fallback' : heuristic.status,
    timedOut: how === 'timeout',
    ...elapsed(ctx.clock),
    notes: [...heuristic.notes, why],
  });
  if (inst.clients * inst.experts > GLPK_MAX_VARIABLES) return keep('glpk: instance too large for glpk.js');
  const remaining = (ctx.deadline - performance.now()) / 1000;
  if (remaining <= 0) return keep('glpk: time limit reached before it could start', 'timeout');
  const outcome = await runGlpk(inst, { hardLimitSeconds: remaining, signal: ctx.signal });
  if (outcome.kind === 'aborted') return keep('glpk: aborted', 'aborted');
  if (outcome.kind === 'abandoned') return keep(`glpk: abandoned at the time limit after ${outcome.seconds.toFixed(2)} s`, 'timeout');
  if (outcome.kind === 'error') return keep(`glpk: failed (${outcome.message})`);
  const { status, vars, z } = outcome.reply;
  if (status !== GLP.OPT) return keep(`glpk: stopped at its time limit without a proved optimum (status ${status})`, 'timeout');
  const lists = readAssignment(inst, vars);
  if (!lists) return keep('glpk: answer did not respect the capacities');
  const exact = buildResult(inst, lists, {
    solver: 'glpk',
    status: 'optimal',
    bound: z,
    prices: heuristic.prices,
    notes: ['glpk: proved optimal'],
    started: ctx.clock,
  });
  const withWorker = { ...exact, cpuSeconds: exact.cpuSeconds + outcome.reply.cpuSeconds };
  if (exact.violation === 0) return withWorker;
  const proof = infeasibilityReason(inst) ?? `the exact MIP proves the least violation is ${exact.violation.toFixed(2)} samples`;
  return { ...withWorker, infeasibility: proof };
}
