import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTfjsWasm, tfjsWasmThreads } from '../../../src/bench/train/tfjs-loader';
import { TfjsMoeStep } from '../../../src/bench/train/tfjs-step';
import { TsMoeStep } from '../../../src/bench/train/ts-step';
import { DEFAULT_BENCH_MOE } from '../../../src/bench/train/moe-config';
import { convertParams, flattenParams, initParams, randomBatch } from '../../../src/bench/train/params';

test('tfjs-wasm step (tfjs gradients) updates the parameters like the float64 plain-TS step', async () => {
  const tf = await loadTfjsWasm();
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(tfjsWasmThreads(), 1);
  const cfg = DEFAULT_BENCH_MOE;
  const p64 = initParams<Float64Array>(cfg, Float64Array, 21);
  const batch = randomBatch<Float64Array>(cfg, 16, Float64Array, 22);
  const before = tf.memory().numTensors;
  const tfStep = new TfjsMoeStep(tf, cfg, convertParams(p64, Float32Array), Float32Array.from(batch.x), batch.labels);
  const tsLoss = new TsMoeStep<Float64Array>(cfg, Float64Array).step(p64, batch.x, batch.labels).loss;
  const tfLoss = await tfStep.step();
  assert.ok(Math.abs(tfLoss - tsLoss) < 1e-4 * Math.abs(tsLoss), `loss ${tfLoss} vs ${tsLoss}`);
  const after = await tfStep.params();
  for (const [name, expected] of flattenParams(p64)) {
    const got = after.get(name)!;
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    assert.ok(worst < 1e-5, `${name}: max abs difference ${worst}`);
  }
  // A timed loop must not leak tensors: the count stays flat over further steps and drops to the start on dispose.
  const held = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await tfStep.step();
  assert.equal(tf.memory().numTensors, held);
  tfStep.dispose();
  assert.equal(tf.memory().numTensors, before);
});
