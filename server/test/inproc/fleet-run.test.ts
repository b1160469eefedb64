/**
 * A whole run in one process on the fake clock: two real daemons join a real coordinator through
 * the in-memory link, every round aggregates both updates, and both daemons end with the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from './fleet';

test('two daemons run three rounds to completion through the in-memory link', async () => {
  const fleet = await Fleet.create();
  try {
    const { coordinator, loop } = fleet.startCoordinator(['--rounds', '3', '--min-clients', '2', '--round-deadline', '60']);
    const daemons = await Promise.all(['a', 'b'].map((id) => fleet.startDaemon(id, { script: { trainMs: 500 } })));
    await fleet.until('the run to finish', () => coordinator.state === 'finished');
    await loop;
    const exits = await Promise.all(daemons.map((d) => d.exited));
    assert.deepEqual(exits, [
      { code: 0, reason: 'run complete' },
      { code: 0, reason: 'run complete' },
    ]);
    const history = coordinator.status().history;
    assert.deepEqual(
      history.map((r) => [r.round, [...r.reported].sort()]),
      [
        [1, ['a', 'b']],
        [2, ['a', 'b']],
        [3, ['a', 'b']],
      ],
    );
    // Each round took the scripted training time on the fake clock, not real seconds.
    for (const r of history) assert.ok(r.seconds >= 0.5 && r.seconds < 1, `round ${r.round}: ${r.seconds} s`);
    for (const d of daemons) assert.equal(d.trainer.log.trained.length, 3);
  } finally {
    await fleet.close();
  }
});
