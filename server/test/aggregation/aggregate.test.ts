import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../../src/aggregation/aggregate';
import type { ClientUpdate } from '../../src/rounds/types';

function update(clientId: string, samples: number, experts: Array<[number, number]>, params: Record<string, number[]>): ClientUpdate {
  return {
    clientId,
    round: 1,
    samples,
    experts: experts.map(([expert, usage]) => ({ expert, usage, accuracy: 0.5, loss: 1 })),
    train: { loss: 1, accuracy: 0.5, samples },
    test: { loss: 1, accuracy: 0.5, samples },
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float32Array.from(v)])),
    bytesUp: 0,
    bytesDown: 0,
    trainSeconds: 0,
  };
}

const current = {
  'backbone.w': Float32Array.from([0, 0]),
  'expert.0.w': Float32Array.from([1]),
  'expert.1.w': Float32Array.from([2]),
  'expert.2.w': Float32Array.from([3]),
};

test('backbone is n_c-weighted; experts are usage-weighted over their trainers; untrained experts keep their value', () => {
  const a = update(
    'a',
    300,
    [
      [0, 30],
      [1, 10],
    ],
    { 'backbone.w': [1, 2], 'expert.0.w': [10], 'expert.1.w': [20] },
  );
  const b = update('b', 100, [[0, 10]], { 'backbone.w': [5, 6], 'expert.0.w': [50] });
  const { params, trainedExperts } = aggregate(current, [a, b], 3, 'usage');
  assert.deepEqual(Array.from(params['backbone.w']!), [(300 * 1 + 100 * 5) / 400, (300 * 2 + 100 * 6) / 400]);
  assert.equal(params['expert.0.w']![0], (30 * 10 + 10 * 50) / 40);
  assert.equal(params['expert.1.w']![0], 20);
  assert.equal(params['expert.2.w'], current['expert.2.w'], 'an expert nobody trained is untouched');
  assert.deepEqual(trainedExperts, [0, 1]);
  assert.equal(current['backbone.w']![0], 0, 'the input is not modified');
});

test("'samples' weights experts by n_c; zero usage falls back to equal weights", () => {
  const a = update('a', 300, [[0, 0]], { 'backbone.w': [1, 1], 'expert.0.w': [10] });
  const b = update('b', 100, [[0, 0]], { 'backbone.w': [1, 1], 'expert.0.w': [50] });
  assert.equal(aggregate(current, [a, b], 3, 'samples').params['expert.0.w']![0], (300 * 10 + 100 * 50) / 400);
  assert.equal(aggregate(current, [a, b], 3, 'usage').params['expert.0.w']![0], 30);
});
