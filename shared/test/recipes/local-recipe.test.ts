import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  InvalidArgumentError,
  checkLocalOptimizerSpec,
  checkTaskOptimizer,
  isPlainSgdTask,
  LOCAL_RECIPES,
  PLAIN_SGD_TASK,
  resolveLocalRecipe,
  roundLearningRate,
  taskOptimizer,
  TRAIN_RECIPES,
  type TaskOptimizer,
} from '@flexmoe/shared';

test("default local recipes: mlp and cnn keep plain SGD at a constant 0.05; resnet takes the central recipe's Adam at a constant rate", () => {
  for (const b of ['mlp', 'cnn', 'some-registered-backbone']) {
    assert.deepEqual({ ...resolveLocalRecipe(b, {}) }, { rule: 'sgd', lr: 0.05, momentum: 0, schedule: 'constant', warmupSteps: 0, floor: 1 });
  }
  const central = TRAIN_RECIPES.resnet!;
  assert.deepEqual(
    { ...resolveLocalRecipe('resnet', {}) },
    { rule: central.optimizer, lr: central.lr, momentum: 0, schedule: 'constant', warmupSteps: 0, floor: 1 },
  );
  assert.equal(LOCAL_RECIPES.resnet!.rule, 'adam');
  // The step schedule takes the central recipe's warm-up and floor.
  const step = resolveLocalRecipe('resnet', { schedule: 'step' });
  assert.deepEqual([step.warmupSteps, step.floor], [central.warmupSteps, central.floor]);
});

test('overrides: another rule takes its own default rate; momentum is SGD with momentum 0.9 at 0.005', () => {
  assert.deepEqual(
    [resolveLocalRecipe('mlp', { optimizer: 'adam' })].map((r) => [r.rule, r.lr, r.schedule]),
    [['adam', 0.002, 'constant']],
  );
  assert.deepEqual(
    [resolveLocalRecipe('resnet', { optimizer: 'sgd' })].map((r) => [r.rule, r.lr, r.schedule]),
    [['sgd', 0.05, 'constant']],
  );
  const m = resolveLocalRecipe('mlp', { optimizer: 'momentum' });
  assert.deepEqual([m.rule, m.momentum, m.lr], ['sgd', 0.9, 0.005]);
  assert.equal(resolveLocalRecipe('mlp', { optimizer: 'momentum', momentum: 0.5, lr: 0.01 }).momentum, 0.5);
  assert.deepEqual(
    [resolveLocalRecipe('mlp', { schedule: 'step', warmup: 7 })].map((r) => [r.warmupSteps, r.floor]),
    [[7, 0]],
  );
  assert.equal(resolveLocalRecipe('mlp', { schedule: 'epoch' }).floor, 0.1);
});

test('bad flag values are ConfigErrors that name the flag', () => {
  const bad: Array<[Parameters<typeof resolveLocalRecipe>[1], RegExp, string?]> = [
    [{ optimizer: 'lamb' }, /--optimizer must be one of sgd, momentum, adam/],
    [{ momentum: 1 }, /--momentum must be a number in \[0, 1\)/],
    [{ momentum: Number.NaN }, /--momentum/],
    [{ optimizer: 'adam', momentum: 0.9 }, /--momentum applies to --optimizer sgd or momentum/],
    [{ schedule: 'cyclic' }, /--schedule must be one of constant, epoch, step/],
    [{ warmup: 10 }, /--warmup applies to --schedule step/],
    [{ schedule: 'step', warmup: 1.5 }, /--warmup must be an integer/],
    [{ lr: Number.NaN }, /--lr must be a number >= 0/, '--lr'],
    [{ lr: -1 }, /--learning-rate must be a number >= 0/],
  ];
  for (const [o, message, flag] of bad)
    assert.throws(
      () => resolveLocalRecipe('mlp', o, flag),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
    );
});

