import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultModelConfig, PLAIN_SGD_TASK } from '@flexmoe/shared';
import { PROTOCOL_VERSION, byteLength, type JoinRequest__Output, type SubmitHeader__Output } from '@flexmoe/proto';
import { StaleRoundError } from '../../src/errors';
import type { RoundTaskSpec } from '../../src/rounds/types';
import { MAX_DEVICE_CHARS, capToDeclared, checkTaskInFlight, planSubmit, taskSpecs, validateJoin } from '../../src/coordinator/requests';

const model = defaultModelConfig({ inputShape: [1, 6, 6], featureDim: 12, expertHidden: 8, experts: 4 });
const task = (attempt: number): RoundTaskSpec => ({
  round: 5,
  attempt,
  experts: [1, 3],
  learningRate: 0.1,
  optimizer: PLAIN_SGD_TASK,
  batchSize: 8,
  localEpochs: 1,
  deadlineUnixMs: 0,
  routingTopK: 2,
  seed: 1,
});

function header(attempt: number): SubmitHeader__Output {
  const specs = taskSpecs(model, [1, 3]);
  const metrics = { loss: 0.5, accuracy: 0.8, numSamples: 50 };
  return {
    sessionId: 's',
    round: 5,
    attempt,
    numSamples: 50,
    tensorCount: specs.length,
    totalBytes: specs.reduce((s, t) => s + byteLength(t), 0),
    expertStats: [1, 3].map((expert) => ({ expert, usage: 10, accuracy: 0.5, loss: 0.7 })),
    train: metrics,
    test: metrics,
    trainSeconds: 1,
    downloadSeconds: 0.1,
  } as SubmitHeader__Output;
}

test('an update for another attempt of the round is refused as stale (FAILED_PRECONDITION); the same attempt passes', () => {
  assert.equal(planSubmit(model, task(1), header(1)).task.attempt, 1);
  assert.throws(() => planSubmit(model, task(1), header(0)), StaleRoundError);
  assert.throws(() => planSubmit(model, task(2), header(1)), /attempt 1 of round 5 is over for this client \(current attempt: 2\)/);
  assert.throws(() => planSubmit(model, undefined, header(0)), /round 5 is not in progress/);
});

test('without strict attempts an echo of 0 (a client that does not send the field) passes; a nonzero mismatch does not', () => {
  assert.equal(checkTaskInFlight(task(0), 5, 0, false).attempt, 0);
  assert.equal(checkTaskInFlight(task(2), 5, 0, false).attempt, 2);
  assert.throws(() => checkTaskInFlight(task(2), 5, 1, false), StaleRoundError);
  assert.throws(() => checkTaskInFlight(task(2), 4, 2, false), /round 4 is not in progress/);
  assert.throws(() => checkTaskInFlight(task(2), 5, 0, true), StaleRoundError);
});

test('device strings are cut at join; an update claiming more than the join declared is capped', () => {
  const join = {
    clientId: 'pi',
    protocolVersion: PROTOCOL_VERSION,
    capacity: 9,
    numSamples: 480,
    numTestSamples: 100,
    replace: false,
    device: { platform: 'linux', arch: 'arm64', cpus: 4, totalMemoryBytes: 1, runtime: 'node', hostname: 'h'.repeat(1_900_000) },
  } as JoinRequest__Output;
  const info = validateJoin('pi', join, 4);
  assert.equal(info.device.hostname.length, MAX_DEVICE_CHARS);
  assert.equal(info.capacity, 4);
  assert.throws(() => validateJoin('x'.repeat(200), { ...join, clientId: 'x'.repeat(200) }, 4), /client id longer than 128/);
  const inflated = {
    ...header(0),
    numSamples: 4294967295,
    expertStats: [1, 3].map((expert) => ({ expert, usage: 4294967295, accuracy: 1, loss: 0 })),
  } as SubmitHeader__Output;
  const { plan, capped } = capToDeclared(planSubmit(model, task(0), inflated, false), info);
  assert.equal(plan.samples, 480);
  assert.deepEqual(
    plan.experts.map((r) => r.usage),
    [480, 480],
  );
  assert.equal(capped.length, 3);
  assert.deepEqual(capToDeclared(planSubmit(model, task(0), header(0), false), info).capped, [], 'an honest update is left alone');
});
