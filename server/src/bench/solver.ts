/**
 * The solver benchmark: the flexmoe solve (auto) on realistic generated instances of 100x16,
 * 1,000x64 and 10,000x128 clients x experts, against greedy (balance) and glpk.js under a time
 * limit (time and quality), all measured in this run; and glpk.js exact on 10x8.
 */
import type { BenchRow } from '@flexmoe/shared';
import { generateProblem } from '../assignment/generator';
import { GLP, readAssignment } from '../assignment/glpk-model';
import { runGlpk } from '../assignment/glpk-runner';
import { toInstance } from '../assignment/instance';
import { solveAssignment } from '../assignment/solve';
import type { AssignmentProblem, AssignmentResult } from '../assignment/types';
import { summarizeLoad } from '../fitness/load-metrics';

const SIZES: readonly [number, number][] = [[100, 16], [1000, 64], [10000, 128]];
/** glpk.js's model objects take about 1 KB per variable (1.2 GB at 10,000 x 128): not attempted beyond this. */
const GLPK_BENCH_MAX_VARIABLES = 200_000;

/** Runs the solver suite (`quick`: one timing run each and a 1 s glpk.js limit). */
export async function runSolverSuite(opts: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const glpkLimit = opts.quick ? 1 : 5;
  const repeats = opts.quick ? 1 : 3;
  const rows: BenchRow[] = [await exactRow()];
  for (const [clients, experts] of SIZES) rows.push(await sizeRow(clients, experts, repeats, glpkLimit));
  return rows;
}

/** Best of `repeats` solves (first one warms the JIT when repeats > 1). */
async function timed(problem: AssignmentProblem, repeats: number): Promise<AssignmentResult> {
  let best: AssignmentResult | null = null;
  for (let i = 0; i < repeats; i++) {
    const r = await solveAssignment(problem, { solver: 'auto', timeLimitSeconds: 10 });
    if (best === null || r.seconds < best.seconds) best = r;
  }
  return best!;
}

async function sizeRow(clients: number, experts: number, repeats: number, glpkLimit: number): Promise<BenchRow> {
  const problem = generateProblem({ clients, experts, seed: 1 });
  const ours = await timed(problem, repeats);
  const greedy = await solveAssignment(problem, { solver: 'greedy' });
  const glpk = await glpkAlone(problem, glpkLimit);
  const oursLoad = summarizeLoad(ours.load);
  const greedyLoad = summarizeLoad(greedy.load);
  return {
    suite: 'solver',
    name: `solve ${clients}x${experts}: flexmoe auto vs glpk.js (${glpkLimit} s limit), time`,
    batch: null,
    value: ours.seconds,
    unit: 's',
    baseline: glpk.seconds,
    ratio: glpk.seconds === null ? null : ours.seconds / glpk.seconds,
    status: ours.status,
    solverPath: ours.solver,
    gap: ours.gap,
    objective: ours.objective,
    upperBound: ours.upperBound,
    violation: ours.violation,
    loadCV: oursLoad.cv,
    loadMaxOverMean: oursLoad.maxOverMean,
    greedyLoadCV: greedyLoad.cv,
    greedyLoadMaxOverMean: greedyLoad.maxOverMean,
    greedyObjective: greedy.objective,
    glpkStatus: glpk.status,
    glpkObjective: glpk.objective,
    glpkGap: glpk.objective === null ? null : (ours.upperBound - glpk.objective) / ours.upperBound,
  };
}

/** glpk.js alone (exact model, elastic) under a hard limit: its time, status and objective. */
async function glpkAlone(problem: AssignmentProblem, limit: number): Promise<{ seconds: number | null; status: string; objective: number | null }> {
  const inst = toInstance(problem);
  if (inst.clients * inst.experts > GLPK_BENCH_MAX_VARIABLES) {
    return { seconds: null, status: `not run: ${inst.clients * inst.experts} variables exceed what glpk.js can hold`, objective: null };
  }
  const outcome = await runGlpk(inst, { hardLimitSeconds: limit });
  if (outcome.kind !== 'answer') return { seconds: outcome.seconds, status: `no answer (${outcome.kind})`, objective: null };
  const lists = readAssignment(inst, outcome.reply.vars);
  const status = outcome.reply.status === GLP.OPT ? 'optimal' : outcome.reply.status === GLP.FEAS ? 'feasible' : `no answer (status ${outcome.reply.status})`;
  if (!lists) return { seconds: outcome.seconds, status, objective: null };
  let objective = 0;
  lists.forEach((experts, c) => experts.forEach((e) => (objective += inst.qRaw[c * inst.experts + e])));
  return { seconds: outcome.seconds, status, objective };
}

/** glpk.js proves the optimum of a 10x8 instance; the heuristic's time and gap are the comparison. */
async function exactRow(): Promise<BenchRow> {
  const problem = generateProblem({ clients: 10, experts: 8, seed: 1 });
  // The first solve pays for the worker thread and the WASM compile; the second is a round's cost.
  const cold = await solveAssignment(problem, { solver: 'glpk', timeLimitSeconds: 10 });
  const exact = await solveAssignment(problem, { solver: 'glpk', timeLimitSeconds: 10 });
  const heuristic = await solveAssignment(problem, { solver: 'heuristic' });
  return {
    suite: 'solver',
    name: 'solve 10x8: glpk.js exact vs heuristic, time',
    batch: null,
    value: exact.seconds,
    unit: 's',
    baseline: heuristic.seconds,
    ratio: exact.seconds / heuristic.seconds,
    status: exact.status,
    coldSeconds: cold.seconds,
    gap: exact.gap,
    objective: exact.objective,
    heuristicObjective: heuristic.objective,
    heuristicShortfall: (exact.objective - heuristic.objective) / exact.objective,
    loadCV: summarizeLoad(exact.load).cv,
  };
}
