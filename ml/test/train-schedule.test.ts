// Learning-rate schedules and per-backbone recipes: the schedule's shape and flexmoe train's
// recipe resolution (train-schedule.system.test.ts: the scheduled rate reaches the graph).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLrSchedule, lrFactor } from '../src/training/lr-schedule';
import { resolveRecipe, TRAIN_RECIPES } from '../src/training/recipe';

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
