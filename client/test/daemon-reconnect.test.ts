/**
 * A daemon started before its coordinator keeps retrying with backoff (growing attempt count in
 * its log), and joins by itself once a real coordinator comes up on that address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess } from './processes';

test('a daemon waits for an absent coordinator with backoff and joins when it appears', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-reconnect-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const port = await freePort();
    const client = startFlexmoe([
      'client', '--server', `127.0.0.1:${port}`, '--data', 'fashion-mnist', '--shard', '1/4', '--max-samples', '100',
      '--state-dir', path.join(dir, 'state'), '--id', 'early-bird',
    ]);
    procs.push(client);
    await client.waitFor('third failed attempt', (l) => l.msg === 'coordinator not reachable; retrying' && Number(l.attempt) >= 3);
    const refusals = client.messages('coordinator not reachable; retrying');
    assert.deepEqual(refusals.map((l) => l.kind), refusals.map(() => 'unavailable'));
    assert.deepEqual(refusals.map((l) => l.attempt), refusals.map((_, i) => i + 1), 'attempts are counted, not reset');

    const server = startFlexmoe([
      'server', '--insecure', '--host', '127.0.0.1', '--port', String(port), '--metrics-port', '0', '--data-dir', path.join(dir, 'data'),
      '--experts', '4', '--feature-dim', '16', '--expert-hidden', '8', '--rounds', '1', '--min-clients', '2',
    ]);
    procs.push(server);
    await waitForStdout(server, /listening grpc=/);
    const joined = await client.waitFor('joined', (l) => l.msg === 'joined');
    assert.equal((joined.run as { totalRounds: number }).totalRounds, 1);
    client.child.kill('SIGTERM');
    assert.equal(await client.exited, 0);
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});
