/**
 * Round collection on the fake clock, with real daemons and a real coordinator in one process:
 * a client slower than the deadline is failed as `late` at the deadline to the millisecond, the
 * round aggregates the others, the slow daemon abandons its stale training when the next task
 * supersedes it, and its late update is refused; with a report quorum, collection closes after
 * the grace and the stragglers fail with the quorum named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubmitResult } from '@flexmoe/client';
import { Fleet } from './fleet';

test('a client slower than the deadline fails as late at the deadline; the others are aggregated; its stale work is abandoned', async () => {
  const fleet = await Fleet.create();
  try {
    const { coordinator, metrics } = fleet.startCoordinator([
      '--rounds',
      '2',
      '--min-clients',
      '2',
      '--min-available',
      '3',
      '--round-deadline',
      '2',
      '--heartbeat-interval',
      '0.5',
    ]);
    const fast = await Promise.all(['a', 'b'].map((id) => fleet.startDaemon(id, { script: { trainMs: 300 } })));
    const slow = await fleet.startDaemon('slow', { script: { trainMs: 10_000 } });
    await fleet.until('round 1 to complete', () => coordinator.completedRounds >= 1);
    const first = coordinator.status().history[0]!;
    assert.deepEqual([...first.reported].sort(), ['a', 'b']);
    assert.deepEqual(first.failures, [{ clientId: 'slow', reason: 'late' }]);
    // Closed by the 2 s deadline on the fake clock (not earlier, not later than one clock step).
    assert.ok(first.seconds >= 2 && first.seconds <= 2.1, `round 1 took ${first.seconds} s`);
    const late = (await metrics.roundFailures.get()).values.find((v) => v.labels.reason === 'late');
    assert.equal(late?.value, 1);

    await fleet.until('the run to finish', () => coordinator.state === 'finished');
    // Round 2's task superseded round 1's training: abandoned, never finished or submitted.
    assert.equal(slow.trainer.log.abandoned, 2, 'both stale trainings abandoned (round 1 by round 2, round 2 by its deadline or the end)');
    assert.deepEqual(slow.trainer.log.trained, []);
    for (const d of fast) assert.equal(d.trainer.log.trained.length, 2);
    const exits = await Promise.all(fleet.daemons.map((d) => d.exited));
    assert.deepEqual(
      exits.map((e) => e.code),
      [0, 0, 0],
    );
  } finally {
    await fleet.close();
  }
});

test('an update for a round that is over is refused as a precondition failure, and the next round is fine', async () => {
  const fleet = await Fleet.create();
  try {
    const { coordinator } = fleet.startCoordinator(['--rounds', '2', '--min-clients', '1', '--min-available', '2', '--round-deadline', '1']);
    await fleet.startDaemon('a', { script: { trainMs: 100 } });
    // A raw link for 'b': it takes its task, then answers after the deadline.
    const link = fleet.network.link('b');
    const session = await link.join({
      clientId: 'b',
      capacity: 2,
      numSamples: 20,
      numTestSamples: 5,
      device: { platform: 'test', arch: 'x', cpus: 1, totalMemoryBytes: 1, runtime: 'node', hostname: 'h' },
      replace: false,
    });
    const stream = link.tasks(session.sessionId)[Symbol.asyncIterator]();
    const event = await stream.next();
    assert.equal(event.value?.kind, 'task');
    const task = (event.value as { kind: 'task'; task: Parameters<typeof link.download>[1] }).task;
    const params = await link.download(session, task);
    await fleet.until('round 1 to close', () => coordinator.completedRounds >= 1);
    assert.deepEqual(coordinator.status().history[0]!.failures, [{ clientId: 'b', reason: 'late' }]);
    const update = {
      round: task.round,
      attempt: task.attempt ?? 0,
      numSamples: 20,
      experts: task.experts.map((expert) => ({ expert, usage: 20, accuracy: 0.5, loss: 1, ownAccuracy: 0.5, ownLoss: 1 })),
      train: { loss: 1, accuracy: 0.5, numSamples: 20 },
      test: { loss: 1, accuracy: 0.5, numSamples: 5 },
      params,
      trainSeconds: 1,
      downloadSeconds: 0,
    };
    const refused = await link.submit(session.sessionId, session.model, update).then(
      (ack: SubmitResult) => ack,
      (err: unknown) => err as { kind?: string; message?: string },
    );
    assert.equal((refused as { kind?: string }).kind, 'precondition', JSON.stringify(refused));
    await stream.return?.();
    link.close();
    await fleet.until('round 2', () => coordinator.completedRounds >= 2);
    assert.deepEqual(coordinator.status().history[1]!.reported, ['a']);
  } finally {
    await fleet.close();
  }
});

test('with a report quorum, collection closes after the grace; stragglers fail naming the quorum', async () => {
  const fleet = await Fleet.create();
  try {
    const { coordinator } = fleet.startCoordinator([
      '--rounds',
      '1',
      '--min-clients',
      '2',
      '--min-available',
      '4',
      '--round-deadline',
      '60',
      '--report-quorum',
      '0.5',
      '--quorum-grace',
      '0.3',
    ]);
    // a, b report at 100 ms (the quorum of 2), c 200 ms later (inside the grace), d never in time.
    await fleet.startDaemon('a', { script: { trainMs: 100 } });
    await fleet.startDaemon('b', { script: { trainMs: 100 } });
    await fleet.startDaemon('c', { script: { trainMs: 300 } });
    await fleet.startDaemon('d', { script: { trainMs: 30_000 } });
    await fleet.until('the round to complete', () => coordinator.completedRounds >= 1, { stepMs: 10 });
    const round = coordinator.status().history[0]!;
    assert.deepEqual([...round.reported].sort(), ['a', 'b', 'c']);
    assert.deepEqual(round.failures, [{ clientId: 'd', reason: 'late: report quorum 2 of 4 reached' }]);
    // Quorum at ~100 ms plus the 300 ms grace: far from the 60 s deadline.
    assert.ok(round.seconds >= 0.4 && round.seconds < 0.5, `round took ${round.seconds} s`);
  } finally {
    await fleet.close();
  }
});
