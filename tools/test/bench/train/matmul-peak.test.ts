import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { matmulModel, measureMatMulPeak } from '../../../src/bench/train/matmul-peak';
import { seededRandom } from '../../../src/bench/train/params';

test('the MatMul peak model computes a @ W (checked against a plain loop)', async () => {
  const n = 9;
  const rnd = seededRandom(3);
  const w = Float32Array.from({ length: n * n }, () => rnd() - 0.5);
  const a = Float32Array.from({ length: n * n }, () => rnd() - 0.5);
  const session = await ort.InferenceSession.create(matmulModel(n, w), { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const c = (await session.run({ a: new ort.Tensor('float32', a, [n, n]) })).c.data as Float32Array;
  await session.release();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * w[k * n + j];
      assert.ok(Math.abs(c[i * n + j] - s) < 1e-5, `c[${i},${j}] = ${c[i * n + j]}, expected ${s}`);
    }
  }
  const peak = await measureMatMulPeak(32, { warmupMs: 1, measureMs: 10, windows: 2 });
  assert.equal(peak.n, 32);
  assert.ok(peak.gflops > 0 && Number.isFinite(peak.gflops));
});
