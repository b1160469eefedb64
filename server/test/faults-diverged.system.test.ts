/**
 * Training that diverges on the global parameters, against the real coordinator over gRPC: when
 * every client reports a non-finite loss, the round fails at once (not at its 10-minute deadline)
 * with that reason, and the coordinator rolls back to the global parameters before the last
 * aggregated round, checkpoints them and serves them to the retry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoundTask__Output } from '@flexmoe/proto';
import { TestClient, makeUpdate, submitMessages } from './helpers/test-client';
import { startServer, stopProcess, waitForStatus } from './helpers/processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '8', '--expert-hidden', '8', '--input-shape', '1,6,6', '--classes', '3'];

function reportDiverged(c: TestClient, task: RoundTask__Output): Promise<{ accepted: boolean; message?: string }> {
  return c.submitRaw([
    { header: { sessionId: c.session!.sessionId, round: task.round, attempt: task.attempt, failure: 'non-finite training loss at epoch 1', diverged: true } },
  ]);
}

test('when every client diverges the round fails fast and the coordinator rolls back', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-diverged-'));
  const server = await startServer(['--data-dir', join(dir, 'data'), '--rounds', '3', '--min-clients', '2', '--round-deadline', '600', ...SMALL_MODEL]);
  const clients = ['a', 'b'].map((id) => new TestClient({ address: server.address, clientId: id }));
  try {
    for (const c of clients) await c.join({ capacity: 2, samples: 100 });
    for (const c of clients) c.subscribe();
    // Round 1 aggregates normally.
    const tasks1 = await Promise.all(clients.map((c) => c.nextTask()));
    const before = await clients[0]!.download(1);
    await Promise.all(clients.map(async (c, i) => c.submitRaw(submitMessages(c.session!.sessionId, makeUpdate(tasks1[i]!, await c.download(1), 100, 0.01)))));
    await waitForStatus(server.metricsPort, (s) => s.round === 1);
    // Round 2: both report a non-finite loss.
    const tasks2 = await Promise.all(clients.map((c) => c.nextTask()));
    const after1 = await clients[0]!.download(2);
    const acks = await Promise.all(clients.map((c, i) => reportDiverged(c, tasks2[i]!)));
    for (const ack of acks) assert.equal(ack.accepted, false);
    // The retry of round 2 comes at once and serves the parameters from before round 1.
    const retry = await clients[0]!.nextTask(20_000);
    assert.equal(retry.round, 2);
    assert.equal(retry.attempt, 1);
    const served = await clients[0]!.download(2);
    const name = 'backbone.fc.weight';
    assert.notDeepEqual(Array.from(after1.get(name)!.data as Float32Array), Array.from(before.get(name)!.data as Float32Array), 'round 1 moved the backbone');
    assert.deepEqual(
      Array.from(served.get(name)!.data as Float32Array),
      Array.from(before.get(name)!.data as Float32Array),
      'rolled back to the parameters before round 1',
    );
    assert.match(server.logs(), /"reason":"training diverged \(non-finite loss\) on 2 of 2 clients".*training diverged: rolled back/);
    assert.match(server.logs(), /"client":"a","reason":"reported: diverged: non-finite training loss at epoch 1"/);
  } finally {
    for (const c of clients) c.close();
    await stopProcess(server, 'SIGKILL');
  }
});
