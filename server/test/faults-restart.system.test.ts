/**
 * Coordinator crashes and slow clients with real processes: SIGKILL mid-round and restart on the
 * same data directory resumes at the last completed round with nothing lost; a corrupt newest
 * checkpoint is a clear startup error that deletes nothing; a client past the deadline is
 * counted late and the next round goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import type { RpcError } from '@flexmoe/proto';
import { TestClient, healthCheck, makeUpdate, serveRounds, submitMessages } from './helpers/test-client';
import { getStatus, httpGet, metricValue, runFlexmoe, startServer, stopProcess, waitForStatus } from './helpers/processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '8', '--expert-hidden', '8', '--input-shape', '1,6,6', '--classes', '3'];

async function joinAll(address: string, ids: readonly string[], replace = false): Promise<TestClient[]> {
  const clients = ids.map((id) => new TestClient({ address, clientId: id }));
  for (const [i, c] of clients.entries()) {
    await c.join({ capacity: 2, samples: 100 * (i + 1), replace });
    c.subscribe();
  }
  return clients;
}

test('SIGKILL mid-round: restart resumes at the last completed round, clients rejoin, run completes', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexmoe-restart-'));
  const args = ['--data-dir', dataDir, '--rounds', '3', '--min-clients', '2', '--round-deadline', '60', '--seed', '5', ...SMALL_MODEL];
  const first = await startServer(args);
  let clients = await joinAll(first.address, ['a', 'b']);
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await Promise.all(clients.map((c, i) => serveRounds(c, 100 * (i + 1), 0.01, 2)));
    const before = await waitForStatus(first.metricsPort, (s) => s.round === 2);
    // Round 3 is dispatched; kill the coordinator before anyone reports.
    const tasks = await Promise.all(clients.map((c) => c.nextTask()));
    assert.deepEqual(
      tasks.map((t) => t.round),
      [3, 3],
    );
    first.proc.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    clients.forEach((c) => c.close());
    assert.ok(readdirSync(dataDir).includes('round-000002.ckpt'));

    second = await startServer(args);
    const resumed = await getStatus(second.metricsPort);
    assert.equal(resumed.round, 2, 'resumes at the last completed round');
    assert.equal(resumed.runId, before.runId);
    assert.deepEqual(
      resumed.history.map((h: { round: number }) => h.round),
      [1, 2],
    );
    assert.deepEqual(resumed.history[1].assignment, before.history[1].assignment);
    clients = await joinAll(second.address, ['a', 'b'], true);
    const served = await Promise.all(clients.map((c, i) => serveRounds(c, 100 * (i + 1), 0.01, 1)));
    assert.deepEqual(
      served.map((s) => s[0]!.round),
      [3, 3],
      'the interrupted round is run again, not skipped',
    );
    assert.equal(await second.exited, 0);
    const finished = JSON.parse(
      second
        .logs()
        .split('\n')
        .find((l) => l.includes('"run finished"'))!,
    );
    assert.equal(finished.completedRounds, 3);
    assert.ok(readdirSync(dataDir).includes('round-000003.ckpt'));
  } finally {
    clients.forEach((c) => c.close());
    await stopProcess(first, 'SIGKILL');
    if (second) await stopProcess(second, 'SIGKILL');
  }
});

test('a corrupt newest checkpoint is a clear error and nothing is deleted', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexmoe-corrupt-'));
  const args = ['--data-dir', dataDir, '--rounds', '2', '--min-clients', '1', '--round-deadline', '60', ...SMALL_MODEL];
  const server = await startServer(args);
  const [c] = await joinAll(server.address, ['solo']);
  try {
    await serveRounds(c!, 100, 0.01, 2);
    assert.equal(await server.exited, 0);
  } finally {
    c!.close();
    await stopProcess(server, 'SIGKILL');
  }
  const newest = join(dataDir, 'round-000002.ckpt');
  const bytes = readFileSync(newest);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(newest, bytes);
  const result = await runFlexmoe(['server', '--insecure', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', ...args]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /round-000002\.ckpt is corrupt: SHA-256 mismatch/);
  assert.match(result.stderr, /round-000001\.ckpt/, 'names the earlier checkpoint kept');
  assert.deepEqual(
    readdirSync(dataDir)
      .filter((f) => f.endsWith('.ckpt'))
      .sort(),
    ['round-000001.ckpt', 'round-000002.ckpt'],
  );
});

test('a client slower than the deadline is counted late; the round aggregates the others and the next round is fine', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexmoe-late-'));
  const server = await startServer([
    '--data-dir',
    dataDir,
    '--rounds',
    '2',
    '--min-clients',
    '1',
    '--min-available',
    '2',
    '--round-deadline',
    '1.5',
    ...SMALL_MODEL,
  ]);
  const [fast, slow] = await joinAll(server.address, ['fast', 'slow']);
  try {
    const fastDone = serveRounds(fast!, 100, 0.01, 2);
    const task = await slow!.nextTask();
    const tensors = await slow!.download(task.round);
    const after1 = await waitForStatus(server.metricsPort, (s) => s.round === 1);
    assert.deepEqual(after1.history[0].failures, [{ clientId: 'slow', reason: 'late' }]);
    assert.deepEqual(after1.history[0].reported, ['fast']);
    const metrics = (await httpGet(server.metricsPort, '/metrics')).body;
    assert.equal(metricValue(metrics, 'flexmoe_client_failures_total', '{reason="late"}'), 1);
    // Its update now is for a round that is over.
    await assert.rejects(
      slow!.submitRaw(submitMessages(slow!.session!.sessionId, makeUpdate(task, tensors, 200, 0.01))),
      (e: RpcError) => e.status === Status.FAILED_PRECONDITION && e.reason === 'ERROR_REASON_STALE_ROUND',
    );
    await Promise.all([fastDone, serveRounds(slow!, 200, 0.01, 1)]);
    assert.equal(await server.exited, 0);
    const finished = JSON.parse(
      server
        .logs()
        .split('\n')
        .find((l) => l.includes('"run finished"'))!,
    );
    assert.equal(finished.completedRounds, 2);
  } finally {
    fast!.close();
    slow!.close();
    await stopProcess(server, 'SIGKILL');
  }
});

test('SIGTERM mid-round: health NOT_SERVING, joins refused, the round in flight finishes, checkpoint, exit 0', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexmoe-sigterm-'));
  const server = await startServer([
    '--data-dir',
    dataDir,
    '--rounds',
    '5',
    '--min-clients',
    '2',
    '--round-deadline',
    '30',
    '--drain-grace',
    '20',
    ...SMALL_MODEL,
  ]);
  const clients = await joinAll(server.address, ['a', 'b']);
  try {
    await Promise.all(clients.map((c, i) => serveRounds(c, 100 * (i + 1), 0.01, 1)));
    const tasks = await Promise.all(clients.map((c) => c.nextTask()));
    assert.deepEqual(
      tasks.map((t) => t.round),
      [2, 2],
    );
    server.proc.kill('SIGTERM');
    await waitForHealth(server.address, 'NOT_SERVING');
    const late = new TestClient({ address: server.address, clientId: 'late' });
    await assert.rejects(late.join({ capacity: 2, samples: 10 }), (e: RpcError) => e.status === Status.UNAVAILABLE && e.reason === 'ERROR_REASON_DRAINING');
    late.close();
    // The round in flight may still finish within the drain grace.
    for (const [i, c] of clients.entries()) {
      const tensors = await c.download(2);
      await c.submitRaw(submitMessages(c.session!.sessionId, makeUpdate(tasks[i]!, tensors, 100 * (i + 1), 0.01)));
    }
    assert.equal(await server.exited, 0);
    assert.ok(readdirSync(dataDir).includes('round-000002.ckpt'), 'the finished round is checkpointed');
    assert.ok(!readdirSync(dataDir).includes('round-000003.ckpt'), 'no new round started while draining');
  } finally {
    clients.forEach((c) => c.close());
    await stopProcess(server, 'SIGKILL');
  }
});

async function waitForHealth(address: string, want: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await healthCheck(address).catch(() => 'error')) === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`health never became ${want}`);
}
