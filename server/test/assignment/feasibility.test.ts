import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProblem } from '../../src/assignment/generator';
import { infeasibilityReason } from '../../src/assignment/feasibility';
import { toInstance } from '../../src/assignment/instance';
import { solveAssignment } from '../../src/assignment/solve';
import type { AssignmentProblem } from '../../src/assignment/types';

/** A problem with the given sizes, capacities and explicit bounds (Q all equal). */
function problem(samples: number[], capacity: number[], lower: number[], upper: number[]): AssignmentProblem {
  const E = lower.length;
  return {
    clients: samples.map((n, c) => ({ id: `c${c}`, samples: n, capacity: capacity[c] })),
    experts: E,
    q: samples.map(() => new Array<number>(E).fill(0.5)),
    round: 0,
    seed: 1,
    lower,
    upper,
  };
}

const reason = (p: AssignmentProblem): string | null => infeasibilityReason(toInstance(p));

test('each proof of infeasibility fires on an instance it covers, and none on a feasible one', () => {
  assert.match(reason(problem([10, 10], [1, 1], [15, 15], [30, 30]))!, /lower bounds sum to 30 .* above the 20/);
  assert.match(reason(problem([10, 10], [1, 1], [0, 0], [5, 12]))!, /upper bounds sum to 17 .* below the 20/);
  assert.match(reason(problem([100, 10, 10], [2, 1, 1], [0, 0, 0], [100, 99, 99]))!, /client 0 must place 100 samples on 2 experts, but only 1/);
  assert.match(reason(problem([10, 10, 10, 10], [1, 1, 1, 1], [25, 1, 1, 1], [40, 40, 40, 40]))!, /at least 6 client-expert pairs but the clients have 4/);
  assert.match(reason(problem([2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1], [5, 6], [5.9, 8]))!, /multiple of 2 .* none lies in \[5, 5.90\]/);
  assert.match(reason(problem([5, 7, 11], [1, 1, 1], [8, 8], [10, 15]))!, /no subset of the client sizes sums into expert 0's bounds \[8, 10\]/);
  assert.equal(reason(problem([5, 7, 11], [1, 1, 1], [10, 10], [13, 13])), null, 'loads 12 and 11 fit');
  assert.equal(reason(generateProblem({ clients: 200, experts: 16, seed: 3 })), null);
});

test('an elastic answer always carries its proof, and a feasible instance is never answered elastic', async () => {
  const infeasible = problem([2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1], [5, 6], [5.9, 8]);
  const r = await solveAssignment(infeasible, { solver: 'heuristic' });
  assert.equal(r.status, 'elastic');
  assert.match(r.infeasibility!, /multiple of 2/);
  // Generated feasible instances (glpk.js finds zero violation) that the single-move repair left
  // elastic: one expert must shed a large client and gather several small ones.
  for (const seed of [30, 41]) {
    const p = generateProblem({ clients: 20, experts: 8, seed });
    const r = await solveAssignment(p, { solver: 'heuristic' });
    const load = new Array<number>(8).fill(0);
    r.assignment.forEach((experts, c) => experts.forEach((e) => (load[e] += p.clients[c].samples)));
    load.forEach((l, e) => assert.ok(l >= r.lower[e] && l <= r.upper[e], `seed ${seed}: expert ${e} load ${l} within [${r.lower[e]}, ${r.upper[e]}]`));
    assert.equal(r.status, 'heuristic');
    assert.equal(r.infeasibility, null);
  }
});
