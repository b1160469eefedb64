// Learning-rate schedules and per-backbone recipes: the schedule's shape, that the scheduled rate
// is what reaches the training graph (real Trainer, real ONNX Runtime), and flexmoe train's
// recipe resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '@flexmoe/shared';
import type { Dataset } from '../src/data/types';
import { defaultModelConfig } from '@flexmoe/shared';
import { initParameters } from '@flexmoe/shared';
import { checkLrSchedule, lrFactor } from '../src/training/lr-schedule';
import { resolveRecipe, TRAIN_RECIPES } from '../src/training/recipe';
import { Trainer } from '../src/training/trainer';

test('warm-up rises linearly, then the cosine falls from the peak to the floor at the last step', () => {
  const s = { startStep: 0, totalSteps: 110, warmupSteps: 10, floor: 0.1 };
  assert.equal(lrFactor(s, 0), 0.1);
  assert.equal(lrFactor(s, 4), 0.5);
  assert.equal(lrFactor(s, 10), 1);
  assert.ok(Math.abs(lrFactor(s, 109) - 0.1) < 1e-12);
  assert.ok(Math.abs(lrFactor(s, 10 + 99 / 2) - 0.55) < 1e-12, 'half-way down the cosine');
  for (let i = 11; i < 110; i++) assert.ok(lrFactor(s, i) < lrFactor(s, i - 1), `decreasing at ${i}`);
  assert.throws(() => checkLrSchedule({ ...s, floor: 2 }), /lrSchedule\.floor must be a number in \[0, 1\]/);
  assert.throws(() => checkLrSchedule({ ...s, warmupSteps: 200 }), /warmupSteps must not exceed totalSteps/);
  assert.throws(() => checkLrSchedule({ ...s, totalSteps: 0 }), /lrSchedule\.totalSteps must be an integer >= 1/);
});

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

test('recipes: resnet trains with Adam on a per-step schedule, mlp and cnn keep SGD per epoch; overrides apply', () => {
  assert.deepEqual(resolveRecipe('mlp', {}), TRAIN_RECIPES.mlp);
  assert.equal(resolveRecipe('cnn', {}).optimizer, 'sgd');
  const resnet = resolveRecipe('resnet', {});
  assert.equal(resnet.optimizer, 'adam');
  assert.equal(resnet.schedule, 'step');
  // Another rule without a rate takes that rule's default rate, not the recipe's.
  assert.equal(resolveRecipe('resnet', { optimizer: 'sgd' }).lr, 0.2);
  assert.equal(resolveRecipe('mlp', { optimizer: 'adam' }).lr, 0.002);
  assert.equal(resolveRecipe('resnet', { lr: 0.01, warmup: 5 }).lr, 0.01);
  assert.equal(resolveRecipe('resnet', { lr: 0.01, warmup: 5 }).warmupSteps, 5);
});
