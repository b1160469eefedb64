/**
 * The solver benchmark: the flexmoe solve (auto) on realistic generated instances of 100x16,
 * 1,000x64 and 10,000x128 clients x experts, against greedy (balance) and glpk.js under a time
 * limit (time and quality), all measured in this run; and glpk.js exact on 10x8.
 */
import type { BenchRow } from '@flexmoe/shared';
import { generateProblem } from '../assignment/generator';
import { solveAssignment } from '../assignment/solve';
import type { AssignmentProblem, AssignmentResult } from '../assignment/types';
import { summarizeLoad } from '../fitness/load-metrics';

const SIZES: readonly [number, number][] = [[100, 16], [1000, 64], [10000, 128]];

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
  const glpk = await solveAssignment(problem, { solver: 'glpk', timeLimitSeconds: glpkLimit });
  const glpkFound = glpk.solver === 'glpk';
  // When glpk.js was not even attempted (too large) there is no baseline time to compare.
  const glpkTried = !glpk.notes.some((n) => n.includes('too large'));
  const oursLoad = summarizeLoad(ours.load);
  const greedyLoad = summarizeLoad(greedy.load);
  return {
    suite: 'solver',
    name: `solve ${clients}x${experts}: flexmoe auto vs glpk.js (${glpkLimit} s limit), time`,
    batch: null,
    value: ours.seconds,
    unit: 's',
    baseline: glpkTried ? glpk.seconds : null,
    ratio: glpkTried ? ours.seconds / glpk.seconds : null,
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
    glpkStatus: glpkFound ? glpk.status : `no glpk answer (${glpk.notes.filter((n) => n.startsWith('glpk')).join('; ')})`,
    glpkGap: glpkFound ? (ours.upperBound - glpk.objective) / ours.upperBound : null,
  };
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
