import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrainSuite } from './suite';
import { stepFlopsPerSample, DEFAULT_BENCH_MOE } from './moe-config';

test('a tiny train-suite run yields consistent rows for every implementation', async () => {
  const rows = await runTrainSuite({ batches: [8], budget: { warmupMs: 5, measureMs: 30, windows: 3 }, matmulN: 64 });
  assert.ok(rows.length >= 1);
  for (const r of rows) {
    assert.equal(r.suite, 'train');
    assert.equal(r.batch, 8);
    assert.ok(r.value > 0 && r.baseline !== null && r.baseline > 0, `${r.name}: ${r.value} vs ${r.baseline}`);
    // ratio is ours / baseline (rounded to 3 significant digits).
    assert.ok(Math.abs(r.ratio! - r.value / r.baseline!) <= 0.01 * r.ratio!, `${r.name}: ratio ${r.ratio}`);
  }
  const names = rows.map((r) => r.name);
  if (names.includes('onnx step vs tfjs-wasm step (1 thread)')) {
    assert.deepEqual(names, ['onnx step vs tfjs-wasm step (1 thread)', 'onnx step vs plain-ts step', 'onnx 4 steps/call vs tfjs-wasm step', 'onnx step GFLOP/s vs ort matmul peak']);
    const samples = rows[0].value;
    const gflops = rows[3];
    assert.ok(Math.abs(gflops.value - (samples * stepFlopsPerSample(DEFAULT_BENCH_MOE)) / 1e9) < 0.01 * gflops.value + 1e-3);
  } else {
    assert.deepEqual(names, ['tfjs-wasm step vs plain-ts step']);
  }
});

test('FLOP count of the default step: forward, weight gradients, input gradients above the input layer', () => {
  // Per sample: backbone 2*784*128, gate 2*128*8, 4 experts of 2*(128*64 + 64*10).
  const forward = 200704 + 2048 + 4 * 17664;
  assert.equal(stepFlopsPerSample(DEFAULT_BENCH_MOE), 2 * forward + 2048 + 4 * 17664);
});
