/**
 * The daemon's credentials against a real coordinator: a wrong token is refused for good (clear
 * log line, exit code 2, no retry storm); the right token joins; mutual TLS with certificates made
 * here joins; SIGTERM leaves the coordinator and exits 0; /healthz and /metrics answer meanwhile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTestCertificates } from '@flexmoe/shared/testing';
import { killQuietly, startFlexmoe, waitForStdout, type FlexmoeProcess } from './processes';

const SMALL_MODEL = ['--experts', '4', '--feature-dim', '16', '--expert-hidden', '8', '--rounds', '2', '--min-clients', '2'];

function clientArgs(port: number, stateDir: string, extra: string[]): string[] {
  return ['client', '--server', `127.0.0.1:${port}`, '--data', 'fashion-mnist', '--shard', '0/4', '--max-samples', '100', '--state-dir', stateDir, ...extra];
}

async function startServer(extra: string[], dataDir: string, procs: FlexmoeProcess[]): Promise<number> {
  const server = startFlexmoe(['server', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--data-dir', dataDir, ...SMALL_MODEL, ...extra]);
  procs.push(server);
  return Number((await waitForStdout(server, /listening grpc=[^:]+:(\d+)/))[1]);
}

/** Joins, checks /healthz and /metrics of the daemon, then stops it with SIGTERM. */
async function joinAndStop(client: FlexmoeProcess): Promise<void> {
  await client.waitFor('joined', (l) => l.msg === 'joined');
  const metricsPort = Number((await client.waitFor('metrics port', (l) => l.msg === 'metrics listening')).port);
  const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { joined: boolean }).joined, true);
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(metrics, /^flexmoe_client_connected 1$/m);
  client.child.kill('SIGTERM');
  assert.equal(await client.exited, 0);
  assert.equal(client.messages('left the coordinator').length, 1);
}

test('tokens: a wrong token is refused with exit code 2, the right one joins, SIGTERM leaves cleanly', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-auth-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const tokens = path.join(dir, 'tokens.json');
    await writeFile(tokens, JSON.stringify({ edge: 's3cret' }));
    const port = await startServer(['--tokens', tokens], path.join(dir, 'data'), procs);

    const intruder = startFlexmoe(clientArgs(port, path.join(dir, 'bad'), ['--id', 'edge', '--token', 'guess']));
    procs.push(intruder);
    assert.equal(await intruder.exited, 2);
    const refusal = intruder.messages('join refused: unauthenticated (check --token, or the client certificate with --tls-cert/--tls-key)');
    assert.equal(refusal.length, 1);
    assert.match(String(refusal[0].reason), /UNAUTHENTICATED/);

    const member = startFlexmoe(clientArgs(port, path.join(dir, 'good'), ['--id', 'edge', '--metrics-port', '0']), { FLEXMOE_TOKEN: 's3cret' });
    procs.push(member);
    await joinAndStop(member);
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});

test('mutual TLS: the daemon joins with its certificate and leaves on SIGTERM', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-mtls-'));
  const procs: FlexmoeProcess[] = [];
  try {
    makeTestCertificates(dir, ['client']);
    const file = (name: string): string => path.join(dir, name);
    const port = await startServer(
      ['--tls-cert', file('server.crt'), '--tls-key', file('server.key'), '--tls-ca', file('ca.crt')],
      path.join(dir, 'data'),
      procs,
    );
    const client = startFlexmoe(
      clientArgs(port, path.join(dir, 'state'), [
        '--tls-ca',
        file('ca.crt'),
        '--tls-cert',
        file('client.crt'),
        '--tls-key',
        file('client.key'),
        '--metrics-port',
        '0',
        // The coordinator takes the client id from the certificate's common name.
        '--id',
        'client',
      ]),
    );
    procs.push(client);
    await joinAndStop(client);
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});

test("a daemon whose data does not fit the coordinator's model exits 2 naming both shapes", { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flexmoe-misfit-'));
  const procs: FlexmoeProcess[] = [];
  try {
    const port = await startServer(['--insecure', '--input-shape', '1,6,6', '--classes', '3'], path.join(dir, 'data'), procs);
    const client = startFlexmoe(clientArgs(port, path.join(dir, 'state'), []));
    procs.push(client);
    assert.equal(await client.exited, 2);
    const [line] = client.messages("local data does not fit the coordinator's model");
    assert.equal(line.reason, "local samples are 1x28x28, the coordinator's model takes 1x6x6");
  } finally {
    procs.forEach((p) => killQuietly(p));
    await rm(dir, { recursive: true, force: true });
  }
});
