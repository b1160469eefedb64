/**
 * A daemon slower than the round deadline: the coordinator aggregates without it; the daemon sees
 * the round move on in a heartbeat, abandons its training (instead of finishing a stale update),
 * and ends with the run like everyone else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess } from './processes';

test('a daemon past the round deadline abandons the stale round and finishes with the run', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-slow-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const server = startFlexmoe([
      'server', '--insecure', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--data-dir', path.join(dir, 'data'),
      '--experts', '4', '--feature-dim', '16', '--expert-hidden', '8', '--rounds', '1', '--min-clients', '1', '--fraction', '1',
      // 200 local epochs: 100 samples take a moment, 6,000 samples take 60 times longer.
      '--local-epochs', '200', '--round-deadline', '3', '--heartbeat-interval', '0.2', '--keep-serving',
    ]);
    procs.push(server);
    const port = Number((await waitForStdout(server, /listening grpc=[^:]+:(\d+)/))[1]);
    const client = (id: string, samples: number): FlexmoeProcess => {
      const p = startFlexmoe([
        'client', '--server', `127.0.0.1:${port}`, '--data', 'fashion-mnist', '--shard', `${id === 'fast' ? 0 : 1}/2`,
        '--max-samples', String(samples), '--id', id, '--state-dir', path.join(dir, id),
      ]);
      procs.push(p);
      return p;
    };
    // The slow daemon joins first, so the first attempt of round 1 samples it (alone or not).
    const slow = client('slow', 6000);
    await slow.waitFor('slow joined', (l) => l.msg === 'joined');
    const fast = client('fast', 100);

    assert.deepEqual(await Promise.all([fast.exited, slow.exited]), [0, 0]);
    assert.ok(fast.messages('update accepted').length >= 1);
    const tasks = slow.messages('round task received').length;
    assert.ok(tasks >= 1, 'the slow daemon was sampled');
    // Every task is abandoned: a retried attempt or the next round supersedes it, or the run ends.
    const abandoned = slow.messages('round abandoned: the coordinator moved on; waiting for the next task').length;
    const skipped = slow.messages('download refused or damaged; skipping this round').length;
    assert.ok(abandoned >= 1);
    assert.equal(abandoned + skipped, tasks, 'every stale round abandoned (or skipped when already over at download)');
    assert.equal(slow.messages('update refused as invalid; waiting for the next task').length, 0, 'no stale update sent');
    assert.equal(slow.messages('local training done').length, 0, 'no stale update was finished');
    assert.equal(slow.messages('run complete').length, 1);
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});
