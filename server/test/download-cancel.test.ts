// A client that drops in the middle of a Download must not leave the server's handler waiting
// for a 'drain' that a cancelled grpc-js stream never emits (holding the round's chunks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createLogger, parseCommand } from '@flexmoe/shared';
import { coordinatorOptions, SERVER_COMMAND } from '../src/cli/server';
import { Coordinator } from '../src/coordinator/coordinator';
import { createAssignPort } from '../src/coordinator/strategy-port';
import { createMetrics } from '../src/metrics/metrics';
import { startGrpcServer } from '../src/transport/grpc-server';
import { TestClient } from './helpers/test-client';

async function until(what: string, predicate: () => boolean, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a client cancelling mid-download ends the server handler', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-download-cancel-'));
  const logger = createLogger({ level: 'silent' });
  // About 20 MB of tensors per task: far more than the client's 64 KB stream window, so the
  // server is blocked on back-pressure when the client goes away.
  const args = ['--data-dir', dir, '--min-clients', '1', '--rounds', '1', '--feature-dim', '2048', '--expert-hidden', '1024', '--round-deadline', '600'];
  const options = coordinatorOptions(parseCommand(SERVER_COMMAND, args, {}).options!);
  const strategy = createAssignPort('greedy', { timeLimitSeconds: 5, delta: 0, gamma: 0, deficitDecay: 0, logger });
  const coordinator = Coordinator.open(options, { logger, metrics: createMetrics(), strategy });
  const server = await startGrpcServer(coordinator, { host: '127.0.0.1', port: 0, credentials: grpc.ServerCredentials.createInsecure(), auth: {}, logger });
  const running = coordinator.start();
  let received = (): void => undefined;
  const firstChunk = new Promise<void>((resolve) => (received = resolve));
  const client = new TestClient({ address: `127.0.0.1:${server.port}`, clientId: 'c0', observe: (direction) => direction === 'received' && received() });
  try {
    await client.join({ capacity: 2, samples: 100 });
    client.subscribe();
    const task = await client.nextTask();
    const cancel = new AbortController();
    const download = client.download(task.round, task.attempt, cancel.signal).catch((err: unknown) => err);
    await firstChunk;
    await until('the server handler to start', () => server.downloadsInFlight === 1, 10_000);
    cancel.abort(new Error('client goes away'));
    assert.equal(((await download) as Error).name, 'CallAbortedError');
    await until('the download handler to end after the cancel', () => server.downloadsInFlight === 0, 20_000);
    assert.equal(server.downloadsInFlight, 0);
  } finally {
    client.close();
    await coordinator.drain(0);
    await running;
    await server.stop(0);
    rmSync(dir, { recursive: true, force: true });
  }
});
