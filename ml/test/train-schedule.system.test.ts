// The scheduled learning rate is what reaches the training graph (real Trainer, real ONNX Runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '@flexmoe/shared';
import type { Dataset } from '../src/data/types';
import { defaultModelConfig } from '@flexmoe/shared';
import { initParameters } from '@flexmoe/shared';
import { Trainer } from '../src/training/trainer';

test('the scheduled rate reaches the graph: rate 0 leaves the weights, floor 1 equals a constant rate', async () => {
  const model = defaultModelConfig({ inputShape: [1, 4, 4], experts: 3, featureDim: 8, expertHidden: 4 });
  const rng = new SeededRandom(4, 'schedule');
  const n = 40;
  const data: Dataset = {
    name: 'random',
    n,
    shape: [1, 4, 4],
    classes: 10,
    x: Float32Array.from({ length: n * 16 }, () => rng.next()),
    y: Uint8Array.from({ length: n }, () => rng.int(10)),
  };
  const trainer = await Trainer.create({ model, worker: false });
  try {
    const params = initParameters(model, 1);
    const assigned = [0, 2];
    const base = {
      params: Object.fromEntries(Object.entries(params).filter(([k]) => !k.startsWith('expert.1.'))),
      assigned,
      data,
      epochs: 1,
      lr: 0.1,
      batchSize: 8,
      seed: 1,
    };
    // Past the end of a schedule with floor 0 every step's rate is 0.
    const frozen = await trainer.train({ ...base, lrSchedule: { startStep: 100, totalSteps: 100, warmupSteps: 0, floor: 0 } });
    for (const [name, t] of Object.entries(frozen.params)) assert.deepEqual(t, base.params[name], `${name} moved at rate 0`);
    const flat = await trainer.train({ ...base, lrSchedule: { startStep: 0, totalSteps: 5, warmupSteps: 0, floor: 1 } });
    const constant = await trainer.train(base);
    for (const [name, t] of Object.entries(constant.params)) assert.deepEqual(flat.params[name], t, name);
    assert.notDeepEqual(constant.params['backbone.fc.weight'], base.params['backbone.fc.weight']);
  } finally {
    await trainer.close();
  }
});
