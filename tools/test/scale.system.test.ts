/**
 * A small scale run in the default suite: a real coordinator process and 50 simulated clients
 * (real protocol over loopback gRPC) for 10 rounds with random drops. Every round completes,
 * round numbers are contiguous, the drops show up as failures, and the checkpoint on disk holds
 * the last round with weights that moved away from the initial ones.
 *
 * Silent drops (a client that stays connected but never reports) rely on the round deadline;
 * the second test runs them under frequent full GCs, which once made the deadline disappear (a
 * property of the real runtime's timers, so it stays a process test). Quorum, grace and deadline
 * semantics are tested on the fake clock in server/test/inproc/round-collection.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { defaultModelConfig } from '@flexmoe/shared';
import { globalParameters } from '@flexmoe/server';
import { runScaleCase } from '../src/loadgen/scale-case';
import { loadLatestCheckpoint } from '@flexmoe/server';

const ROUNDS = 10;
const CLIENTS = 50;
const MODEL_ARGS = ['--input-shape', '1,8,8', '--feature-dim', '8', '--expert-hidden', '8'];

test('50 simulated clients (in 2 load generator threads) with drops complete 10 contiguous rounds and checkpoint the last', { timeout: 180_000 }, async () => {
  const result = await runScaleCase({
    clients: CLIENTS,
    loadgenThreads: 2,
    experts: 8,
    rounds: ROUNDS,
    thinkMs: 0,
    dropProbability: 0.03,
    dropMode: 'leave',
    seed: 5,
    modelArgs: MODEL_ARGS,
    // Drops leave (they do not go silent), so no round waits for its deadline: a generous one
    // keeps a loaded machine from failing slow-but-live clients.
    roundDeadlineSeconds: 10,
    minClients: 25,
    serverArgs: ['--solver-time-limit', '0.5'],
    keepDir: true,
  });
  try {
    assert.deepEqual(
      result.rounds.map((r) => r.round),
      Array.from({ length: ROUNDS }, (_, i) => i + 1),
    );
    assert.equal(result.load.complete, CLIENTS, 'every session saw the run complete');
    assert.equal(result.load.fatal, 0);
    assert.equal(result.load.recorder.totals.joins, CLIENTS, 'joins reported by both threads');
    assert.ok(result.load.recorder.totals.rejoins > 0, 'sessions that left joined again');
    const drops = result.load.recorder.allRounds().reduce((s, r) => s + r.dropped, 0);
    assert.ok(drops > 0, 'the run included dropped clients');
    assert.ok(result.rounds.reduce((s, r) => s + r.failures, 0) > 0, 'drops were recorded as client failures');
    for (const r of result.rounds) assert.ok(r.reported >= 25, `round ${r.round} aggregated ${r.reported} updates`);

    const found = loadLatestCheckpoint(path.join(result.dataDir, 'data'));
    assert.ok(found, 'a checkpoint exists');
    const state = found.checkpoint.state;
    assert.equal(state.completedRounds, ROUNDS);
    assert.deepEqual(
      state.history.map((h) => h.round),
      result.rounds.map((r) => r.round),
    );
    assert.match(path.basename(found.file), new RegExp(`round-0*${ROUNDS}\\.ckpt$`));
    const initial = globalParameters(defaultModelConfig(state.model), 5);
    const name = Object.keys(initial).find((n) => n.startsWith('backbone.'))!;
    assert.notDeepEqual(found.checkpoint.params[name], initial[name], 'aggregated weights differ from the initial ones');
  } finally {
    rmSync(result.dataDir, { recursive: true, force: true });
  }
});

test('a silently dropped client fails at the round deadline even when full GCs run meanwhile', { timeout: 60_000 }, async () => {
  // --gc-global makes every GC a full one; --gc-interval makes them frequent: the deadline timer
  // must survive them.
  const result = await runScaleCase({
    clients: 8,
    experts: 4,
    rounds: 2,
    thinkMs: 0,
    dropProbability: 0.4,
    dropMode: 'silent',
    seed: 2,
    modelArgs: MODEL_ARGS,
    roundDeadlineSeconds: 1,
    minClients: 2,
    nodeArgs: ['--gc-global', '--gc-interval=500'],
    maxSeconds: 12,
  });
  assert.deepEqual(
    result.rounds.map((r) => r.round),
    [1, 2],
  );
  assert.ok(
    result.rounds.some((r) => r.failures > 0),
    'some client dropped silently and was failed at the deadline',
  );
});
