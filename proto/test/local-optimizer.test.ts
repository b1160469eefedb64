/**
 * RoundTask.local_optimizer through the real wire codec (the WaitTask stream's serializer of the
 * loaded flexmoe.v1 package): what the coordinator writes comes back unchanged; a task without it
 * means plain SGD; an update rule from a newer release decodes to a name the client's check
 * refuses, never to SGD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTaskOptimizer, InvalidArgumentError, PLAIN_SGD_TASK, resolveLocalRecipe, taskOptimizer } from '@flexmoe/shared';
import { loadProtocol, taskOptimizerFromWire, taskOptimizerToWire, type TaskEvent, type TaskEvent__Output } from '../src';

const method = loadProtocol().flexmoe.v1.Coordinator.service.WaitTask;
const roundTrip = (event: TaskEvent): TaskEvent__Output => method.responseDeserialize(method.responseSerialize(event)) as TaskEvent__Output;
const task = { round: 2, experts: [0, 3], learningRate: 0.002, batchSize: 32, localEpochs: 1, seed: 5 };

test('the local optimizer survives the wire; an absent one is plain SGD at a constant rate', () => {
  for (const recipe of [
    resolveLocalRecipe('resnet', { schedule: 'step' }),
    resolveLocalRecipe('mlp', { optimizer: 'momentum' }),
    resolveLocalRecipe('mlp', {}),
  ]) {
    const sent = taskOptimizer(recipe, 4);
    const got = roundTrip({ task: { ...task, localOptimizer: taskOptimizerToWire(sent) } });
    assert.deepEqual(taskOptimizerFromWire(got.task!.localOptimizer), sent);
  }
  const old = roundTrip({ task });
  assert.equal(old.task!.localOptimizer, null);
  assert.equal(taskOptimizerFromWire(old.task!.localOptimizer), PLAIN_SGD_TASK);
});

test('an unknown or unspecified update rule or schedule decodes to a name the client refuses', () => {
  const adam = taskOptimizerToWire(taskOptimizer(resolveLocalRecipe('resnet', { schedule: 'step' }), 4));
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ rule: 7 }, /rule must be one of sgd, adam \(got "unknown rule 7"\)/],
    [{ rule: 'LOCAL_UPDATE_RULE_UNSPECIFIED' }, /got "unknown rule LOCAL_UPDATE_RULE_UNSPECIFIED"/],
    [{ schedule: 9 }, /schedule must be constant or step \(got "unknown schedule 9"\)/],
  ];
  for (const [change, message] of cases) {
    const got = roundTrip({ task: { ...task, localOptimizer: { ...adam, ...change } as typeof adam } });
    const optimizer = taskOptimizerFromWire(got.task!.localOptimizer);
    assert.throws(
      () => checkTaskOptimizer(optimizer, 2),
      (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message),
    );
  }
});
