/**
 * createCoordinator's contract: bad options are ConfigErrors naming the field, an unauthenticated
 * coordinator needs `insecure`, strategy names resolve through the registry, and a started
 * service serves /healthz and /api/status until `stop()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, type Logger } from '@flexmoe/shared';
import { createCoordinator, type CreateCoordinatorOptions } from '../src';
import { httpGet } from './helpers/processes';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-create-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('bad options are ConfigErrors that name the field; nothing is written', (t) => {
  const dataDir = tempDir(t);
  const base: CreateCoordinatorOptions = { strategy: 'flexmoe', dataDir, grpc: { insecure: true } };
  const cases: Array<[Partial<CreateCoordinatorOptions>, RegExp]> = [
    [{ rounds: 0 }, /rounds must be an integer >= 1/],
    [{ round: { fraction: 1.5 } }, /round\.fraction must be in \(0, 1\]/],
    [{ round: { roundDeadlineMs: -1 } }, /round\.roundDeadlineMs must be a number > 0/],
    [{ model: { experts: 0 } }, /model\.experts must be an integer >= 1/],
    [{ strategy: 'best' }, /unknown strategy 'best' \(registered: flexmoe, balanced, greedy, random, dense\)/],
    [{ grpc: {} }, /refusing to start without client authentication/],
  ];
  for (const [change, message] of cases) {
    assert.throws(
      () => createCoordinator({ ...base, ...change }),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
      message.source,
    );
  }
});

test("defaults are flexmoe server's; a started service serves HTTP until stopped", async (t) => {
  const service = createCoordinator({ strategy: 'greedy', dataDir: tempDir(t), grpc: { insecure: true }, round: { minClients: 3 } });
  assert.equal(service.state, 'waiting');
  const status = service.status();
  assert.equal(status.totalRounds, 20);
  assert.equal(status.experts, 8);
  assert.equal(status.strategy, 'greedy');
  t.after(() => service.stop(0));
  const bound = await service.start();
  assert.match(bound.address, /^127\.0\.0\.1:\d+$/);
  assert.equal((await service.start()).grpcPort, bound.grpcPort, 'start is idempotent');
  assert.equal((await httpGet(bound.httpPort!, '/healthz')).status, 200);
  // The round loop runs and waits for three ready clients.
  assert.equal(JSON.parse((await httpGet(bound.httpPort!, '/api/status')).body).state, 'running');
  await service.stop(0);
  await service.done();
  assert.equal(service.state, 'stopped');
  await assert.rejects(httpGet(bound.httpPort!, '/healthz'));
  await assert.rejects(service.start(), /stopped/);
});

/** A logger that is not pino: what the narrow Logger interface lets an embedder pass. */
function recordingLogger(lines: Array<{ level: string; fields: object; message?: string }>, bound: object = {}): Logger {
  const at =
    (level: string) =>
    (a: object | string, message?: string): void => {
      lines.push(typeof a === 'string' ? { level, fields: bound, message: a } : { level, fields: { ...bound, ...a }, message });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => recordingLogger(lines, { ...bound, ...b }) };
}

test('any logger with debug/info/warn/error/child serves: the coordinator and its components (child loggers) run on it', async (t) => {
  const lines: Array<{ level: string; fields: object; message?: string }> = [];
  const service = createCoordinator({ strategy: 'random', dataDir: tempDir(t), grpc: { insecure: true }, http: false, logger: recordingLogger(lines) });
  await service.start();
  await service.stop(0);
  assert.ok(
    lines.some((l) => l.level === 'warn' && /INSECURE/.test(l.message ?? '')),
    JSON.stringify(lines),
  );
});
