/**
 * The cnn backbone's fused convolution + 2x2 max-pool (model/conv-pool.ts): its gradients against
 * central finite differences on a float64 graph, and its output and gradients against ONNX
 * Runtime's Conv then MaxPool on a float32 graph, with ties in the pooling windows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/onnx/builder';
import { checkGradients, relativeError, seededRandom } from '../../src/onnx/gradcheck';
import { runModelOnce } from '../../src/onnx/runtime';
import type { Value } from '../../src/onnx/types';
import { convMaxPool2x2 } from '../../src/model/conv-pool';

type Dims4 = [number, number, number, number];

const shapes: Array<{ name: string; x: Dims4; w: Dims4 }> = [
  { name: '3x3 on an even map', x: [2, 2, 6, 8], w: [3, 2, 3, 3] },
  { name: '3x3 on an odd map (the last row and column are dropped)', x: [2, 1, 7, 5], w: [2, 1, 3, 3] },
  { name: '1x1 kernel', x: [1, 3, 4, 4], w: [2, 3, 1, 1] },
];

for (const s of shapes) {
  test(`convMaxPool2x2 ${s.name}: gradients match finite differences (float64)`, async () => {
    const r = await checkGradients({
      build: (g) => convMaxPool2x2(g, g.param('x', s.x), g.param('w', s.w), g.param('b', [s.w[0]])),
      seed: 5,
    });
    assert.ok(r.maxRelError < 1e-5, `relative errors ${JSON.stringify(r.relErrors)}`);
  });
}

/** Output and gradients of sum(op(x, w, b) * r) on a float32 graph. */
async function run(op: (g: GraphBuilder, x: Value, w: Value, b: Value) => Value, x: Float32Array, w: Float32Array, b: Float32Array, s: { x: Dims4; w: Dims4 }) {
  const g = new GraphBuilder({ dtype: 'float32' });
  const [xv, wv, bv] = [g.param('x', s.x), g.param('w', s.w), g.param('b', [s.w[0]])];
  const y = op(g, xv, wv, bv);
  const rand = seededRandom(9);
  const r = g.constant(
    Array.from({ length: (y.shape as number[]).reduce((p, q) => p * q, 1) }, () => rand() * 2 - 1),
    y.shape as number[],
  );
  g.grad(g.reduceSum(g.mul(y, r)), [wv, bv]).forEach((d, i) => g.output(d, `d${i}`));
  g.output(y, 'y');
  const out = await runModelOnce(g.build(), { x: { data: x, dims: s.x }, w: { data: w, dims: s.w }, b: { data: b, dims: [s.w[0]] } });
  return [out.y.data, out.d0.data, out.d1.data] as Float32Array[];
}

test('convMaxPool2x2 equals Conv then MaxPool in output and gradients, ties included (float32)', async () => {
  const s = { x: [3, 2, 9, 10] as Dims4, w: [4, 2, 3, 3] as Dims4 };
  const rand = seededRandom(3);
  // Zero patches (a blank background) make every conv output in a window equal the bias: ties.
  const x = Float32Array.from({ length: 3 * 2 * 9 * 10 }, (_, i) => (i % 90 < 45 ? 0 : rand() * 2 - 1));
  const w = Float32Array.from({ length: 4 * 2 * 9 }, () => rand() - 0.5);
  const b = Float32Array.from({ length: 4 }, () => rand() - 0.5);
  const fused = await run((g, xv, wv, bv) => convMaxPool2x2(g, xv, wv, bv), x, w, b, s);
  const native = await run((g, xv, wv, bv) => g.maxPool(g.conv(xv, wv, bv, { pads: [1, 1, 1, 1] }), { kernel: [2, 2], strides: [2, 2] }), x, w, b, s);
  ['output', 'dW', 'db'].forEach((what, i) => {
    const err = relativeError(fused[i], native[i]);
    assert.ok(err < 1e-5, `${what}: relative error ${err}`);
  });
});
