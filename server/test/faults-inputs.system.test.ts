/**
 * Malformed and unauthenticated input against a real coordinator process over real gRPC: each
 * gets its precise status, leaves the state unchanged (the aggregate equals the mean of the
 * valid updates only), is counted in /metrics, and the run goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import type { RpcError } from '@flexmoe/proto';
import { TestClient, healthCheck, makeUpdate, submitMessages } from './helpers/test-client';
import { getStatus, httpGet, metricValue, startServer, stopProcess, waitForStatus } from './helpers/processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '8', '--expert-hidden', '8', '--input-shape', '1,6,6', '--classes', '3'];

async function expectStatus(p: Promise<unknown>, code: Status, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (err: RpcError) => {
    assert.equal(err.status, code, `expected ${Status[code]}, got ${Status[err.status]}: ${err.details}`);
    if (pattern) assert.match(err.details, pattern);
    return true;
  });
}

test('bad updates get precise statuses, change nothing, and the run continues', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-faults-'));
  const tokens = join(dir, 'tokens.txt');
  writeFileSync(tokens, '# id token\nalice secret-a\nbob secret-b\n');
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--tokens',
    tokens,
    '--rounds',
    '2',
    '--min-clients',
    '2',
    '--round-deadline',
    '60',
    '--log-level',
    'info',
    ...SMALL_MODEL,
  ]);
  const alice = new TestClient({ address: server.address, clientId: 'alice', token: 'secret-a' });
  const bob = new TestClient({ address: server.address, clientId: 'bob', token: 'secret-b' });
  try {
    assert.equal(await healthCheck(server.address, 'flexmoe.v1.Coordinator'), 'SERVING');
    // Unauthenticated: no id, unknown id, wrong token. Nothing is registered.
    await expectStatus(alice.join({ capacity: 2, samples: 100, md: alice.metadata({ clientId: null }) }), Status.UNAUTHENTICATED);
    const mallory = new TestClient({ address: server.address, clientId: 'mallory', token: 'x' });
    await expectStatus(mallory.join({ capacity: 2, samples: 100 }), Status.UNAUTHENTICATED, /unknown client/);
    mallory.close();
    await expectStatus(alice.join({ capacity: 2, samples: 100, md: alice.metadata({ token: 'wrong' }) }), Status.UNAUTHENTICATED, /token/);
    assert.deepEqual((await getStatus(server.metricsPort)).clients, []);

    await alice.join({ capacity: 2, samples: 300 });
    await bob.join({ capacity: 2, samples: 100 });
    await expectStatus(bob.join({ capacity: 2, samples: 100 }), Status.ALREADY_EXISTS);
    alice.subscribe();
    bob.subscribe();
    const [taskA, taskB] = await Promise.all([alice.nextTask(), bob.nextTask()]);
    assert.equal(taskA.round, 1);
    const w0 = await alice.download(1);
    const bobDone = (async () => {
      const t = await bob.download(1);
      return bob.submitRaw(submitMessages(bob.session!.sessionId, makeUpdate(taskB, t, 100, 0.01)));
    })();
    await bobDone;
    const sid = alice.session!.sessionId;
    const good = makeUpdate(taskA, w0, 300, 0.03);
    const send = (mutate: Parameters<typeof submitMessages>[2], header: Partial<typeof good.header> = {}) =>
      alice.submitRaw(submitMessages(sid, { ...good, header: { ...good.header, ...header } }, mutate));

    await expectStatus(
      send((c) => (c[0]!.header!.shape = [1, ...(c[0]!.header!.shape as number[])])),
      Status.INVALID_ARGUMENT,
      /shape/,
    );
    const nan = {
      ...good,
      tensors: good.tensors.map((t, i) => (i === 0 ? { ...t, data: Float32Array.from(t.data as Float32Array, (v, j) => (j === 3 ? NaN : v)) } : t)),
    };
    await expectStatus(alice.submitRaw(submitMessages(sid, nan)), Status.INVALID_ARGUMENT, /non-finite/);
    await expectStatus(
      send((c) => ((c[1]!.data as Buffer)[0] ^= 0x55)),
      Status.DATA_LOSS,
      /crc32/,
    );
    await expectStatus(send(undefined, { round: 7 }), Status.FAILED_PRECONDITION, /round 7/);
    await expectStatus(
      send((c) => (c[0]!.data = Buffer.alloc(3 << 20))),
      Status.RESOURCE_EXHAUSTED,
    );
    await expectStatus(send(undefined, { totalBytes: good.header.totalBytes * 100 }), Status.RESOURCE_EXHAUSTED, /declares/);
    await expectStatus(
      send((c) => c.pop()),
      Status.INVALID_ARGUMENT,
    );
    const stale = await getStatus(server.metricsPort);
    assert.equal(stale.round, 0, 'no rejected update completed the round');

    assert.equal((await send(undefined)).accepted, true);
    await waitForStatus(server.metricsPort, (s) => s.round === 1);
    const [task2, bobTask2] = await Promise.all([alice.nextTask(), bob.nextTask()]);
    const w1 = await alice.download(task2!.round);
    // The new backbone is the n_c-weighted mean of the two valid updates, nothing else.
    for (const [name, t] of w1) {
      if (!name.startsWith('backbone.')) continue;
      const before = w0.get(name)!.data as Float32Array;
      const after = t.data as Float32Array;
      for (let i = 0; i < after.length; i += 7) {
        const expected = (300 * (before[i]! + 0.03) + 100 * (before[i]! + 0.01)) / 400;
        assert.ok(Math.abs(after[i]! - expected) < 1e-5, `${name}[${i}] = ${after[i]}, expected ${expected}`);
      }
    }
    const metrics = (await httpGet(server.metricsPort, '/metrics')).body;
    for (const result of ['shape', 'non_finite', 'checksum', 'stale', 'too_large', 'invalid']) {
      assert.ok((metricValue(metrics, 'flexmoe_updates_total', `{result="${result}"}`) ?? 0) >= 1, `updates_total{result="${result}"}`);
    }
    assert.equal(metricValue(metrics, 'flexmoe_updates_total', '{result="accepted"}'), 2);
    assert.match(server.logs(), /"client":"alice".*"result":"checksum"/);
    // Round 2 completes normally; the coordinator exits cleanly at the end of the run.
    await Promise.all([serveRoundsFrom(alice, task2!, 300), serveRoundsFrom(bob, bobTask2, 100)]);
    assert.equal(await server.exited, 0);
    const final = JSON.parse(
      server
        .logs()
        .split('\n')
        .filter((l) => l.includes('run finished'))[0] ?? '{}',
    );
    assert.equal(final.completedRounds, 2);
  } finally {
    alice.close();
    bob.close();
    await stopProcess(server, 'SIGKILL');
  }
});

async function serveRoundsFrom(c: TestClient, task: Awaited<ReturnType<TestClient['nextTask']>> | undefined, samples: number): Promise<void> {
  const t = task ?? (await c.nextTask());
  const tensors = await c.download(t.round);
  await c.submitRaw(submitMessages(c.session!.sessionId, makeUpdate(t, tensors, samples, 0)));
}
