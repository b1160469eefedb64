import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelConfig } from '@flexmoe/shared';
import { CheckpointError } from '../../src/errors';
import { loadLatestCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/state/checkpoint';

function checkpoint(round: number): Checkpoint {
  return {
    state: {
      runId: 'run',
      seed: 1,
      strategy: 'flexmoe',
      model: defaultModelConfig({ experts: 2 }),
      totalRounds: 9,
      completedRounds: round,
      fitness: { rows: { a: [1, 0.5] } },
      strategyState: null,
      clients: [],
      history: [],
    },
    params: { 'backbone.w': Float32Array.from([round, -1.5, 3e-8]), 'expert.0.b': Float32Array.from([Math.PI]) },
  };
}

test('checkpoints round-trip bit-exactly, newest wins, only the last three are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-ckpt-'));
  assert.equal(loadLatestCheckpoint(dir), undefined);
  for (let r = 1; r <= 5; r++) writeCheckpoint(dir, checkpoint(r));
  assert.deepEqual(readdirSync(dir).sort(), ['round-000003.ckpt', 'round-000004.ckpt', 'round-000005.ckpt']);
  const loaded = loadLatestCheckpoint(dir)!;
  assert.equal(loaded.checkpoint.state.completedRounds, 5);
  assert.deepEqual(loaded.checkpoint.state.fitness, { rows: { a: [1, 0.5] } });
  assert.deepEqual(Array.from(loaded.checkpoint.params['backbone.w']!), Array.from(Float32Array.from([5, -1.5, 3e-8])));
  assert.equal(loaded.checkpoint.params['expert.0.b']![0], Math.fround(Math.PI));
});

test('a corrupt or truncated newest checkpoint is a clear error naming the file; nothing is deleted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexmoe-ckpt-'));
  writeCheckpoint(dir, checkpoint(1));
  const file = writeCheckpoint(dir, checkpoint(2));
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 10));
  assert.throws(
    () => loadLatestCheckpoint(dir),
    (e: unknown) => e instanceof CheckpointError && /round-000002\.ckpt is corrupt.*round-000001\.ckpt/.test(e.message),
  );
  writeFileSync(file, 'not a checkpoint at all, just some text that is long enough to pass the size check');
  assert.throws(() => loadLatestCheckpoint(dir), /bad magic/);
  assert.equal(readdirSync(dir).length, 2);
});
