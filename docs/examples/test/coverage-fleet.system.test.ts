/**
 * The guide's example strategy, written outside the coordinator's package, runs a real fleet
 * through the documented API: `createCoordinator` from `@flexmoe/server` with the strategy
 * object, three real client daemons (`flexmoe client` processes) over loopback gRPC on a small
 * Fashion-MNIST partition, two rounds. Then a new coordinator on the same data directory resumes
 * the strategy's state from the checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCoordinator, type CoordinatorService, type CreateCoordinatorOptions } from '@flexmoe/server';
import { CoverageStrategy } from '../coverage-strategy';

/** Tests run from docs/examples/dist/test. */
const BIN = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'flexmoe.js');
const CLIENTS = 3;
const ROUNDS = 2;
const EXPERTS = 4;

/** A `flexmoe client` daemon on its shard; resolves with its exit code (it exits when the run completes). */
function daemon(address: string, index: number, dir: string): { proc: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  // prettier-ignore
  const args = [
    BIN, 'client', '--server', address, '--data', 'fashion-mnist', '--partition', 'classes:3', '--shard', `${index}/${CLIENTS}`,
    '--seed', '1', '--capacity', '2', '--id', `client-${index}`, '--state-dir', path.join(dir, `client-${index}`),
    '--max-samples', '200', '--threads', '1', '--log-level', 'warn',
  ];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEXMOE_')));
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, stderr: () => stderr };
}

function options(dataDir: string, strategy: CoverageStrategy): CreateCoordinatorOptions {
  return {
    strategy,
    dataDir,
    model: { experts: EXPERTS, featureDim: 16, expertHidden: 8 },
    rounds: ROUNDS,
    round: { minClients: CLIENTS, roundDeadlineMs: 120_000, learningRate: 0.05 },
    grpc: { insecure: true },
    http: false,
  };
}

test('a strategy written outside the coordinator package runs a fleet of real daemons through createCoordinator', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-example-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'coordinator');
  const strategy = new CoverageStrategy();
  const service: CoordinatorService = createCoordinator(options(dataDir, strategy));
  const { address } = await service.start();
  const daemons = Array.from({ length: CLIENTS }, (_, i) => daemon(address, i, dir));
  t.after(() => daemons.forEach((d) => d.proc.kill('SIGKILL')));
  try {
    await service.done();
  } finally {
    await service.stop(1000);
  }
  const codes = await Promise.all(daemons.map((d) => d.exited));
  assert.deepEqual(codes, [0, 0, 0], daemons.map((d) => d.stderr()).join('\n'));

  assert.equal(service.state, 'stopped');
  assert.equal(service.completedRounds, ROUNDS);
  const status = service.status();
  assert.equal(status.strategy, 'coverage');
  const history = status.history;
  assert.deepEqual(
    history.map((r) => r.round),
    [1, 2],
  );
  for (const r of history) assert.equal(r.reportedCount, CLIENTS, `round ${r.round}: ${JSON.stringify(r.failures)}`);
  // assign: six slots over four experts, least-trained first, so the first round covers every expert.
  const first = new Set(Object.values(history[0]!.assignment).flat());
  assert.deepEqual([...first].sort(), [0, 1, 2, 3]);
  assert.equal(history[0]!.solver.name, 'coverage');
  // roundCompleted saw exactly the updates the rounds aggregated: its counts are the routed load.
  const routed = Array.from({ length: EXPERTS }, (_, e) => history.reduce((s, r) => s + r.routedLoad[e]!, 0));
  assert.deepEqual(strategy.trainedSamples(), routed);
  assert.ok(routed.reduce((a, b) => a + b, 0) > 0);
  // ... and BaseStrategy's part of the hook moved Q away from its optimistic start.
  assert.ok(
    Object.values(status.q).some((row) => row.some((q) => q !== 1)),
    JSON.stringify(status.q),
  );
  // aggregator: the global experts moved from their initial values.
  const fresh = createCoordinator(options(path.join(dir, 'fresh'), new CoverageStrategy()));
  const before = fresh.parameters()['expert.0.fc1.weight']!;
  assert.notDeepEqual(Array.from(service.parameters()['expert.0.fc1.weight']!), Array.from(before));

  // snapshot/restore: a new coordinator on the same directory resumes the strategy's counts.
  const resumedStrategy = new CoverageStrategy();
  const resumed = createCoordinator(options(dataDir, resumedStrategy));
  assert.equal(resumed.state, 'finished');
  assert.deepEqual(resumedStrategy.trainedSamples(), routed);
  assert.throws(() => createCoordinator({ ...options(dataDir, new CoverageStrategy()), strategy: 'greedy' }), /strategy coverage/);
});
