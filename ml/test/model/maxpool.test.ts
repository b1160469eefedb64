import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { SeededRandom } from '@flexmoe/shared';
import { GraphBuilder } from '../../src/onnx';
import { maxPool2x2 } from '../../src/model/maxpool';

/** dL/dx of sum(pool(x) * dy) for the index-free pool or the registry's MaxPool (Indices scatter). */
async function poolGrad(kind: 'index-free' | 'indices', x: Float64Array, dy: Float64Array, shape: number[]): Promise<Float64Array> {
  const [, c, h, w] = shape;
  const g = new GraphBuilder({ dtype: 'float64' });
  const xv = g.param('x', ['N', c, h, w]);
  const dyv = g.input('dy', 'float', ['N', c, Math.floor(h / 2), Math.floor(w / 2)]);
  const y = kind === 'index-free' ? maxPool2x2(g, xv) : g.maxPool(xv, { kernel: [2, 2], strides: [2, 2] });
  g.output(g.grad(y, [xv], dyv)[0], 'dx');
  g.output(y, 'y');
  const session = await ort.InferenceSession.create(g.build());
  const out = await session.run({
    x: new ort.Tensor('float64', x, shape),
    dy: new ort.Tensor('float64', dy, [shape[0], c, Math.floor(h / 2), Math.floor(w / 2)]),
  });
  await session.release();
  return out.dx.data as Float64Array;
}

test('index-free max-pool gradient routes to the first maximum, exactly like the Indices scatter, ties included', async () => {
  const rng = new SeededRandom(4, 'maxpool');
  for (const shape of [[2, 3, 6, 8], [1, 2, 7, 5]]) {
    const size = shape.reduce((a, b) => a * b, 1);
    // Small integers: most windows hold ties, the case a value-equality mask gets wrong.
    const x = Float64Array.from({ length: size }, () => rng.int(3));
    const outSize = shape[0] * shape[1] * Math.floor(shape[2] / 2) * Math.floor(shape[3] / 2);
    const dy = Float64Array.from({ length: outSize }, () => rng.normal());
    const ours = await poolGrad('index-free', x, dy, shape);
    const reference = await poolGrad('indices', x, dy, shape);
    assert.deepEqual(ours, reference);
    assert.ok(Math.abs(ours.reduce((s, v) => s + v, 0) - dy.reduce((s, v) => s + v, 0)) < 1e-9, 'every window routes its gradient once');
  }
});
