/**
 * Round attempts on the fake clock: a round without enough updates is tried again 250 ms later,
 * and the retried attempt's task supersedes the stale one a daemon still trains; training that
 * diverges everywhere is reported by the daemons, so the attempt fails at once, not at its deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from './fleet';

test('a round short of updates is tried again 250 ms later, and the new attempt supersedes the stale training', async () => {
  const fleet = await Fleet.create();
  try {
    const t0 = fleet.clock.now();
    const { coordinator, metrics } = fleet.startCoordinator(['--rounds', '1', '--min-clients', '2', '--min-available', '3', '--round-deadline', '1']);
    await fleet.startDaemon('a', { script: { trainMs: 100 } });
    // b fails its first task locally (and reports it); slow never makes the 1 s deadline.
    const b = await fleet.startDaemon('b', { script: { trainMs: 100, fail: () => new Error('disk full'), failCalls: 1 } });
    const slow = await fleet.startDaemon('slow', { script: { trainMs: 1500 } });
    await fleet.until('the run to finish', () => coordinator.state === 'finished');
    const [record] = coordinator.status().history;
    assert.equal(record!.attempt, 1, 'completed at the second attempt');
    // Attempt 0 ran from t0 to its deadline at t0 + 1 s; the retry waited 250 ms.
    assert.equal(record!.startedAtMs - t0, 1250);
    assert.deepEqual([...record!.reported].sort(), ['a', 'b']);
    assert.deepEqual(record!.failures, [{ clientId: 'slow', reason: 'late' }]);
    const failures = (await metrics.roundFailures.get()).values.map((v) => [v.labels.reason, v.value]);
    assert.deepEqual(
      failures.sort(),
      [
        ['late', 2],
        ['reported', 1],
      ],
      'attempt 0: b reported, slow late; attempt 1: slow late',
    );
    assert.equal(b.trainer.log.trained.length, 1);
    // Attempt 1's task superseded attempt 0's training; the run's end ended attempt 1's.
    assert.equal(slow.trainer.log.abandoned, 2);
    assert.deepEqual(slow.trainer.log.trained, []);
  } finally {
    await fleet.close();
  }
});

test('training that diverges on every client is reported: the attempt fails at once, not at its 600 s deadline', async () => {
  const fleet = await Fleet.create();
  try {
    const t0 = fleet.clock.now();
    const { coordinator, metrics } = fleet.startCoordinator(['--rounds', '1', '--min-clients', '2', '--round-deadline', '600']);
    const diverge = (): Error => Object.assign(new Error('loss is NaN at step 3'), { code: 'FLEXMOE_ERR_NON_FINITE' });
    await fleet.startDaemon('a', { script: { trainMs: 100, fail: diverge } });
    await fleet.startDaemon('b', { script: { trainMs: 100, fail: diverge } });
    const diverged = async (): Promise<number> => (await metrics.roundFailures.get()).values.find((v) => v.labels.reason === 'diverged')?.value ?? 0;
    while ((await diverged()) === 0) {
      assert.ok(fleet.clock.now() - t0 < 5_000, 'no diverged attempt within 5 s of fake time');
      await fleet.clock.advance(50);
    }
    assert.equal(coordinator.completedRounds, 0);
    const reasons = (await metrics.roundFailures.get()).values.map((v) => v.labels.reason);
    assert.ok(!reasons.includes('late'), `nobody waited for the deadline: ${reasons.join(', ')}`);
  } finally {
    await fleet.close();
  }
});
