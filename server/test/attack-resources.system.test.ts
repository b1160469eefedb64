/**
 * Resource attacks against the real coordinator process over real gRPC, with an attacker peer:
 * 1,000 stalled Submit streams from one client, a replaced session's task stream. Bounds asserted: the coordinator's RSS (read from /proc) after the round stays within
 * 100 MB of before the attack, every extra Submit is refused, the stalled one is ended at the
 * round deadline, and the round aggregates the honest update.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import { chunkTensors, type RpcError, type SubmitMessage } from '@flexmoe/proto';
import { TestClient, makeUpdate, submitMessages } from './helpers/test-client';
import { startServer, stopProcess, waitForStatus } from './helpers/processes';

const STREAMS = 1000;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

test('1,000 stalled Submit streams from one client: refused or ended at the deadline, memory released', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-stall-'));
  const server = await startServer([
    '--data-dir',
    join(dir, 'data'),
    '--rounds',
    '2',
    '--min-clients',
    '1',
    '--min-available',
    '2',
    '--round-deadline',
    '15',
    '--log-level',
    'warn',
  ]);
  const honest = new TestClient({ address: server.address, clientId: 'honest' });
  // Its own connection: grpc-js would otherwise share one between both test clients.
  const staller = new TestClient({ address: server.address, clientId: 'staller', channelOptions: { 'grpc.use_local_subchannel_pool': 1 } });
  try {
    await honest.join({ capacity: 2, samples: 300 });
    await staller.join({ capacity: 2, samples: 300 });
    honest.subscribe();
    staller.subscribe();
    const [task, stallTask] = await Promise.all([honest.nextTask(), staller.nextTask()]);
    const [tensors, stallTensors] = await Promise.all([honest.download(task.round), staller.download(stallTask.round)]);
    const before = rssBytes(server.proc.pid!);
    // Each stream: a valid header and the first chunk of the update, then silence.
    const update = makeUpdate(stallTask, stallTensors, 300, 0.01);
    const [firstChunk] = chunkTensors(update.tensors);
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    async function* stalled(): AsyncGenerator<SubmitMessage> {
      yield { header: { ...update.header, sessionId: staller.session!.sessionId } };
      yield { chunk: firstChunk };
      await released;
    }
    const outcomes = Array.from({ length: STREAMS }, () =>
      staller.submitRaw(stalled(), 120_000).then(
        () => Status.OK,
        (err: unknown) => (err as RpcError).status,
      ),
    );
    await honest.submitRaw(submitMessages(honest.session!.sessionId, makeUpdate(task, tensors, 300, 0.01)));
    const codes = await Promise.all(outcomes);
    release();
    const count = (c: Status) => codes.filter((x) => x === c).length;
    t.diagnostic(`codes: ${JSON.stringify(Object.fromEntries([...new Set(codes)].map((c) => [Status[c], count(c)])))}`);
    assert.equal(count(Status.RESOURCE_EXHAUSTED), STREAMS - 1, 'one Submit per task: the others are refused at their header');
    assert.equal(count(Status.FAILED_PRECONDITION), 1, 'the stalled Submit is ended by the coordinator at the round deadline');
    const s = await waitForStatus(server.metricsPort, (x) => x.round >= 1);
    assert.deepEqual(s.history[0].reported, ['honest']);
    assert.match(s.history[0].failures.find((f: any) => f.clientId === 'staller').reason, /late/);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssBytes(server.proc.pid!);
    t.diagnostic(`coordinator RSS before ${(before / 2 ** 20).toFixed(0)} MiB, after the round ${(after / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(after - before < 100 * 2 ** 20, `RSS grew by ${((after - before) / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    honest.close();
    staller.close();
    await stopProcess(server, 'SIGKILL');
  }
});

test("a replaced session's task stream is ended at once", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-replace-'));
  const server = await startServer(['--data-dir', join(dir, 'data'), '--rounds', '1', '--min-clients', '3', '--log-level', 'info']);
  const first = new TestClient({ address: server.address, clientId: 'pi' });
  const second = new TestClient({ address: server.address, clientId: 'pi' });
  try {
    await first.join({ capacity: 2, samples: 100 });
    first.subscribe();
    await second.join({ capacity: 2, samples: 100, replace: true });
    await assert.rejects(
      first.nextTask(10_000),
      (err: RpcError) => err.status === Status.NOT_FOUND && err.reason === 'ERROR_REASON_UNKNOWN_SESSION' && /replaced by a new session/.test(err.details),
    );
  } finally {
    first.close();
    second.close();
    await stopProcess(server, 'SIGKILL');
  }
});
