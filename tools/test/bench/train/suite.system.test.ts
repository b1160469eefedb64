import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTrainSuite } from '../../../src/bench/train/suite';
import { availableParallelism } from 'node:os';
import { defaultModelConfig } from '@flexmoe/ml/model';
import { DEFAULT_STEPS_PER_CALL } from '@flexmoe/ml/training';
import { stepFlopsPerSample, DEFAULT_BENCH_MOE } from '../../../src/bench/train/moe-config';
import { modelStepFlops } from '../../../src/bench/train/backbone-flops';

test('a tiny train-suite run yields consistent rows for every implementation', async () => {
  const all = await runTrainSuite({ batches: [8], budget: { warmupMs: 5, measureMs: 30, windows: 3 }, matmulN: 64, torchBackbones: ['cnn'] });
  const torchRows = all.filter((r) => r.name.includes('pytorch') || r.name.includes('threads vs 1'));
  const rows = all.filter((r) => !torchRows.includes(r));
  assert.ok(rows.length >= 1);
  if (torchRows.length === 1) assert.match(String(torchRows[0].note), /PyTorch|python/, 'an absent PyTorch is a row saying so');
  else {
    assert.deepEqual(
      torchRows.map((r) => r.name),
      [
        'cnn step vs pytorch (1 thread)',
        `cnn trainer step (${DEFAULT_STEPS_PER_CALL} steps/call) vs pytorch (1 thread)`,
        `cnn step vs pytorch (${availableParallelism()} threads)`,
        'cnn onnx step, 2 threads vs 1 (--threads)',
      ],
    );
    rows.push(...torchRows);
  }
  for (const r of rows) {
    assert.equal(r.suite, 'train');
    assert.equal(r.batch, 8);
    assert.ok(r.value > 0 && r.baseline !== null && r.baseline > 0, `${r.name}: ${r.value} vs ${r.baseline}`);
    // ratio is ours / baseline (rounded to 3 significant digits).
    assert.ok(Math.abs(r.ratio! - r.value / r.baseline!) <= 0.01 * r.ratio!, `${r.name}: ratio ${r.ratio}`);
  }
  const names = rows.filter((r) => !torchRows.includes(r)).map((r) => r.name);
  if (names.includes('onnx step vs tfjs-wasm step (1 thread)')) {
    assert.deepEqual(names, [
      'onnx step vs tfjs-wasm step (1 thread)',
      'onnx step vs plain-ts step',
      'onnx 4 steps/call vs tfjs-wasm step',
      'onnx step GFLOP/s vs ort matmul peak',
    ]);
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
  // The per-backbone count agrees on the mlp, and counts the cnn's convolutions directly.
  assert.equal(modelStepFlops(defaultModelConfig({ backbone: 'mlp' }), 4), stepFlopsPerSample(DEFAULT_BENCH_MOE));
  const cnnHead = 2 * 1568 * 128 * 3 + 2048 * 3 + 4 * 17664 * 3;
  const cnnConvs = 2 * 16 * 9 * 784 * 2 + 2 * 32 * 16 * 9 * 49 * 3;
  assert.equal(modelStepFlops(defaultModelConfig({ backbone: 'cnn' }), 4), cnnConvs + cnnHead);
});
