import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, PLAIN_SGD_TASK } from '@flexmoe/shared';
import { DuplicateSessionError, ResourceLimitError, UnknownSessionError } from '../../src/errors';
import { ClientRegistry, type JoinInfo } from '../../src/registry/client-registry';

const device = { platform: 'linux', arch: 'arm64', cpus: 4, totalMemoryBytes: 4e9, runtime: 'node', hostname: 'pi' };
const info = (clientId: string): JoinInfo => ({ clientId, capacity: 2, samples: 100, testSamples: 20, device });
const registry = () => new ClientRegistry({ livenessTimeoutMs: 1000, logger: createLogger({ level: 'silent' }) });

test('register rejects a duplicate of a live session unless replacing; unregister is idempotent', () => {
  const r = registry();
  const first = r.register(info('a'), false, 0);
  assert.throws(() => r.register(info('a'), false, 10), DuplicateSessionError);
  const second = r.register(info('a'), true, 20);
  assert.notEqual(second.sessionId, first.sessionId);
  assert.throws(() => r.touch('a', first.sessionId), UnknownSessionError);
  r.unregister('a', 'test');
  r.unregister('a', 'test');
  assert.equal(r.liveSessions().length, 0);
  assert.deepEqual(
    r.allRecords().map((x) => x.clientId),
    ['a'],
    'the record outlives the session',
  );
});

test('liveness is separate from progress: a silent session is swept, one with an open task stream is not', () => {
  const r = registry();
  const silent = r.register(info('silent'), false, 0);
  const streaming = r.register(info('streaming'), false, 0);
  r.setReady(streaming, true, 0);
  assert.deepEqual(r.sweep(500), []);
  assert.deepEqual(r.sweep(5000), ['silent']);
  assert.equal(r.get('silent'), undefined);
  assert.ok(r.get('streaming'));
  // A dead session can be replaced without `replace`.
  r.register(info('silent'), false, 6000);
  assert.ok(silent.sessionId !== r.get('silent')!.sessionId);
});

test('waitForReady resolves when enough clients wait for tasks and honours abort', async () => {
  const r = registry();
  const waiting = r.waitForReady(2, new AbortController().signal);
  r.setReady(r.register(info('a'), false), true);
  r.setReady(r.register(info('b'), false), true);
  await waiting;
  const ac = new AbortController();
  const never = r.waitForReady(3, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(never, /stop/);
});

test('a session proxy parks a task until the stream attaches, resolves on delivery, fails when closed', async () => {
  const r = registry();
  const s = r.register(info('a'), false);
  const task = {
    round: 3,
    attempt: 0,
    experts: [1, 2],
    learningRate: 0.1,
    optimizer: PLAIN_SGD_TASK,
    batchSize: 8,
    localEpochs: 1,
    deadlineUnixMs: 0,
    routingTopK: 2,
    seed: 1,
  };
  const fit = s.proxy.fit(task, new AbortController().signal);
  const seen: number[] = [];
  s.proxy.attach((e) => e.kind === 'task' && seen.push(e.task.round));
  assert.deepEqual(seen, [3]);
  assert.throws(() => s.proxy.deliver({ round: 2 } as never), /round 2 is not in progress/);
  s.proxy.deliver({ round: 3, clientId: 'a' } as never);
  assert.equal((await fit).clientId, 'a');
  const dropped = s.proxy.fit({ ...task, round: 4 }, new AbortController().signal);
  r.unregister('a', 'gone');
  await assert.rejects(dropped, /dropped: gone/);
});

test('live and ready counts match the session lists through ready toggles, replacement, leave and sweep', () => {
  const r = registry();
  const check = () => {
    assert.equal(r.liveCount, r.liveSessions().length);
    assert.equal(r.readyCount, r.readySessions().length);
  };
  const a = r.register(info('a'), false, 0);
  const b = r.register(info('b'), false, 0);
  check();
  r.setReady(a, true, 0);
  r.setReady(a, true, 0);
  r.setReady(b, true, 0);
  check();
  assert.equal(r.readyCount, 2);
  r.setReady(b, false, 0);
  check();
  const a2 = r.register(info('a'), true, 10);
  check();
  assert.equal(r.readyCount, 0, 'the replaced ready session no longer counts');
  r.setReady(a, true, 10);
  check();
  assert.equal(r.readyCount, 0, 'a stale session object cannot become ready');
  r.setReady(a2, true, 10);
  r.unregister('a', 'left');
  check();
  r.sweep(10_000);
  check();
  assert.equal(r.liveCount, 0);
});

test('a client id replacing its own session again and again is logged as a duplicate id', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'silent' });
  // Record the registry's warnings (the logger is otherwise silent).
  const child = logger.child({});
  child.warn = ((_o: unknown, msg: string) => lines.push(msg)) as never;
  const r = new ClientRegistry({ livenessTimeoutMs: 1000, logger: child });
  r.register(info('pi'), true, 0);
  r.register(info('pi'), true, 1000);
  r.register(info('pi'), true, 2000);
  assert.equal(lines.filter((l) => /duplicate client id/.test(l)).length, 0, 'two replacements can be a restart race');
  r.register(info('pi'), true, 3000);
  assert.equal(lines.filter((l) => /duplicate client id/.test(l)).length, 1);
  r.register(info('pi'), true, 3000 + 120_000);
  assert.equal(lines.filter((l) => /duplicate client id/.test(l)).length, 1, 'old replacements age out of the window');
});

test('registrations are limited; records of long-gone clients are pruned to make room', () => {
  const r = new ClientRegistry({ livenessTimeoutMs: 1000, logger: createLogger({ level: 'silent' }), maxClients: 3, forgetAfterMs: 10_000 });
  for (const id of ['a', 'b', 'c']) r.register(info(id), false, 0);
  assert.throws(
    () => r.register(info('d'), false, 5000),
    (e: Error) => e instanceof ResourceLimitError && /limit \(--max-clients 3\)/.test(e.message),
  );
  r.register(info('a'), true, 6000); // a known id always gets back in
  r.unregister('b', 'left');
  r.unregister('c', 'left');
  assert.throws(() => r.register(info('d'), false, 9000), ResourceLimitError, 'b and c left too recently to be forgotten');
  r.register(info('d'), false, 20_000);
  assert.deepEqual(
    r.allRecords().map((x) => x.clientId),
    ['a', 'd'],
    'b and c were forgotten; a is live',
  );
});
