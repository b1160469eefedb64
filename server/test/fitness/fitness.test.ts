import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeficitTracker } from '../../src/fitness/deficits';
import { FitnessMatrix } from '../../src/fitness/fitness-matrix';
import { loadBounds } from '../../src/fitness/bounds';
import { assignedLoad, routedLoad, summarizeLoad } from '../../src/fitness/load-metrics';

test('new clients start at q0 and only trained pairs move by the EMA', () => {
  const q = new FitnessMatrix({ experts: 3, beta: 0.5, signal: 'loss', normalize: false, exploreAfter: 0 });
  assert.deepEqual(q.row('a'), [1, 1, 1]);
  q.update('a', [{ expert: 1, loss: 0.5, accuracy: 0.9 }]);
  const s = Math.exp(-0.5);
  assert.deepEqual(q.row('a'), [1, 0.5 * 1 + 0.5 * s, 1]);
  q.update('a', [{ expert: 1, loss: 0.5, accuracy: 0.9 }]);
  assert.ok(Math.abs(q.row('a')[1] - (0.5 * (0.5 + 0.5 * s) + 0.5 * s)) < 1e-15);
  const acc = new FitnessMatrix({ experts: 2, signal: 'accuracy', beta: 0.25, q0: 0.5, normalize: false });
  acc.update('b', [{ expert: 0, loss: 3, accuracy: 0.9 }]);
  assert.deepEqual(acc.row('b'), [0.75 * 0.5 + 0.25 * 0.9, 0.5]);
});

test('a bad report leaves Q untouched', () => {
  const q = new FitnessMatrix({ experts: 2, signal: 'loss' });
  q.update('a', [{ expert: 0, loss: 1, accuracy: 0.5 }]);
  const before = q.row('a');
  assert.throws(
    () =>
      q.update('a', [
        { expert: 1, loss: 1, accuracy: 1 },
        { expert: 2, loss: 1, accuracy: 1 },
      ]),
    /expert 2/,
  );
  assert.throws(() => q.update('a', [{ expert: 1, loss: NaN, accuracy: 1 }]), /not finite/);
  assert.deepEqual(q.row('a'), before);
});

test('fitness and deficits round-trip through JSON and reject malformed checkpoints', () => {
  const q = new FitnessMatrix({ experts: 2, beta: 0.3, signal: 'accuracy', exploreAfter: 3 });
  q.update('x', [{ expert: 1, loss: 0, accuracy: 0.2 }]);
  const back = FitnessMatrix.fromJSON(JSON.parse(JSON.stringify(q)));
  assert.deepEqual(back.row('x'), q.row('x'));
  assert.equal(back.exploreAfter, 3);
  assert.equal(back.normalize, true);
  const legacy = FitnessMatrix.fromJSON({ experts: 2, beta: 0.5, q0: 1, signal: 'loss', alphaL: 1, rows: {} });
  assert.equal(legacy.normalize, false, 'a checkpoint from before normalisation keeps raw scores');
  assert.equal(back.beta, 0.3);
  assert.throws(() => FitnessMatrix.fromJSON({ ...q.toJSON(), rows: { x: [1] } }), /rows\.x/);
  assert.throws(() => FitnessMatrix.fromJSON({ ...q.toJSON(), beta: 2 }), /beta/);
  const d = new DeficitTracker(2, 0.5);
  d.record([100, 300]);
  const dBack = DeficitTracker.fromJSON(JSON.parse(JSON.stringify(d)));
  assert.deepEqual(dBack.deficits, d.deficits);
  assert.throws(() => DeficitTracker.fromJSON({ decay: 0.5, deficits: ['a'] }), /deficits/);
});

test('deficits decay and raise the bounds of under-loaded experts', () => {
  const d = new DeficitTracker(2, 0.5);
  d.record([100, 300]);
  assert.deepEqual(d.deficits, [0.5, -0.5]);
  d.record([200, 200]);
  assert.deepEqual(d.deficits, [0.25, -0.25]);
  const b = loadBounds([100, 100], [1, 1], 2, { delta: 0.1, gamma: 1, deficits: d.deficits });
  assert.equal(b.share, 100);
  assert.ok(b.lower[0] > b.lower[1] && b.upper[0] > b.upper[1]);
});

test('load bounds stay ordered and feasible in sum even for extreme deficits', () => {
  for (const deficits of [
    [50, -50, 0],
    [100, 100, 100],
    [-100, -100, 5],
  ]) {
    const b = loadBounds([10, 20, 30], [1, 2, 1], 3, { delta: 0.2, gamma: 1, deficits });
    const total = 10 + 40 + 30;
    assert.ok(b.lower.every((l, e) => l >= 0 && l <= b.upper[e]));
    assert.ok(b.lower.reduce((a, x) => a + x, 0) <= total + 1e-9);
    assert.ok(b.upper.reduce((a, x) => a + x, 0) >= total - 1e-9);
  }
});

test('load metrics: assigned and routed loads, CV and max/mean', () => {
  const load = assignedLoad([[0, 1], [1]], [10, 30], 3);
  assert.deepEqual(load, [10, 40, 0]);
  const s = summarizeLoad(load);
  const mean = 50 / 3;
  const std = Math.sqrt(((10 - mean) ** 2 + (40 - mean) ** 2 + mean ** 2) / 3);
  assert.ok(Math.abs(s.cv - std / mean) < 1e-12);
  assert.ok(Math.abs(s.maxOverMean - 40 / mean) < 1e-12);
  assert.deepEqual(
    routedLoad(
      [
        [{ expert: 0, routed: 4 }],
        [
          { expert: 0, routed: 1 },
          { expert: 2, routed: 7 },
        ],
      ],
      3,
    ),
    [5, 0, 7],
  );
  assert.equal(summarizeLoad([0, 0]).cv, 0);
});
