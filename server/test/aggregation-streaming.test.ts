/**
 * Streaming aggregation refuses a malformed update as a whole: a missing or mis-sized tensor of
 * any group (backbone or an expert), an unknown expert, or a bad weight throws before any running
 * sum moves, so the updates folded before it still aggregate to exactly what they would alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NormHistory } from '../src/aggregation/norms';
import { RobustAggregator } from '../src/aggregation/robust';
import { StreamingAggregator, type AggregatableUpdate } from '../src/aggregation/streaming';
import { DEFAULT_NORM_POLICY } from '../src/coordinator/coordinator';

const current = {
  'backbone.a': Float32Array.from([0, 0]),
  'backbone.b': Float32Array.from([0]),
  'gate.w': Float32Array.from([9]),
  'expert.0.w': Float32Array.from([1]),
  'expert.1.w': Float32Array.from([2]),
};

function update(samples: number, experts: Array<[number, number]>, params: Record<string, number[]>): AggregatableUpdate {
  return {
    samples,
    experts: experts.map(([expert, usage]) => ({ expert, usage, accuracy: 0.5, loss: 1 })),
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float32Array.from(v)])),
  };
}

const good = update(100, [[0, 10]], { 'backbone.a': [1, 2], 'backbone.b': [3], 'expert.0.w': [4] });

/** What `good` alone aggregates to. */
function alone(): Record<string, number[]> {
  const agg = new StreamingAggregator(current, 2, 'usage');
  agg.add(good);
  return plain(agg.result().params);
}

function plain(params: Record<string, Float32Array>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v)]));
}

const malformed: Array<[string, AggregatableUpdate, RegExp]> = [
  // The backbone is complete (and would be folded first); the expert's tensor is missing.
  ['an assigned expert tensor is missing', update(50, [[1, 5]], { 'backbone.a': [7, 7], 'backbone.b': [7] }), /expert\.1\.w/],
  // The first backbone tensor is fine, the second one is missing.
  ['a later backbone tensor is missing', update(50, [[0, 5]], { 'backbone.a': [7, 7], 'expert.0.w': [7] }), /backbone\.b/],
  ['a tensor has the wrong length', update(50, [[0, 5]], { 'backbone.a': [7, 7], 'backbone.b': [7], 'expert.0.w': [7, 7] }), /expert\.0\.w.*length/],
  [
    'an expert outside the model',
    update(
      50,
      [
        [0, 5],
        [2, 5],
      ],
      { 'backbone.a': [7, 7], 'backbone.b': [7], 'expert.0.w': [7] },
    ),
    /expert 2/,
  ],
  [
    'an expert reported twice',
    update(
      50,
      [
        [0, 5],
        [0, 5],
      ],
      { 'backbone.a': [7, 7], 'backbone.b': [7], 'expert.0.w': [7] },
    ),
    /twice/,
  ],
  ['a negative usage weight', update(50, [[0, -5]], { 'backbone.a': [7, 7], 'backbone.b': [7], 'expert.0.w': [7] }), /weight/],
  ['a non-finite sample count', update(NaN, [[0, 5]], { 'backbone.a': [7, 7], 'backbone.b': [7], 'expert.0.w': [7] }), /weight/],
];

for (const [what, bad, message] of malformed) {
  test(`streaming aggregation: ${what} is refused before any sum changes`, () => {
    const agg = new StreamingAggregator(current, 2, 'usage');
    agg.add(good);
    assert.throws(() => agg.add(bad), message);
    assert.equal(agg.updates, 1, 'the refused update is not counted');
    assert.deepEqual(plain(agg.result().params), alone());
    assert.deepEqual(agg.result().trainedExperts, [0]);
  });
}

test('streaming aggregation: a refused update leaves the aggregator usable for the next one', () => {
  const agg = new StreamingAggregator(current, 2, 'usage');
  assert.throws(() => agg.add(malformed[0]![1]), /expert\.1\.w/);
  agg.add(good);
  agg.add(update(300, [[0, 30]], { 'backbone.a': [5, 6], 'backbone.b': [7], 'expert.0.w': [8] }));
  const p = agg.result().params;
  assert.deepEqual(Array.from(p['backbone.a']!), [(100 * 1 + 300 * 5) / 400, (100 * 2 + 300 * 6) / 400]);
  assert.equal(p['expert.0.w']![0], (10 * 4 + 30 * 8) / 40);
  assert.equal(p['expert.1.w'], current['expert.1.w'], 'the expert only the refused update claimed is untouched');
});

test('robust aggregation: a malformed update is refused when it arrives, even when it would only be held until the round closes', () => {
  for (const rule of [{ kind: 'fedavg' } as const, { kind: 'median' } as const]) {
    const robust = (): RobustAggregator => {
      const agg = new RobustAggregator(current, 2, rule, 'usage', new NormHistory(DEFAULT_NORM_POLICY));
      agg.add({ ...good, clientId: 'good' });
      return agg;
    };
    const agg = robust();
    // Far beyond the clipping bound: FedAvg would hold it, and fold it only in result().
    const bad = update(50, [[0, 5]], { 'backbone.a': [1e6, 1e6], 'backbone.b': [1e6], 'expert.0.w': [1e6, 1e6] });
    assert.throws(() => agg.add({ ...bad, clientId: 'bad' }), /expert\.0\.w.*length/);
    const r = agg.result();
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(plain(r.params), plain(robust().result().params), rule.kind);
  }
});
