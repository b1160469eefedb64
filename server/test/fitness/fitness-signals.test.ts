import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FitnessMatrix } from '../../src/fitness/fitness-matrix';
import { balancedLoads, minimalLoadCv } from '../../src/fitness/balanced-load';
import { achievableLoadBounds, loadBounds } from '../../src/fitness/bounds';
import { summarizeLoad } from '../../src/fitness/load-metrics';

test('an expert with no routed samples gets no score: its Q keeps its value', () => {
  for (const signal of ['loss', 'accuracy', 'expert-loss', 'expert-accuracy'] as const) {
    const q = new FitnessMatrix({ experts: 3, signal, normalize: false, exploreAfter: 0 });
    q.update('a', [
      { expert: 0, usage: 50, loss: 0.5, accuracy: 0.8, ownLoss: 0.6, ownAccuracy: 0.7 },
      { expert: 2, usage: 0, loss: 0, accuracy: 0, ownLoss: 0, ownAccuracy: 0 },
    ]);
    const row = q.row('a');
    assert.equal(row[2], 1, `${signal}: the unrouted expert keeps q0`);
    assert.ok(row[0] < 1, `${signal}: the routed expert is scored`);
  }
});

test("expert-* signals use the expert's own statistics and skip reports without them", () => {
  const q = new FitnessMatrix({ experts: 2, signal: 'expert-loss', normalize: false, beta: 1, exploreAfter: 0 });
  q.update('a', [
    { expert: 0, usage: 10, loss: 0.1, accuracy: 1, ownLoss: 2 },
    { expert: 1, usage: 10, loss: 0.1, accuracy: 1 },
  ]);
  assert.deepEqual(q.row('a'), [Math.exp(-2), 1]);
  const acc = new FitnessMatrix({ experts: 2, signal: 'expert-accuracy', normalize: false, beta: 1, exploreAfter: 0 });
  acc.update('a', [{ expert: 1, usage: 10, loss: 0.1, accuracy: 1, ownLoss: 1, ownAccuracy: 0.25 }]);
  assert.deepEqual(acc.row('a'), [1, 0.25]);
});

test("normalised Q ranks a client's experts by fit, not by when they were last trained", () => {
  // Expert 0 fits better than expert 1 (lower loss in the same round), but expert 1 is trained
  // late, when every loss has fallen. Raw scores reward the recency; normalised ones the fit.
  const reports = (round: number, experts: number[]) =>
    experts.map((e) => ({ expert: e, usage: 100, loss: 0, accuracy: 0, ownLoss: (e === 0 ? 0.5 : 0.8) / round, ownAccuracy: 0 }));
  const run = (normalize: boolean) => {
    const q = new FitnessMatrix({ experts: 3, normalize, exploreAfter: 0 });
    q.update('a', reports(1, [0, 2]));
    q.update('a', reports(8, [1, 2]));
    return q.row('a');
  };
  const raw = run(false);
  const norm = run(true);
  assert.ok(raw[1] > raw[0], `raw Q prefers the recently trained expert: ${raw.join(', ')}`);
  assert.ok(norm[0] > norm[1], `normalised Q prefers the better fit: ${norm.join(', ')}`);
});

test('a pair left unassigned for exploreAfter rounds is raised back to q0 and then retried by greedy choice', () => {
  const q = new FitnessMatrix({ experts: 3, beta: 1, normalize: false, exploreAfter: 3, signal: 'expert-accuracy' });
  q.update('a', [{ expert: 2, usage: 10, loss: 1, accuracy: 0, ownLoss: 1, ownAccuracy: 0.1 }]);
  assert.equal(q.row('a')[2], 0.1);
  for (let round = 0; round < 2; round++) q.update('a', [{ expert: 0, usage: 10, loss: 1, accuracy: 0, ownLoss: 1, ownAccuracy: 0.9 }]);
  assert.equal(q.row('a')[2], 0.1, 'not yet');
  q.update('a', [{ expert: 0, usage: 10, loss: 1, accuracy: 0, ownLoss: 1, ownAccuracy: 0.9 }]);
  assert.equal(q.row('a')[2], 1, 'raised to q0 after 3 rounds away');
});

test('equal clients, C k not divisible by E: the bounds admit the most balanced integer assignment', () => {
  const samples = new Array<number>(10).fill(6000);
  const capacity = new Array<number>(10).fill(2);
  const { load, assignment } = balancedLoads(samples, capacity, 8);
  assert.deepEqual([...load].sort(), [12000, 12000, 12000, 12000, 18000, 18000, 18000, 18000]);
  assert.ok(assignment.every((a) => a.length === 2 && a[0] !== a[1]));
  assert.ok(Math.abs(minimalLoadCv(samples, capacity, 8) - 0.2) < 1e-12);
  const deficits = [0.3, -0.2, 0.1, 0, -0.4, 0.2, 0.05, -0.05];
  const b = achievableLoadBounds(samples, capacity, 8, { delta: 0.1, gamma: 0.1, deficits });
  const plain = loadBounds(samples, capacity, 8, { delta: 0.1, gamma: 0.1, deficits });
  assert.ok(
    plain.upper.every((u) => u < 18000),
    'the plain band admits no integer solution',
  );
  // The band T +- 10% = [13500, 16500] holds no multiple of 6000: every expert may carry 2 or 3
  // clients, and the sum fixes four of each (CV 0.2, the minimum) while Q picks which.
  assert.ok(b.lower.every((l) => l <= 12000) && b.upper.every((u) => u >= 18000), `${b.lower.join(', ')} / ${b.upper.join(', ')}`);
  assert.ok(b.lower.every((l) => l > 6000) && b.upper.every((u) => u < 24000), 'no expert may take 1 or 4 clients');
});

test('unequal clients: the constructed assignment is within its own bounds and no worse than a naive deal', () => {
  const samples = [9000, 7000, 6500, 4000, 3000, 2500, 1200, 800, 500, 300];
  const capacity = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
  const { load } = balancedLoads(samples, capacity, 8);
  const total = load.reduce((a, b) => a + b, 0);
  assert.equal(total, 2 * samples.reduce((a, b) => a + b, 0));
  const naive = new Array<number>(8).fill(0);
  samples.forEach((n, c) => {
    naive[(2 * c) % 8] += n;
    naive[(2 * c + 1) % 8] += n;
  });
  assert.ok(summarizeLoad(load).cv <= summarizeLoad(naive).cv);
  const b = achievableLoadBounds(samples, capacity, 8);
  const sorted = [...load].sort((x, y) => y - x);
  assert.ok(sorted.every((l) => b.lower.some((lo, e) => lo <= l && l <= b.upper[e])));
});
