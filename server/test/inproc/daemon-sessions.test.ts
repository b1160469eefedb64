/**
 * The daemon's session logic against a real coordinator in one process, on the fake clock: it
 * waits for an absent coordinator on its backoff schedule and joins when one appears, a session
 * replaced by another Join of its id ends and the daemon takes the id back, a coordinator restart
 * (crash, resume from checkpoint) is survived without operator action, and heartbeats tell a
 * daemon that trains a round the coordinator has left behind to drop it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackoff, type JoinParams } from '@flexmoe/client';
import { sampleClients } from '../../src/rounds/sampling';
import { Fleet } from './fleet';

const DEVICE = { platform: 'test', arch: 'x64', cpus: 1, totalMemoryBytes: 1, runtime: 'node', hostname: 'test' };
const joinAs = (clientId: string): JoinParams => ({ clientId, capacity: 2, numSamples: 20, numTestSamples: 5, device: DEVICE, replace: true });

test('a daemon waits for an absent coordinator on its jittered backoff schedule and joins when one appears', async () => {
  const fleet = await Fleet.create();
  try {
    const joins: number[] = [];
    fleet.network.onCall = (call) => (call === 'Join' ? joins.push(fleet.clock.now()) : undefined);
    const d = await fleet.startDaemon('early');
    await fleet.until('six refused joins', () => joins.length >= 6, { stepMs: 10 });
    // The same seed as the fleet gives its first daemon: the waits are that schedule exactly.
    const schedule = createBackoff({ seed: 1 });
    const expected = Array.from({ length: 5 }, () => schedule.next());
    joins
      .slice(1, 6)
      .forEach((t, i) => assert.ok(Math.abs(t - joins[i]! - expected[i]!) <= 10, `wait ${i + 1}: ${t - joins[i]!} ms, schedule ${expected[i]!} ms`));
    assert.ok(
      fleet.network.calls.every((c) => !c.ok),
      'every join before the coordinator refused',
    );

    const { coordinator } = fleet.startCoordinator(['--rounds', '1', '--min-clients', '2']);
    await fleet.until('the daemon to join', () => coordinator.registry.get('early') !== undefined, { stepMs: 100 });
    assert.equal(d.daemon.status.state, 'running');
  } finally {
    await fleet.close();
  }
});

test('a session replaced by another Join of its id ends; the daemon rejoins and takes the id back', async () => {
  const fleet = await Fleet.create();
  try {
    // Two clients needed: no round starts, the session just serves its stream and heartbeats.
    const { coordinator } = fleet.startCoordinator(['--rounds', '1', '--min-clients', '2', '--heartbeat-interval', '0.5']);
    const d = await fleet.startDaemon('a');
    await fleet.until('the daemon to join', () => coordinator.registry.get('a')?.ready === true);
    const original = coordinator.registry.get('a')!.sessionId;
    const impostor = fleet.network.link('a');
    const taken = await impostor.join(joinAs('a'));
    assert.notEqual(taken.sessionId, original);
    await fleet.until('the daemon to take its id back', () => ![original, taken.sessionId].includes(coordinator.registry.get('a')?.sessionId ?? original));
    assert.equal(coordinator.registry.get('a')!.ready, true, 'the daemon serves its new session');
    await assert.rejects(impostor.heartbeat(taken.sessionId, 'idle', 0, 0), { kind: 'not-found' });
    assert.equal(d.daemon.status.state, 'running');
    impostor.close();
  } finally {
    await fleet.close();
  }
});

test('daemons survive a coordinator crash: they reconnect to the restarted coordinator, which resumes the run from its checkpoint', async () => {
  const fleet = await Fleet.create();
  try {
    const args = ['--rounds', '3', '--min-clients', '2', '--round-deadline', '60'];
    const first = fleet.startCoordinator(args);
    const daemons = await Promise.all(['a', 'b'].map((id) => fleet.startDaemon(id, { script: { trainMs: 500 } })));
    await fleet.until('round 1', () => first.coordinator.completedRounds >= 1);
    const runId = first.coordinator.status().runId;
    await fleet.crash(first.coordinator);
    await fleet.clock.advance(2000);
    const second = fleet.startCoordinator(args);
    assert.equal(second.coordinator.completedRounds, first.coordinator.completedRounds, 'resumed from the checkpoint');
    await fleet.until('the resumed run to finish', () => second.coordinator.state === 'finished');
    const status = second.coordinator.status();
    assert.equal(status.runId, runId, 'the same run');
    assert.deepEqual(
      status.history.map((r) => r.round),
      [1, 2, 3],
    );
    assert.deepEqual(await Promise.all(daemons.map((d) => d.exited)), [
      { code: 0, reason: 'run complete' },
      { code: 0, reason: 'run complete' },
    ]);
    for (const id of ['a', 'b']) {
      const joined = fleet.network.calls.filter((c) => c.call === 'Join' && c.clientId === id && c.ok).length;
      assert.equal(joined, 2, `${id} joined each coordinator once`);
    }
  } finally {
    await fleet.close();
  }
});

test('a heartbeat naming a later round makes a daemon drop the round it still trains', async () => {
  const ids = ['a', 'b', 'slow'];
  // A seed whose first round samples the slow daemon and whose second does not: only a
  // heartbeat can tell it that round 1 is over (no new task supersedes it).
  const seed = Array.from({ length: 200 }, (_, s) => s).find(
    (s) => sampleClients(ids, 0.5, 1, s, 1, 0).includes('slow') && !sampleClients(ids, 0.5, 1, s, 2, 0).includes('slow'),
  );
  assert.ok(seed !== undefined);
  const fleet = await Fleet.create();
  try {
    const { coordinator } = fleet.startCoordinator([
      '--rounds',
      '2',
      '--fraction',
      '0.5',
      '--min-clients',
      '1',
      '--min-available',
      '3',
      '--round-deadline',
      '3',
      '--heartbeat-interval',
      '0.2',
      '--seed',
      String(seed),
    ]);
    await fleet.startDaemon('a', { script: { trainMs: 1000 } });
    await fleet.startDaemon('b', { script: { trainMs: 1000 } });
    const slow = await fleet.startDaemon('slow', { script: { trainMs: 60_000 } });
    await fleet.until('the slow daemon to drop its round', () => slow.trainer.log.abandoned === 1, { stepMs: 20 });
    assert.equal(coordinator.completedRounds, 1, 'dropped while round 2 runs, before the run ends');
    assert.deepEqual(coordinator.status().history[0]!.failures, [{ clientId: 'slow', reason: 'late' }]);
    const hb = fleet.network.calls.filter((c) => c.call === 'Heartbeat' && c.clientId === 'slow');
    assert.ok(hb.length >= 15 && hb.every((c) => c.ok), `${hb.length} heartbeats, all answered`);
    await fleet.until('the run to finish', () => coordinator.state === 'finished');
    assert.deepEqual(slow.trainer.log.trained, []);
  } finally {
    await fleet.close();
  }
});
