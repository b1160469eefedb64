/**
 * What a round task's optimizer becomes for the trainer, and the refusal of a task the daemon
 * cannot honour: reported to the coordinator as a failed round before anything is downloaded,
 * trained or written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, defaultModelConfig, PLAIN_SGD_TASK, resolveLocalRecipe, taskOptimizer, type TaskOptimizer } from '@flexmoe/shared';
import { TaskRefusedError } from '../../src/errors';
import type { CoordinatorLink, RoundTask } from '../../src/daemon/link';
import { localTraining } from '../../src/daemon/local-training';
import { runRound, type RoundContext } from '../../src/daemon/round';
import { createClientMetrics } from '../../src/observability/metrics';

const adam = taskOptimizer(resolveLocalRecipe('resnet', { schedule: 'step' }), 4);
const task = (round: number, optimizer?: TaskOptimizer, more: Partial<RoundTask> = {}): RoundTask => ({
  round,
  experts: [0, 1],
  learningRate: 0.002,
  optimizer,
  batchSize: 32,
  localEpochs: 2,
  deadlineUnixMs: 0,
  routingTopK: 1,
  seed: 1,
  ...more,
});

test("no optimizer, or plain SGD: the task's constant rate, no schedule", () => {
  for (const o of [undefined, PLAIN_SGD_TASK]) {
    const t = localTraining(task(3, o), 100);
    assert.equal(t.lr, 0.002);
    assert.equal(t.optimizer.kind, 'sgd');
    assert.equal(t.optimizer.momentum, 0);
    assert.equal(t.lrSchedule, undefined);
  }
  assert.equal(localTraining(task(1, taskOptimizer(resolveLocalRecipe('mlp', { optimizer: 'momentum' }), 4)), 100).optimizer.momentum, 0.9);
});

test("the step schedule spans the run: each round is this client's local steps, the warm-up capped at the run", () => {
  // 100 samples, batch 32, 2 local epochs: 2 x 4 = 8 steps a round, 32 in 4 rounds.
  const third = localTraining(task(3, adam), 100);
  assert.deepEqual(third.optimizer, { kind: 'adam', momentum: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  assert.deepEqual(third.lrSchedule, { startStep: 16, totalSteps: 32, warmupSteps: 32, floor: 0 });
  assert.deepEqual(localTraining(task(1, { ...adam, warmupSteps: 5 }), 1000).lrSchedule, { startStep: 0, totalSteps: 256, warmupSteps: 5, floor: 0 });
});

test('a task that cannot be honoured is a TaskRefusedError naming the field', () => {
  const bad: Array<[RoundTask, RegExp]> = [
    [task(1, { ...adam, rule: 'unknown rule 3' as TaskOptimizer['rule'] }), /local_optimizer\.rule/],
    [task(1, { ...adam, momentum: Number.NaN }), /local_optimizer\.momentum .*NaN/],
    [task(1, { ...adam, beta2: -1 }), /local_optimizer\.beta2/],
    [task(5, adam), /schedule_rounds must be at least the task's round 5/],
    [task(1, adam, { learningRate: Number.NaN }), /learning_rate must be a finite number >= 0 \(got NaN\)/],
    [task(1, adam, { learningRate: -0.1 }), /learning_rate/],
    [task(1, adam, { batchSize: 0 }), /batch_size must be an integer >= 1/],
  ];
  for (const [t, message] of bad) {
    assert.throws(
      () => localTraining(t, 100),
      (e: unknown) => e instanceof TaskRefusedError && /cannot honour the task/.test(e.message) && message.test(e.message),
    );
  }
});

test('the daemon refuses such a task: the round is reported failed at once; nothing is downloaded, trained or saved', async () => {
  const reported: Array<{ round: number; reason: string; diverged: boolean }> = [];
  const untouched = (what: string) => () => Promise.reject(new Error(`${what} must not be called`));
  const link = {
    reportFailure: (_session: string, t: RoundTask, reason: string, diverged: boolean) => {
      reported.push({ round: t.round, reason, diverged });
      return Promise.resolve({ accepted: true, round: t.round, bytesReceived: 0, message: 'failure recorded' });
    },
    download: untouched('download'),
    submit: untouched('submit'),
  } as unknown as CoordinatorLink;
  const phases: string[] = [];
  const ctx = {
    link,
    session: { sessionId: 's', model: defaultModelConfig({ experts: 4 }), run: { runId: 'r' } },
    trainer: { train: untouched('train'), evaluate: untouched('evaluate'), exportInference: untouched('export') },
    data: { train: { n: 100 }, test: { n: 10 } },
    gates: { load: untouched('gate load'), save: untouched('gate save') },
    metrics: createClientMetrics(),
    logger: createLogger({ level: 'silent' }),
    setPhase: (p: string) => phases.push(p),
  } as unknown as RoundContext;
  const outcome = await runRound(ctx, task(2, { ...adam, epsilon: 0 }), new AbortController().signal);
  assert.equal(outcome.result, 'skipped');
  assert.match(outcome.reason!, /local_optimizer\.epsilon must be a finite number > 0/);
  assert.deepEqual(
    reported.map((r) => [r.round, r.diverged]),
    [[2, false]],
  );
  assert.equal(reported[0]!.reason, outcome.reason);
  assert.deepEqual(phases, [], 'the daemon never left idle');
});