test('the epoch schedule lowers the round rate by a cosine from the peak to 10%; others keep the peak', () => {
  const epoch = resolveLocalRecipe('mlp', { schedule: 'epoch' });
  assert.equal(roundLearningRate(epoch, 0.2, 1, 5), 0.2);
  assert.ok(Math.abs(roundLearningRate(epoch, 0.2, 3, 5) - 0.11) < 1e-12);
  assert.ok(Math.abs(roundLearningRate(epoch, 0.2, 5, 5) - 0.02) < 1e-12);
  assert.equal(roundLearningRate(resolveLocalRecipe('resnet', {}), 0.002, 4, 4), 0.002);
  assert.ok(!isPlainSgdTask(taskOptimizer(resolveLocalRecipe('resnet', {}), 4)), 'constant-rate Adam still needs protocol version 2');
});

test("a task's optimizer: the epoch schedule travels as constant rates; only plain SGD at a constant rate suits a version-1 client", () => {
  assert.ok(isPlainSgdTask(taskOptimizer(resolveLocalRecipe('mlp', {}), 10)));
  assert.ok(isPlainSgdTask(taskOptimizer(resolveLocalRecipe('mlp', { schedule: 'epoch' }), 10)));
  assert.ok(!isPlainSgdTask(taskOptimizer(resolveLocalRecipe('mlp', { optimizer: 'momentum' }), 10)));
  assert.ok(!isPlainSgdTask(taskOptimizer(resolveLocalRecipe('mlp', { schedule: 'step' }), 10)));
  const adam = taskOptimizer(resolveLocalRecipe('resnet', { schedule: 'step' }), 4);
  assert.deepEqual(
    [adam.rule, adam.schedule, adam.warmupSteps, adam.scheduleRounds, adam.beta1, adam.beta2, adam.epsilon],
    ['adam', 'step', 100, 4, 0.9, 0.999, 1e-8],
  );
  assert.ok(!isPlainSgdTask(adam));
  checkTaskOptimizer(adam, 4);
});

test('a client refuses an optimizer it cannot honour, naming the field', () => {
  const adam = taskOptimizer(resolveLocalRecipe('resnet', { schedule: 'step' }), 4);
  const bad: Array<[Partial<TaskOptimizer>, RegExp]> = [
    [{ rule: 'unknown rule 7' as TaskOptimizer['rule'] }, /local_optimizer\.rule must be one of sgd, adam \(got "unknown rule 7"\)/],
    [{ momentum: Number.NaN }, /local_optimizer\.momentum must be a number in \[0, 1\) \(got NaN\)/],
    [{ momentum: -0.1 }, /local_optimizer\.momentum/],
    [{ beta1: 1 }, /local_optimizer\.beta1/],
    [{ beta2: Number.POSITIVE_INFINITY }, /local_optimizer\.beta2/],
    [{ epsilon: 0 }, /local_optimizer\.epsilon must be a finite number > 0/],
    [{ schedule: 'unknown schedule 9' as TaskOptimizer['schedule'] }, /local_optimizer\.schedule must be constant or step/],
    [{ floor: 1.5 }, /local_optimizer\.floor/],
    [{ floor: Number.NaN }, /local_optimizer\.floor/],
    [{ scheduleRounds: 0 }, /local_optimizer\.schedule_rounds must be an integer >= 1/],
    [{ scheduleRounds: 3 }, /schedule_rounds must be at least the task's round 4/],
  ];
  for (const [change, message] of bad) {
    assert.throws(
      () => checkTaskOptimizer({ ...adam, ...change }, 4),
      (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message),
    );
  }
  checkTaskOptimizer(PLAIN_SGD_TASK, 1000);
});

test('a coordinator embedding a recipe gets it checked as configuration', () => {
  checkLocalOptimizerSpec(resolveLocalRecipe('resnet', {}));
  assert.throws(
    () => checkLocalOptimizerSpec({ ...resolveLocalRecipe('mlp', {}), momentum: 2 }, 'round.optimizer'),
    /round\.optimizer: momentum must be a number in \[0, 1\)/,
  );
  assert.throws(() => checkLocalOptimizerSpec({ ...resolveLocalRecipe('mlp', {}), schedule: 'x' as 'step' }), ConfigError);
});
