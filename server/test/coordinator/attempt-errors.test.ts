import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, parseCommand } from '@flexmoe/shared';
import { FakeClock } from '@flexmoe/shared/testing';
import { PROTOCOL_VERSION, type JoinRequest__Output } from '@flexmoe/proto';
import { coordinatorOptions, SERVER_COMMAND } from '../../src/cli/server';
import { BaseStrategy } from '../../src/strategies/base';
import { createMetrics } from '../../src/metrics/metrics';
import { attemptErrorDelayMs, DEFAULT_ATTEMPT_ERROR_POLICY } from '../../src/coordinator/attempt-errors';
import { Coordinator } from '../../src/coordinator/coordinator';

test('the wait after errors in a row doubles from the base up to the cap', () => {
  const p = DEFAULT_ATTEMPT_ERROR_POLICY;
  const waits = Array.from({ length: 10 }, (_, i) => attemptErrorDelayMs(p, i + 1));
  assert.deepEqual(waits, [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
});

function join(clientId: string): JoinRequest__Output {
  return {
    clientId,
    protocolVersion: PROTOCOL_VERSION,
    capacity: 2,
    numSamples: 100,
    numTestSamples: 10,
    device: null,
    replace: false,
  } as JoinRequest__Output;
}

test('a round attempt that keeps throwing backs off 250 ms, 500 ms, ... up to 30 s, then fails, counted, instead of retrying forever', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-attempt-errors-'));
  try {
    const parsed = parseCommand(SERVER_COMMAND, ['--data-dir', dir, '--min-clients', '1', '--rounds', '3'], {});
    const options = coordinatorOptions(parsed.options!);
    const metrics = createMetrics();
    const clock = new FakeClock();
    const calls: number[] = [];
    // A strategy with a bug: what a user's strategy or a broken solver does to the round loop.
    const strategy = new (class extends BaseStrategy {
      readonly name = 'flexmoe';
      assign() {
        calls.push(clock.now());
        return Promise.reject(new Error('strategy bug'));
      }
    })();
    const coordinator = Coordinator.open(options, { logger: createLogger({ level: 'silent' }), metrics, strategy, clock });
    const { sessionId } = coordinator.join('c0', join('c0'));
    const unsubscribe = coordinator.subscribe('c0', sessionId, () => undefined);
    const loop = coordinator.start();
    while (coordinator.state !== 'failed' && (await clock.runNext()));
    await loop;
    unsubscribe();
    assert.equal(coordinator.state, 'failed');
    const waits = calls.slice(1).map((t, i) => t - calls[i]!);
    assert.deepEqual(waits, [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000], 'the default policy, in fake time');
    const counter = await metrics.roundAttemptErrors.get();
    assert.equal(counter.values[0]?.value, DEFAULT_ATTEMPT_ERROR_POLICY.maxConsecutive);
    assert.equal(coordinator.completedRounds, 0);
    await coordinator.drain(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
