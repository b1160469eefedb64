/**
 * Two daemon processes sharing one id, against a real coordinator: the replace loop is told apart
 * from a restart and logged on both sides (the log line is what the operator gets). A reported
 * divergence and a replaced session are tested in-process in server/test/inproc/.
 */
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess } from './processes';

const MODEL = ['--experts', '4', '--feature-dim', '16', '--expert-hidden', '8'];

async function fleet(dir: string, serverArgs: string[], ids: string[], procs: FlexmoeProcess[]) {
  const server = startFlexmoe([
    'server',
    '--insecure',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--metrics-port',
    '0',
    '--data-dir',
    path.join(dir, 'data'),
    ...MODEL,
    ...serverArgs,
  ]);
  procs.push(server);
  const port = Number((await waitForStdout(server, /listening grpc=[^:]+:(\d+)/))[1]);
  const clients = ids.map((id, i) => {
    const p = startFlexmoe([
      'client',
      '--server',
      `127.0.0.1:${port}`,
      '--data',
      'fashion-mnist',
      '--shard',
      `${i}/2`,
      '--max-samples',
      '100',
      '--id',
      id,
      '--state-dir',
      path.join(dir, `state-${i}`),
    ]);
    procs.push(p);
    return p;
  });
  return { server, clients };
}

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
