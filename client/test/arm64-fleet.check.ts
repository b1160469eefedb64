/**
 * arm64 check (run by `npm run test:arm64`, not by `npm test`): an x86 coordinator on the host's
 * node and two client daemons on the official arm64 node under qemu-user, over loopback gRPC, for
 * three rounds. It asserts that the run completes with both arm64 daemons reporting every round and
 * that their personalised models clear an accuracy floor; it does not ask for bit-equality with
 * x86 (floating-point kernels differ between the architectures).
 *
 * `FLEXMOE_ARM64_LAUNCHER` (a JSON array: emulator, its flags, the arm64 node binary) comes from
 * scripts/test-arm64.mjs; without it this check fails rather than skipping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess } from './processes';

const ROUNDS = 3;
const SAMPLES = 600;
/**
 * Ten classes, so chance is 0.1. The same fleet on x86 reaches 0.55 and 0.78 after three rounds
 * (600 samples, 5 local epochs, 100 test samples each); 0.4 leaves room for kernel differences and
 * still fails a daemon that trains garbage (a broken arm64 kernel gives chance or NaN).
 */
const ACCURACY_FLOOR = 0.4;
/** Emulated daemons are 20-70 times slower than native ones on a loaded machine. */
const EMULATED_TIMEOUT_MS = 900_000;

function launcher(): string[] {
  const raw = process.env.FLEXMOE_ARM64_LAUNCHER;
  assert.ok(raw, 'FLEXMOE_ARM64_LAUNCHER is not set: run this check through `npm run test:arm64`');
  const parsed = JSON.parse(raw) as unknown;
  assert.ok(Array.isArray(parsed) && parsed.length > 0 && parsed.every((s) => typeof s === 'string'), `bad FLEXMOE_ARM64_LAUNCHER: ${raw}`);
  return parsed as string[];
}

function serverArgs(dataDir: string): string[] {
  return [
    'server',
    '--insecure',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
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
    '600',
    '--heartbeat-interval',
    '2',
    '--liveness-timeout',
    '120',
    '--local-epochs',
    '5',
    '--learning-rate',
    '0.1',
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
    'iid',
    '--shard',
    `${index}/2`,
    '--seed',
    '1',
    '--max-samples',
    String(SAMPLES),
    '--capacity',
    '2',
    '--id',
    `arm${index}`,
    '--state-dir',
    stateDir,
    '--metrics-host',
    '127.0.0.1',
    '--metrics-port',
    '0',
  ];
}

interface RoundStatus {
  round: number;
  reported: string[];
}

test('an x86 coordinator and two arm64 daemons (qemu-user) complete three rounds above the accuracy floor', { timeout: EMULATED_TIMEOUT_MS }, async () => {
  const arm = launcher();
  const arch = execFileSync(arm[0], [...arm.slice(1), '-p', 'process.arch'], { encoding: 'utf8' }).trim();
  assert.equal(arch, 'arm64', 'the launcher runs an arm64 node');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-arm64-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const server = startFlexmoe(serverArgs(path.join(dir, 'coordinator')));
    procs.push(server);
    const port = Number((await waitForStdout(server, /listening grpc=[^\s]*:(\d+)/))[1]);
    const metricsPort = Number((await waitForStdout(server, /metrics=[^:]+:(\d+)/))[1]);
    const clients = [0, 1].map((i) => startFlexmoe(clientArgs(port, i, path.join(dir, `arm${i}`)), {}, arm));
    procs.push(...clients);

    // Under emulation memoryUsage().rss reads 0; the daemon's peak comes from VmHWM in
    // /proc/self/status (qemu-user passes the emulator process's through), so it must not be 0.
    const listening = await clients[0].waitFor('arm0 metrics port', (l) => l.msg === 'metrics listening', EMULATED_TIMEOUT_MS);
    await clients[0].waitFor('arm0 round 1 accepted', (l) => l.msg === 'update accepted', EMULATED_TIMEOUT_MS);
    const scrape = await fetch(`http://127.0.0.1:${Number(listening.port)}/metrics`);
    assert.equal(scrape.status, 200);
    const peak = Number(/^flexmoe_client_peak_rss_bytes (\S+)/m.exec(await scrape.text())?.[1]);
    console.log(`arm0: peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB after round 1 (emulator included)`);
    assert.ok(peak > 0, `arm0: flexmoe_client_peak_rss_bytes ${peak}`);

    const codes = await Promise.all(clients.map((c) => c.exited));
    assert.deepEqual(codes, [0, 0], `both arm64 daemons exit 0 at the end of the run\n${clients.map((c) => c.stderrText().slice(-2000)).join('\n')}`);
    const status = (await (await fetch(`http://127.0.0.1:${metricsPort}/api/status`)).json()) as { history: RoundStatus[] };
    assert.deepEqual(status.history.map((r) => r.round).sort(), [1, 2, 3], 'three completed rounds');
    for (const r of status.history) assert.deepEqual([...r.reported].sort(), ['arm0', 'arm1'], `round ${r.round}: both arm64 daemons reported`);

    for (const [i, c] of clients.entries()) {
      assert.equal(c.messages('run complete').length, 1, `arm${i} saw the run complete`);
      const done = c.messages('local training done');
      assert.equal(done.length, ROUNDS, `arm${i} trained ${ROUNDS} rounds`);
      const last = done[done.length - 1];
      const accuracy = Number(last.testAccuracy);
      const seconds = done.map((l) => Number(l.seconds).toFixed(1)).join(', ');
      console.log(`arm${i}: test accuracy ${accuracy.toFixed(3)} after round ${ROUNDS}; local training ${seconds} s per round (emulated)`);
      assert.ok(Number.isFinite(accuracy) && accuracy >= ACCURACY_FLOOR, `arm${i}: test accuracy ${accuracy} below the floor ${ACCURACY_FLOOR}`);
    }
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, 'coordinator exits 0 on SIGTERM');
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});
