/**
 * The coordinator's local recipe reaches the trainer of a real daemon, round by round, through
 * the in-memory link on the fake clock: the epoch schedule's falling rate, momentum, and the
 * step schedule's position in the run, counted in the daemon's own local steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, SMALL_MODEL } from './fleet';

async function trainedRequests(serverArgs: string[], samples: number) {
  const fleet = await Fleet.create();
  try {
    const { coordinator, loop } = fleet.startCoordinator([
      ...SMALL_MODEL,
      '--rounds',
      '3',
      '--min-clients',
      '1',
      '--round-deadline',
      '60',
      '--batch-size',
      '4',
      ...serverArgs,
    ]);
    const daemon = await fleet.startDaemon('a', { samples });
    await fleet.until('the run to finish', () => coordinator.state === 'finished');
    await loop;
    await daemon.exited;
    return daemon.trainer.log.trained;
  } finally {
    await fleet.close();
  }
}

test('momentum SGD on the epoch schedule: the rate falls by a cosine from the peak to 10% over the rounds', async () => {
  const trained = await trainedRequests(['--optimizer', 'momentum', '--schedule', 'epoch', '--learning-rate', '0.1'], 20);
  assert.equal(trained.length, 3);
  const rates = trained.map((r) => r.lr);
  [0.1, 0.055, 0.01].forEach((want, i) => assert.ok(Math.abs(rates[i]! - want) < 1e-6, `round ${i + 1}: ${rates[i]}`));
  for (const r of trained) {
    assert.deepEqual([r.optimizer?.kind, r.optimizer?.momentum, r.lrSchedule], ['sgd', 0.9, undefined]);
  }
});

test("Adam on the step schedule: each round's steps continue the run's schedule where the last round's ended", async () => {
  // 18 samples in batches of 4: 5 local steps a round, 15 in the run.
  const trained = await trainedRequests(['--optimizer', 'adam', '--schedule', 'step', '--warmup', '3'], 18);
  assert.deepEqual(
    trained.map((r) => [r.optimizer?.kind, r.lrSchedule]),
    [0, 5, 10].map((startStep) => ['adam', { startStep, totalSteps: 15, warmupSteps: 3, floor: 0 }]),
  );
  for (const r of trained) assert.ok(Math.abs(r.lr - 0.002) < 1e-9);
});
