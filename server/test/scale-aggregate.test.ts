/**
 * Streaming aggregation (what the round engine runs) gives the same global parameters as the coordinator's
 * hold-every-update aggregation, including experts nobody trained and experts whose trainers
 * routed no samples to them (equal-weights fallback), for both expert weightings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultModelConfig } from '@flexmoe/shared';
import { SeededRandom } from '@flexmoe/shared';
import type { ParamMap } from '@flexmoe/shared';
import { aggregate, type ExpertWeighting } from '../src/aggregation/aggregate';
import { globalParameters } from '../src/coordinator/coordinator';
import { StreamingAggregator } from '../src/aggregation/streaming';
import type { ClientUpdate } from '../src/rounds/types';

const model = defaultModelConfig({ inputShape: [1, 6, 6], featureDim: 12, expertHidden: 8, experts: 6 });

function makeUpdates(current: ParamMap, rng: SeededRandom): ClientUpdate[] {
  // Expert 5 is never assigned; expert 4 is assigned only with zero usage.
  const assignments = [[0, 1], [1, 2, 4], [0, 3], [2], [3, 4], [0, 1, 2]];
  return assignments.map((experts, c) => {
    const params: ParamMap = {};
    for (const [name, t] of Object.entries(current)) {
      const trains = name.startsWith('backbone.') || experts.some((e) => name.startsWith(`expert.${e}.`));
      if (trains) params[name] = t.map((v) => v + (rng.next() - 0.5) * 0.2);
    }
    const samples = 10 + rng.int(500);
    return {
      clientId: `c${c}`,
      round: 1,
      samples,
      experts: experts.map((e) => ({ expert: e, usage: e === 4 ? 0 : rng.int(samples + 1), accuracy: 0.5, loss: 0.7 })),
      train: { loss: 0.7, accuracy: 0.5, samples },
      test: { loss: 0.7, accuracy: 0.5, samples },
      params,
      bytesUp: 0,
      bytesDown: 0,
      trainSeconds: 0,
    };
  });
}

for (const weighting of ['usage', 'samples'] as ExpertWeighting[]) {
  test(`streaming aggregation equals hold-all aggregation (${weighting} weighting)`, () => {
    const current = globalParameters(model, 3);
    const updates = makeUpdates(current, new SeededRandom(11, weighting));
    const expected = aggregate(current, updates, model.experts, weighting);
    const streaming = new StreamingAggregator(current, model.experts, weighting);
    for (const u of updates) streaming.add(u);
    const got = streaming.result();
    assert.deepEqual(got.trainedExperts, expected.trainedExperts);
    assert.deepEqual(Object.keys(got.params).sort(), Object.keys(expected.params).sort());
    for (const [name, want] of Object.entries(expected.params)) {
      const have = got.params[name]!;
      assert.equal(have.length, want.length, name);
      for (let i = 0; i < want.length; i++)
        assert.ok(Math.abs(have[i]! - want[i]!) <= 1e-6 * (1 + Math.abs(want[i]!)), `${name}[${i}]: ${have[i]} vs ${want[i]}`);
    }
    const untrained = Object.keys(current).find((n) => n.startsWith('expert.5.'))!;
    assert.equal(got.params[untrained], current[untrained], 'an expert nobody trained keeps its tensor');
  });
}
