import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, parseCommand } from '@flexmoe/shared';
import { PROTOCOL_VERSION, type JoinRequest__Output } from '@flexmoe/proto';
import { coordinatorOptions, SERVER_COMMAND } from '../../src/cli/server';
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

test('a round attempt that keeps throwing ends in the failed state, counted, instead of retrying forever', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-attempt-errors-'));
  try {
    const parsed = parseCommand(SERVER_COMMAND, ['--data-dir', dir, '--min-clients', '1', '--rounds', '3'], {});
    const options = { ...coordinatorOptions(parsed.options!), attemptErrors: { baseDelayMs: 1, maxDelayMs: 4, maxConsecutive: 5 } };
    const metrics = createMetrics();
    let calls = 0;
    // A strategy with a bug: what a user's strategy or a broken solver does to the round loop.
    const strategy = {
      assign: () => {
        calls++;
        return Promise.reject(new Error('strategy bug'));
      },
      snapshot: () => null,
      restore: () => undefined,
    };
    const coordinator = Coordinator.open(options, { logger: createLogger({ level: 'silent' }), metrics, strategy });
    const { sessionId } = coordinator.join('c0', join('c0'));
    const unsubscribe = coordinator.subscribe('c0', sessionId, () => undefined);
    await coordinator.start();
    unsubscribe();
    assert.equal(coordinator.state, 'failed');
    assert.equal(calls, 5);
    const counter = await metrics.roundAttemptErrors.get();
    assert.equal(counter.values[0]?.value, 5);
    assert.equal(coordinator.completedRounds, 0);
    await coordinator.drain(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
