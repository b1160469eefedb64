import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProblem } from '../../src/assignment/generator';
import { toInstance } from '../../src/assignment/instance';
import { Ranking } from '../../src/assignment/ranking';
import { PriceStepper } from '../../src/assignment/prices';
import { Rng } from '../../src/assignment/rng';
import { crossingValue } from '../../src/assignment/select';

test('ranking lists stay the exact top k+1 as single prices move', () => {
  const inst = toInstance(generateProblem({ clients: 40, experts: 7, seed: 2 }));
  const prices = new Float64Array(7);
  const ranking = new Ranking(inst, prices);
  const rng = new Rng(11);
  for (let step = 0; step < 300; step++) {
    ranking.setPrice(rng.int(7), (rng.next() - 0.5) * 1e-3);
    for (let c = 0; c < inst.clients; c++) {
      const reduced = Array.from({ length: 7 }, (_, e) => inst.q[c * 7 + e] - inst.samples[c] * prices[e]);
      const order = reduced.map((_, e) => e).sort((a, b) => reduced[b] - reduced[a]);
      const k = inst.capacity[c];
      assert.deepEqual([...ranking.choice(c)].sort(), order.slice(0, k).sort(), `client ${c} step ${step}`);
      const e = order[0];
      const others = order.filter((x) => x !== e).map((x) => reduced[x]);
      const expected = k >= 7 ? -Infinity : others[k - 1];
      assert.equal(ranking.threshold(c, e), expected);
    }
  }
});

test('crossingValue finds the breakpoint a sort finds', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 200; trial++) {
    const len = 1 + rng.int(30);
    const v = Float64Array.from({ length: len }, () => Math.round(rng.next() * 10) / 10);
    const w = Float64Array.from({ length: len }, () => 1 + rng.int(5));
    const target = rng.next() * 40;
    const order = Array.from({ length: len }, (_, i) => i).sort((a, b) => v[b] - v[a]);
    let acc = 0;
    let expected = NaN;
    for (const i of order) {
      acc += w[i];
      if (acc > target) {
        expected = v[i];
        break;
      }
    }
    assert.equal(crossingValue(Float64Array.from(v), Float64Array.from(w), len, target, false), expected);
  }
});

test('price sweeps never raise the Lagrangian bound', () => {
  const inst = toInstance(generateProblem({ clients: 200, experts: 16, seed: 6 }));
  const ranking = new Ranking(inst, new Float64Array(16));
  const stepper = new PriceStepper(inst, ranking);
  let bound = ranking.dualValue();
  for (let i = 0; i < 8; i++) {
    stepper.sweep();
    const next = ranking.dualValue();
    assert.ok(next <= bound + 1e-9 * Math.abs(bound), `sweep ${i}: ${next} > ${bound}`);
    bound = next;
  }
});
