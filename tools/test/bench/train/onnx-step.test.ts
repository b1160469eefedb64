import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelGraphs as loadGraphs, OnnxMoeStep } from '../../../src/bench/train/onnx-step';
import { TsMoeStep } from '../../../src/bench/train/ts-step';
import { DEFAULT_BENCH_MOE, type BenchMoeConfig } from '../../../src/bench/train/moe-config';
import { convertParams, flattenParams, initParams, randomBatch } from '../../../src/bench/train/params';

/** Runs `steps` SGD steps of both implementations on the same batch; returns the worst parameter difference. */
async function compare(cfg: BenchMoeConfig, batch: number, steps: number, stepsPerCall: number): Promise<{ worst: number; name: string }> {
  const graphs = loadGraphs();
  if ('unavailable' in graphs) throw new Error(graphs.unavailable);
  const p64 = initParams<Float64Array>(cfg, Float64Array, 31);
  const b = randomBatch<Float64Array>(cfg, batch, Float64Array, 32);
  const onnx = await OnnxMoeStep.create(graphs, cfg, convertParams(p64, Float32Array), Float32Array.from(b.x), b.labels, stepsPerCall);
  const ts = new TsMoeStep<Float64Array>(cfg, Float64Array);
  for (let s = 0; s < steps; s++) ts.step(p64, b.x, b.labels);
  for (let s = 0; s < steps / stepsPerCall; s++) await onnx.step();
  const got = onnx.params();
  await onnx.release();
  let result = { worst: 0, name: '' };
  for (const [name, expected] of flattenParams(p64)) {
    const a = got.get(name)!;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - expected[i]);
      if (d > result.worst) result = { worst: d, name };
    }
  }
  return result;
}

test('ONNX training step updates parameters like the independent float64 plain-TS step', async () => {
  const r = await compare(DEFAULT_BENCH_MOE, 24, 1, 1);
  assert.ok(r.worst < 1e-5, `worst difference ${r.worst} in ${r.name}`);
});

test('ONNX step agrees over several chained steps, unrolled and not, with other experts assigned', async () => {
  const cfg: BenchMoeConfig = { ...DEFAULT_BENCH_MOE, assigned: [6, 1, 4], topR: 2, auxWeight: 0.3 };
  for (const perCall of [1, 3]) {
    const r = await compare(cfg, 16, 3, perCall);
    assert.ok(r.worst < 2e-5, `${perCall} steps/call: worst difference ${r.worst} in ${r.name}`);
  }
});
