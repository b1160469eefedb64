/**
 * The daemon against a real coordinator process over loopback gRPC: it joins, trains exactly the
 * experts the coordinator assigned, keeps its personal gate across its own restart, rejoins the
 * same run by itself after the coordinator is SIGKILLed and restarted from its checkpoint, and
 * leaves a model.onnx that a fresh ONNX Runtime session runs to the accuracy the daemon reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadLocalData } from '../src/daemon/data';
import { floatValues } from '@flexmoe/ml/data';
import { freePort, killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess, type LogLine } from './processes';

const ROUNDS = 4;
const SHARD = { partition: 'iid', seed: 1, maxSamples: 200 };

function serverArgs(port: number, dataDir: string): string[] {
  return [
    'server',
    '--insecure',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--metrics-host',
    '127.0.0.1',
    '--metrics-port',
    '0',
    '--data-dir',
    dataDir,
    '--rounds',
    String(ROUNDS),
    '--experts',
    '4',
    '--feature-dim',
    '16',
    '--expert-hidden',
    '8',
    '--min-clients',
    '2',
    '--round-deadline',
    '10',
    '--heartbeat-interval',
    '0.5',
    '--keep-serving',
    '--seed',
    '3',
  ];
}

function clientArgs(port: number, index: number, stateDir: string): string[] {
  return [
    'client',
    '--server',
    `127.0.0.1:${port}`,
    '--data',
    'fashion-mnist',
    '--partition',
    SHARD.partition,
    '--shard',
    `${index}/2`,
    '--seed',
    String(SHARD.seed),
    '--max-samples',
    String(SHARD.maxSamples),
    '--capacity',
    '2',
    '--id',
    `c${index}`,
    '--state-dir',
    stateDir,
  ];
}

const round = (l: LogLine): number => Number(l.round);

interface RoundStatus {
  round: number;
  assignment: Record<string, number[]>;
  reported: string[];
}

/** Accuracy of the exported model on the daemon's own test split, in a fresh ORT session. */
async function onnxAccuracy(file: string, index: number): Promise<number> {
  const data = await loadLocalData({ spec: 'fashion-mnist', shard: { index, count: 2 }, testFraction: 0.2, ...SHARD });
  const session = await ort.InferenceSession.create(file);
  try {
    const { test: split } = data;
    const input = new ort.Tensor('float32', floatValues(split), [split.n, ...split.shape]);
    const out = await session.run({ input });
    const labels = out.label.data as BigInt64Array;
    let correct = 0;
    for (let i = 0; i < split.n; i++) if (Number(labels[i]) === split.y[i]) correct += 1;
    return correct / split.n;
  } finally {
    await session.release();
  }
}

test('daemons join, train their assigned experts, survive restarts of themselves and of the coordinator', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-daemon-'));
  const port = await freePort();
  const dataDir = path.join(dir, 'coordinator');
  const stateDirs = [0, 1].map((i) => path.join(dir, `c${i}`));
  const procs: FlexmoeProcess[] = [];
  const start = (args: string[]): FlexmoeProcess => {
    const p = startFlexmoe(args);
    procs.push(p);
    return p;
  };
  try {
    const first = start(serverArgs(port, dataDir));
    await waitForStdout(first, /listening grpc=/);
    const firstClient0 = start(clientArgs(port, 0, stateDirs[0]));
    const client1 = start(clientArgs(port, 1, stateDirs[1]));

    // The daemon itself dies after its first accepted round and comes back on the same state dir.
    await firstClient0.waitFor('c0 round 1 accepted', (l) => l.msg === 'update accepted');
    firstClient0.child.kill('SIGKILL');
    await firstClient0.exited;
    const client0 = start(clientArgs(port, 0, stateDirs[0]));

    // The coordinator dies (SIGKILL) once round 2 is checkpointed and restarts from it.
    await first.waitFor('checkpoint of round 2', (l) => l.msg === 'checkpoint written' && round(l) >= 2);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = start(serverArgs(port, dataDir));
    const metricsPort = Number((await waitForStdout(second, /metrics=[^:]+:(\d+)/))[1]);

    const codes = await Promise.all([client0.exited, client1.exited]);
    assert.deepEqual(codes, [0, 0], 'both daemons exit 0 when the run completes');
    assert.equal(client1.messages('run complete').length, 1);
    const status = (await (await fetch(`http://127.0.0.1:${metricsPort}/api/status`)).json()) as {
      completed?: number;
      history: RoundStatus[];
      clients: { id: string; connected: boolean; state: string }[];
    };
    // Both daemons called Leave at the end of the run: the registry shows them gone at once,
    // not connected (or TRAINING) until the liveness timeout.
    assert.deepEqual(
      status.clients.filter((c) => c.connected).map((c) => `${c.id}:${c.state}`),
      [],
      'daemons left after the run',
    );
    for (const c of [client0, client1]) assert.equal(c.messages('left the coordinator').length, 1);
    const history = new Map(status.history.map((r) => [r.round, r]));
    assert.deepEqual([...history.keys()].sort(), [1, 2, 3, 4], 'no completed round lost across the restart');

    const daemons: [string, FlexmoeProcess[]][] = [
      ['c0', [firstClient0, client0]],
      ['c1', [client1]],
    ];
    for (const [id, runs] of daemons) {
      const lines = runs.flatMap((p) => p.lines);
      // Rejoined without operator action (c1 lived through the coordinator restart; c0's second
      // process may have joined only the restarted coordinator).
      const joins = lines.filter((l) => l.msg === 'joined').length;
      assert.ok(id === 'c1' ? joins >= 2 : joins >= runs.length, `${id} rejoined after the coordinator restart`);
      // Personal gate created once and reused across its own restart and the coordinator's.
      assert.equal(lines.filter((l) => l.msg === 'personal gate initialised').length, 1, `${id} gate initialised once`);
      const trained = lines.filter((l) => l.msg === 'local training done');
      for (const [r, record] of history) {
        if (!record.reported.includes(id)) continue;
        const done = trained.filter((l) => round(l) === r).pop();
        assert.ok(done, `${id} trained in round ${r}`);
        assert.deepEqual(done.trained, record.assignment[id], `${id} round ${r}: trained exactly its assigned experts`);
      }
      assert.ok(
        [3, 4].every((r) => history.get(r)!.reported.includes(id)),
        `${id} reported after the coordinator restart`,
      );
    }

    for (const [index, stateDir] of stateDirs.entries()) {
      const file = path.join(stateDir, 'model.onnx');
      assert.ok((await stat(file)).size > 0);
      assert.ok((await stat(path.join(stateDir, 'gate.bin'))).size > 0);
      const runs = index === 0 ? [firstClient0, client0] : [client1];
      const last = runs.flatMap((p) => p.messages('local training done')).pop()!;
      const accuracy = await onnxAccuracy(file, index);
      assert.ok(Math.abs(accuracy - Number(last.testAccuracy)) < 0.02, `c${index}: onnx ${accuracy} vs reported ${String(last.testAccuracy)}`);
    }
    second.child.kill('SIGTERM');
    await second.exited;
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});
