/**
 * Daemons that fail, against a real coordinator: training that diverges (a learning rate of
 * 1e30) is reported, so the coordinator fails the round at once instead of waiting for its
 * 10-minute deadline; two daemons sharing one id are told apart from a restart, on both sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess } from './processes';

const MODEL = ['--experts', '4', '--feature-dim', '16', '--expert-hidden', '8'];

async function fleet(dir: string, serverArgs: string[], ids: string[], procs: FlexmoeProcess[]) {
  const server = startFlexmoe(['server', '--insecure', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--data-dir', path.join(dir, 'data'), ...MODEL, ...serverArgs]);
  procs.push(server);
  const port = Number((await waitForStdout(server, /listening grpc=[^:]+:(\d+)/))[1]);
  const clients = ids.map((id, i) => {
    const p = startFlexmoe(['client', '--server', `127.0.0.1:${port}`, '--data', 'fashion-mnist', '--shard', `${i}/2`, '--max-samples', '100', '--id', id, '--state-dir', path.join(dir, `state-${i}`)]);
    procs.push(p);
    return p;
  });
  return { server, clients };
}

test('a diverging daemon reports it and the round fails at once, not at its deadline', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-diverge-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const { server, clients } = await fleet(dir, ['--rounds', '1', '--min-clients', '2', '--round-deadline', '600', '--learning-rate', '1e30'], ['d0', 'd1'], procs);
    await server.waitFor('a diverged round', (l) => /training diverged \(non-finite loss\) on 2 of 2 clients/.test(String(l.msg)), 90_000);
    for (const c of clients) {
      await c.waitFor('the failure reported', (l) => l.msg === 'round failure reported to the coordinator', 30_000);
    }
    assert.ok(server.messages('client reported a failure').every((l) => /^reported: diverged: /.test(String(l.reason))));
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});

test('two daemons with the same id: the replace loop is logged as a duplicate id on both sides', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-dupid-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const { server, clients } = await fleet(dir, ['--rounds', '1', '--min-clients', '3'], ['clone', 'clone'], procs);
    await server.waitFor('the coordinator to notice', (l) => /duplicate client id/.test(String(l.msg)), 90_000);
    await Promise.race(clients.map((c) => c.waitFor('a daemon to notice', (l) => /duplicate client id/.test(String(l.msg)), 90_000)));
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});
