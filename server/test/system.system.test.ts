/**
 * The product end to end: one real coordinator process and four real client daemon processes
 * over loopback gRPC on Fashion-MNIST shards, three rounds of the flexmoe strategy. Checks what a
 * user would: each client trained exactly its assigned experts, the assignment respected capacity
 * and the load bounds, the run's accuracy improved, /metrics carries the SPEC names with sensible
 * values, every client wrote a model.onnx that ONNX Runtime loads, and SIGTERM drains cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { REPO_ROOT, httpGet, metricValue, startServer, stopProcess, waitForStatus } from './helpers/processes';
import { healthCheck } from './helpers/test-client';

const CLIENTS = 4;
const ROUNDS = 3;
const EXPERTS = 4;
const CAPACITY = 2;
const SAMPLES = 500;

interface DaemonRun {
  readonly id: string;
  readonly stateDir: string;
  readonly lines: Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  readonly kill: () => void;
}

function startDaemon(address: string, index: number, dir: string): DaemonRun {
  const id = `edge-${index}`;
  const stateDir = join(dir, id);
  const args = [
    join(REPO_ROOT, 'bin', 'flexmoe.js'),
    'client',
    '--server',
    address,
    '--data',
    'fashion-mnist',
    '--partition',
    'iid',
    '--shard',
    `${index}/${CLIENTS}`,
    '--seed',
    '7',
    '--max-samples',
    String(SAMPLES),
    '--capacity',
    String(CAPACITY),
    '--id',
    id,
    '--state-dir',
    stateDir,
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stderr.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p));
      } catch {
        lines.push({ msg: p });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { id, stateDir, lines, exited, kill: () => child.kill('SIGKILL') };
}

test('four daemons and a coordinator run three flexmoe rounds on Fashion-MNIST', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-system-'));
  const server = await startServer([
    '--data-dir',
    join(dir, 'coordinator'),
    '--rounds',
    String(ROUNDS),
    '--experts',
    String(EXPERTS),
    '--feature-dim',
    '32',
    '--expert-hidden',
    '16',
    '--min-clients',
    String(CLIENTS),
    '--round-deadline',
    '120',
    '--learning-rate',
    '0.05',
    '--batch-size',
    '32',
    '--local-epochs',
    '1',
    '--keep-serving',
    '--heartbeat-interval',
    '0.5',
    '--liveness-timeout',
    '2',
    '--seed',
    '11',
    '--strategy',
    'flexmoe',
  ]);
  const daemons = Array.from({ length: CLIENTS }, (_, i) => startDaemon(server.address, i, dir));
  try {
    const status = await waitForStatus(server.metricsPort, (s) => s.round === ROUNDS, 60_000).catch((err: unknown) => {
      const tail = (text: string) => text.split('\n').slice(-15).join('\n');
      throw new Error(
        `${(err as Error).message}\ncoordinator log:\n${tail(server.logs())}\n${daemons[0]!.id} log:\n${daemons[0]!.lines
          .slice(-10)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
    });
    const history = status.history as Array<{
      round: number;
      assignment: Record<string, number[]>;
      reported: string[];
      accuracy: number;
      preLocalAccuracy: number;
      load: number[];
      solver: { status: string; violation: number };
    }>;
    assert.deepEqual(
      history.map((h) => h.round),
      [1, 2, 3],
    );
    const samples = new Map<string, number>(status.clients.map((c: { id: string; samples: number }) => [c.id, c.samples]));
    for (const h of history) {
      assert.deepEqual(h.reported.sort(), daemons.map((d) => d.id).sort(), `round ${h.round}: every client reported`);
      for (const [id, experts] of Object.entries(h.assignment)) {
        assert.equal(new Set(experts).size, CAPACITY, `round ${h.round}: ${id} holds k_c distinct experts`);
        assert.ok(experts.every((e) => Number.isInteger(e) && e >= 0 && e < EXPERTS));
      }
      // Load bounds: L = T(1 - delta), U = T(1 + delta) before any deficit exists (round 1);
      // later rounds' bounds move with the deficits, so the solver's own report must show no violation.
      const total = [...samples.values()].reduce((a, n) => a + n * CAPACITY, 0);
      const share = total / EXPERTS;
      const load = Array.from({ length: EXPERTS }, (_, e) =>
        Object.entries(h.assignment).reduce((s, [id, ex]) => s + (ex.includes(e) ? samples.get(id)! : 0), 0),
      );
      assert.deepEqual(h.load, load, `round ${h.round}: reported load is sum of n_c over holders`);
      if (h.round === 1)
        load.forEach((l) => assert.ok(l >= 0.9 * share - 1e-9 && l <= 1.1 * share + 1e-9, `round 1 load ${l} within [0.9T, 1.1T], T=${share}`));
      assert.equal(h.solver.violation, 0, `round ${h.round}: bounds hold`);
    }
    for (const d of daemons) {
      const trained = d.lines.filter((l) => l.msg === 'local training done');
      for (const h of history) {
        const line = trained.find((l) => Number(l.round) === h.round);
        assert.ok(line, `${d.id} trained in round ${h.round}`);
        assert.deepEqual(line.trained, h.assignment[d.id], `${d.id} round ${h.round}: trained exactly its assigned experts`);
      }
    }
    assert.ok(history[2]!.accuracy > history[0]!.accuracy, `accuracy improved: ${history.map((h) => h.accuracy.toFixed(3)).join(' -> ')}`);

    // The daemons leave when the coordinator reports the run complete.
    assert.deepEqual(
      await Promise.all(daemons.map((d) => d.exited)),
      daemons.map(() => 0),
    );
    // They do not say goodbye after the run; liveness drops them once they fall silent.
    await waitForStatus(server.metricsPort, (s) => s.clients.every((c: { connected: boolean }) => !c.connected), 30_000);
    const metrics = (await httpGet(server.metricsPort, '/metrics')).body;
    assert.equal(metricValue(metrics, 'flexmoe_round'), ROUNDS);
    assert.equal(metricValue(metrics, 'flexmoe_round_duration_seconds_count'), ROUNDS);
    assert.ok(metricValue(metrics, 'flexmoe_assignment_solve_seconds_count')! >= ROUNDS);
    const loads = Array.from({ length: EXPERTS }, (_, e) => metricValue(metrics, 'flexmoe_expert_load', `{expert="${e}"}`)!);
    assert.deepEqual(loads, history[2]!.load);
    const cv = metricValue(metrics, 'flexmoe_expert_load_cv')!;
    assert.ok(cv <= 0.1 + 1e-9, `load cv ${cv}`);
    assert.equal(metricValue(metrics, 'flexmoe_clients_connected'), 0, 'silent daemons are dropped');
    assert.equal(metricValue(metrics, 'flexmoe_updates_total', '{result="accepted"}'), CLIENTS * ROUNDS);
    const down = metricValue(metrics, 'flexmoe_transfer_bytes_total', '{direction="down"}')!;
    const up = metricValue(metrics, 'flexmoe_transfer_bytes_total', '{direction="up"}')!;
    assert.ok(down > 0 && up === down, `bytes down ${down} equal bytes up ${up} (same tensors each way)`);
    assert.equal(metricValue(metrics, 'flexmoe_eval_accuracy'), history[2]!.accuracy);
    assert.equal(metricValue(metrics, 'flexmoe_round_accuracy', '{kind="post_local"}'), history[2]!.accuracy);
    assert.equal(metricValue(metrics, 'flexmoe_round_accuracy', '{kind="pre_local"}'), history[2]!.preLocalAccuracy);

    for (const d of daemons) {
      const file = join(d.stateDir, 'model.onnx');
      assert.ok(statSync(file).size > 0, `${d.id} wrote model.onnx`);
      const session = await ort.InferenceSession.create(file);
      const input = session.inputNames[0]!;
      const out = await session.run({ [input]: new ort.Tensor('float32', new Float32Array(2 * 784), [2, 1, 28, 28]) });
      assert.ok(Object.keys(out).length > 0, `${d.id} model.onnx runs`);
      await session.release();
    }

    // Graceful SIGTERM: health NOT_SERVING, clean exit 0, and the run is checkpointed.
    assert.equal(await healthCheck(server.address), 'SERVING');
    server.proc.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    assert.match(server.logs(), /"msg":"draining"/);
  } finally {
    daemons.forEach((d) => d.kill());
    await stopProcess(server, 'SIGKILL');
  }
});
