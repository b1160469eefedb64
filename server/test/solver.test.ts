import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProblem, runGlpk, solveAssignment, toInstance, type AssignmentProblem, type AssignmentResult } from '../src/assignment';
import { Rng } from '../src/assignment/rng';

/** A random small problem with integer sample counts (so elastic answers are exact lexicographically). */
function smallProblem(seed: number, clients: number, experts: number, maxK: number): AssignmentProblem {
  const rng = new Rng(seed);
  return {
    clients: Array.from({ length: clients }, (_, c) => ({ id: `c${c}`, samples: 1 + rng.int(50), capacity: 1 + rng.int(maxK) })),
    experts,
    q: Array.from({ length: clients }, () => Array.from({ length: experts }, () => Math.round(rng.next() * 100) / 100)),
    round: 0,
    seed,
  };
}

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) {
    for (const rest of subsets(n - first - 1, k - 1)) out.push([first, ...rest.map((x) => x + first + 1)]);
  }
  return out;
}

/** Enumerates every assignment: least violation first, then most fitness. */
function bruteForce(p: AssignmentProblem, lower: number[], upper: number[]): { violation: number; objective: number } {
  const options = p.clients.map((c) => subsets(p.experts, c.capacity));
  let best = { violation: Infinity, objective: -Infinity };
  const load = new Array<number>(p.experts).fill(0);
  const visit = (c: number, objective: number): void => {
    if (c === p.clients.length) {
      let violation = 0;
      load.forEach((l, e) => (violation += Math.max(0, l - upper[e]) + Math.max(0, lower[e] - l)));
      if (violation < best.violation - 1e-9 || (Math.abs(violation - best.violation) <= 1e-9 && objective > best.objective)) best = { violation, objective };
      return;
    }
    for (const set of options[c]) {
      for (const e of set) load[e] += p.clients[c].samples;
      visit(c + 1, objective + set.reduce((a, e) => a + p.q[c][e], 0));
      for (const e of set) load[e] -= p.clients[c].samples;
    }
  };
  visit(0, 0);
  return best;
}

function assertValid(p: AssignmentProblem, r: AssignmentResult): void {
  assert.equal(r.assignment.length, p.clients.length);
  const load = new Array<number>(p.experts).fill(0);
  let violation = 0;
  r.assignment.forEach((experts, c) => {
    assert.equal(new Set(experts).size, p.clients[c].capacity, `client ${c} must hold exactly k_c distinct experts`);
    for (const e of experts) {
      assert.ok(Number.isInteger(e) && e >= 0 && e < p.experts);
      load[e] += p.clients[c].samples;
    }
  });
  load.forEach((l, e) => (violation += Math.max(0, l - r.upper[e]) + Math.max(0, r.lower[e] - l)));
  assert.deepEqual(r.load, load);
  assert.ok(Math.abs(violation - r.violation) < 1e-6, 'reported violation matches the loads');
  if (violation > 1e-9) assert.equal(r.status, 'elastic');
  assert.ok(r.upperBound >= r.objective - 1e-6 && r.gap >= 0);
}

test('auto matches the brute-force optimum (or least violation) on enumerable instances', async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const p = smallProblem(seed, 4 + (seed % 2), 4, 2);
    const r = await solveAssignment(p);
    assertValid(p, r);
    const best = bruteForce(p, r.lower, r.upper);
    assert.ok(Math.abs(r.violation - best.violation) < 1e-6, `seed ${seed}: violation ${r.violation} vs ${best.violation}`);
    assert.ok(Math.abs(r.objective - best.objective) < 1e-6, `seed ${seed}: objective ${r.objective} vs ${best.objective}`);
  }
});

test('every path respects capacities exactly and the bounds or reports the violation', async () => {
  for (let seed = 1; seed <= 6; seed++) {
    const p = generateProblem({ clients: 20 + 5 * seed, experts: 8, seed });
    for (const solver of ['heuristic', 'greedy', 'random'] as const) assertValid(p, await solveAssignment(p, { solver }));
  }
  const big = generateProblem({ clients: 400, experts: 32, seed: 9 });
  const r = await solveAssignment(big);
  assertValid(big, r);
  assert.equal(r.violation, 0, 'a large realistic instance is feasible');
});

test('infeasible and degenerate instances return an answer, not an exception', async () => {
  const one = smallProblem(3, 1, 5, 2);
  const all = { ...smallProblem(4, 6, 3, 1), clients: smallProblem(4, 6, 3, 1).clients.map((c) => ({ ...c, capacity: 3 })) };
  const giant = smallProblem(5, 6, 4, 1);
  const oversized = { ...giant, clients: giant.clients.map((c, i) => (i === 0 ? { ...c, samples: 10_000 } : c)) };
  const fewClients = smallProblem(6, 2, 8, 1);
  for (const p of [one, all, oversized, fewClients]) {
    for (const solver of ['auto', 'heuristic'] as const) {
      const r = await solveAssignment(p, { solver });
      assertValid(p, r);
    }
  }
  const r = await solveAssignment(oversized, { solver: 'heuristic' });
  assert.equal(r.status, 'elastic');
  assert.ok(r.violation > 0);
  const e2 = await solveAssignment(all);
  assert.equal(e2.violation, 0, 'E = k_c for all clients: every expert carries the same load');
});

