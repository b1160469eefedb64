/**
 * A coordinator whose solver time limit fires: the rounds still complete, each round's history
 * is marked as solved under a time-out, /metrics counts the time-outs and the log warns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { runScaleCase } from '../src/loadgen/scale-case';
import { loadLatestCheckpoint } from '@flexmoe/server';

test('solves cut by the solver time limit are marked in the history, counted in /metrics and logged at warn', { timeout: 90_000 }, async () => {
  const result = await runScaleCase({
    clients: 8,
    experts: 4,
    rounds: 2,
    thinkMs: 0,
    seed: 3,
    modelArgs: ['--input-shape', '1,8,8', '--feature-dim', '8', '--expert-hidden', '8'],
    // Shorter than flattening the instance takes, so the safety net fires in every solve.
    serverArgs: ['--solver-time-limit', '0.000001'],
    keepDir: true,
    maxSeconds: 60,
  });
  try {
    assert.deepEqual(
      result.rounds.map((r) => r.round),
      [1, 2],
      'a time-out never stops a round',
    );
    const found = loadLatestCheckpoint(path.join(result.dataDir, 'data'));
    assert.ok(found, 'a checkpoint exists');
    for (const h of found.checkpoint.state.history) {
      assert.equal(h.solver.timedOut, true, `round ${h.round} is marked as solved under a time-out`);
      assert.equal(h.solver.status, 'timeout');
    }
    assert.equal(result.solveTimeouts, found.checkpoint.state.history.length, 'one time-out counted per solve');
    const warnings = readFileSync(path.join(result.dataDir, 'coordinator.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('cut by the solver time limit'));
    assert.ok(warnings.length >= 2, 'each time-out is logged');
    assert.equal(JSON.parse(warnings[0]).level, 40, 'at warn');
  } finally {
    rmSync(result.dataDir, { recursive: true, force: true });
  }
});
