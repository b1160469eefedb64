/**
 * The local optimizer over real gRPC on loopback: a coordinator whose clients train with Adam
 * refuses a protocol-version-1 Join (such a client ignores RoundTask.local_optimizer and would
 * train plain SGD at Adam's rate) with the protocol-version reason, and sends a version-2 client
 * a task that carries the optimizer; a plain-SGD coordinator still takes version-1 clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ProtocolClient, RpcError, taskOptimizerFromWire, type RoundTask__Output } from '@flexmoe/proto';
import { ConfigError, resolveLocalRecipe } from '@flexmoe/shared';
import { createCoordinator, type CreateCoordinatorOptions } from '../src';

const JOIN = { capacity: 2, numSamples: 64, numTestSamples: 16, replace: false, device: {} };

async function coordinator(t: { after: (fn: () => unknown) => void }, backbone: string, round: CreateCoordinatorOptions['round'] = {}): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'flexmoe-local-opt-'));
  const service = createCoordinator({
    strategy: 'random',
    dataDir,
    model: { backbone, experts: 4, featureDim: 8, expertHidden: 4, resnetWidths: [4, 4, 8], resnetGroups: 2 },
    rounds: 3,
    round: { minClients: 1, ...round },
    grpc: { insecure: true },
    http: false,
  });
  t.after(async () => {
    await service.stop(0);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return (await service.start()).address;
}

function client(t: { after: (fn: () => unknown) => void }, address: string, id: string): ProtocolClient {
  const c = new ProtocolClient({ channel: { address }, clientId: id });
  t.after(() => c.close());
  return c;
}

async function firstTask(c: ProtocolClient, sessionId: string): Promise<RoundTask__Output> {
  const abort = new AbortController();
  try {
    for await (const event of c.tasks(sessionId, { signal: abort.signal })) if (event.kind === 'task') return event.task;
  } finally {
    abort.abort();
  }
  throw new Error('task stream ended without a task');
}

test("an Adam run refuses protocol-version-1 clients with the version reason; a version-2 client's task carries the optimizer", async (t) => {
  const address = await coordinator(t, 'resnet');
  const old = client(t, address, 'old');
  await assert.rejects(
    old.join({ ...JOIN, protocolVersion: 1 }),
    (e: unknown) =>
      e instanceof RpcError &&
      e.reason === 'ERROR_REASON_PROTOCOL_VERSION' &&
      /protocol version 1 cannot honour this run's local optimizer \(adam, constant schedule\): version 2 or later is needed/.test(e.message),
  );
  await assert.rejects(old.join({ ...JOIN, protocolVersion: 3 }), /protocol version 3 not supported \(coordinator speaks 1 to 2\)/);
  const now = client(t, address, 'new');
  const joined = await now.join(JOIN);
  const task = await firstTask(now, joined.sessionId);
  assert.equal(task.round, 1);
  assert.ok(Math.abs(task.learningRate - 0.002) < 1e-9, `peak rate ${task.learningRate}`);
  const o = taskOptimizerFromWire(task.localOptimizer);
  assert.deepEqual([o.rule, o.schedule, o.beta1, o.beta2, o.epsilon], ['adam', 'constant', 0.9, 0.999, 1e-8]);
});

test('a plain-SGD run (the mlp default) takes version-1 clients; its tasks say plain SGD at 0.05', async (t) => {
  const address = await coordinator(t, 'mlp');
  const old = client(t, address, 'old');
  const joined = await old.join({ ...JOIN, protocolVersion: 1 });
  const task = await firstTask(old, joined.sessionId);
  assert.ok(Math.abs(task.learningRate - 0.05) < 1e-9);
  assert.deepEqual(
    [taskOptimizerFromWire(task.localOptimizer)].map((o) => [o.rule, o.momentum, o.schedule]),
    [['sgd', 0, 'constant']],
  );
});

test("momentum SGD on the step schedule travels with the run's rounds; a version-1 client is refused for it", async (t) => {
  const { lr, ...optimizer } = resolveLocalRecipe('mlp', { optimizer: 'momentum', schedule: 'step', warmup: 5 });
  const address = await coordinator(t, 'mlp', { optimizer, learningRate: lr });
  await assert.rejects(client(t, address, 'old').join({ ...JOIN, protocolVersion: 1 }), /local optimizer \(sgd momentum 0\.9, step schedule\)/);
  const c = client(t, address, 'new');
  const task = await firstTask(c, (await c.join(JOIN)).sessionId);
  assert.ok(Math.abs(task.learningRate - 0.005) < 1e-9);
  const o = taskOptimizerFromWire(task.localOptimizer);
  assert.deepEqual([o.rule, o.momentum, o.schedule, o.warmupSteps, o.floor, o.scheduleRounds], ['sgd', 0.9, 'step', 5, 0, 3]);
});

test('an embedded coordinator checks the optimizer it is given', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'flexmoe-local-opt-'));
  try {
    const optimizer = { rule: 'sgd', momentum: 1, schedule: 'constant', warmupSteps: 0, floor: 1 } as const;
    assert.throws(
      () => createCoordinator({ strategy: 'random', dataDir, grpc: { insecure: true }, round: { optimizer } }),
      (e: unknown) => e instanceof ConfigError && /round\.optimizer: momentum must be a number in \[0, 1\)/.test(e.message),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