test('explicit bounds win and are used as given', async () => {
  const p = generateProblem({ clients: 50, experts: 8, seed: 2 });
  const total = p.clients.reduce((a, c) => a + c.samples * c.capacity, 0);
  const lower = new Array<number>(8).fill(0);
  const upper = new Array<number>(8).fill(total);
  const r = await solveAssignment({ ...p, lower, upper }, { solver: 'heuristic' });
  assert.deepEqual(r.upper, upper);
  const greedy = await solveAssignment({ ...p, lower, upper }, { solver: 'greedy' });
  assert.ok(Math.abs(r.objective - greedy.objective) < 1e-6, 'with loose bounds the optimum is the greedy top-k');
});

test('the same seed gives the same assignment', async () => {
  const p = generateProblem({ clients: 150, experts: 16, seed: 7 });
  const a = await solveAssignment(p, { solver: 'heuristic' });
  const b = await solveAssignment(p, { solver: 'heuristic' });
  assert.deepEqual(a.assignment, b.assignment);
  const tie = { ...p, q: p.q.map((row) => row.map(() => 1)) };
  const t1 = await solveAssignment(tie, { solver: 'heuristic' });
  const t2 = await solveAssignment(tie, { solver: 'heuristic' });
  assert.deepEqual(t1.assignment, t2.assignment);
  assert.equal(t1.violation, 0, 'all-equal Q (new clients) still spreads the load within bounds');
});

test('malformed problems are rejected naming the field', async () => {
  const p = smallProblem(1, 3, 4, 2);
  await assert.rejects(solveAssignment({ ...p, q: [p.q[0], p.q[1].slice(1), p.q[2]] }), /q\[1\] must have 4 entries/);
  await assert.rejects(solveAssignment({ ...p, q: [p.q[0], [NaN, 1, 1, 1], p.q[2]] }), /q\[1\]\[0\] must be a finite number/);
  await assert.rejects(solveAssignment({ ...p, clients: p.clients.map((c, i) => (i === 2 ? { ...c, capacity: 5 } : c)) }), /capacity\[2\]/);
  await assert.rejects(solveAssignment({ ...p, clients: p.clients.map((c, i) => (i === 0 ? { ...c, samples: -1 } : c)) }), /samples\[0\]/);
});

test('glpk is abandoned at the hard deadline and the solve falls back', async () => {
  const p = generateProblem({ clients: 1500, experts: 32, seed: 3 });
  const outcome = await runGlpk(toInstance(p), { hardLimitSeconds: 0.4, glpkLimitSeconds: 60 });
  assert.equal(outcome.kind, 'abandoned');
  const r = await solveAssignment(p, { solver: 'glpk', timeLimitSeconds: 0.6 });
  assertValid(p, r);
  assert.equal(r.status, 'timeout', 'glpk cut by the time limit: the answer says so');
  assert.equal(r.timedOut, true);
  assert.equal(r.solver, 'lagrangian', 'the time-out falls back to the heuristic answer');
  assert.equal(r.violation, 0);
  assert.ok(
    r.notes.some((n) => n.startsWith('glpk')),
    r.notes.join('; '),
  );
  const heuristic = await solveAssignment(p, { solver: 'heuristic' });
  assert.deepEqual(r.assignment, heuristic.assignment, 'the fallback is the deterministic heuristic answer');
});

test('the reported upper bound is never below the proved optimum', async () => {
  for (let seed = 1; seed <= 4; seed++) {
    const p = generateProblem({ clients: 10, experts: 5, seed });
    const heuristic = await solveAssignment(p, { solver: 'heuristic' });
    const exact = await solveAssignment(p, { solver: 'glpk', timeLimitSeconds: 10 });
    if (exact.status !== 'optimal') continue;
    assert.ok(heuristic.upperBound >= exact.objective - 1e-6, `seed ${seed}: bound ${heuristic.upperBound} < optimum ${exact.objective}`);
    assert.ok(heuristic.objective <= exact.objective + 1e-6);
  }
});

test('an abort returns the heuristic answer instead of waiting for glpk', async () => {
  const p = generateProblem({ clients: 10, experts: 6, seed: 2 });
  const controller = new AbortController();
  controller.abort();
  const r = await solveAssignment(p, { solver: 'glpk', signal: controller.signal, timeLimitSeconds: 30 });
  assertValid(p, r);
  assert.equal(r.solver, 'lagrangian');
  assert.ok(
    r.notes.some((n) => n.includes('aborted')),
    r.notes.join('; '),
  );
});
