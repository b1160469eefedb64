/**
 * Liveness on the fake clock, through the coordinator's own sweeper: a session without a task
 * stream stays registered as long as it heartbeats, however long that is; once its heartbeats
 * stop it is dropped after the liveness timeout, and its next heartbeat is told to join again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from './fleet';

const DEVICE = { platform: 'test', arch: 'x64', cpus: 1, totalMemoryBytes: 1, runtime: 'node', hostname: 'test' };

test('heartbeats keep a session without a task stream alive; silence past the liveness timeout drops it', async () => {
  const fleet = await Fleet.create();
  try {
    const { coordinator } = fleet.startCoordinator(['--rounds', '1', '--min-clients', '2', '--heartbeat-interval', '1', '--liveness-timeout', '3']);
    const link = fleet.network.link('quiet');
    const session = await link.join({ clientId: 'quiet', capacity: 2, numSamples: 20, numTestSamples: 5, device: DEVICE, replace: false });
    // One minute of heartbeats every second, no task stream: still there.
    for (let s = 0; s < 60; s++) {
      await fleet.clock.advance(1000);
      await link.heartbeat(session.sessionId, 'idle', 0, 0);
    }
    assert.equal(coordinator.registry.get('quiet')?.sessionId, session.sessionId);
    // Silence: within the timeout it stays, past it (and the next sweep) it is gone.
    await fleet.clock.advance(2500);
    assert.ok(coordinator.registry.get('quiet'), 'kept within the liveness timeout');
    await fleet.clock.advance(2000);
    assert.equal(coordinator.registry.get('quiet'), undefined, 'dropped after the liveness timeout');
    await assert.rejects(link.heartbeat(session.sessionId, 'idle', 0, 0), { kind: 'not-found' });
    link.close();
  } finally {
    await fleet.close();
  }
});
