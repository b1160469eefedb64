/**
 * Non-differentiable helpers (OneHot, ArgMax, TopK indices, comparisons, Cast, Shape) run in
 * onnxruntime on float64 graphs, and gradients through casts and symbol-moving reshapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/onnx/builder';
import { runModelOnce } from '../../src/onnx/runtime';

test('index and mask helpers compute what plain TypeScript computes, in the declared dtypes', async () => {
  const g = new GraphBuilder({ dtype: 'float64' });
  const x = g.input('x', 'float', ['N', 4]);
  const labels = g.input('labels', 'int64', ['N']);
  g.output(g.oneHot(labels, 4), 'onehot');
  g.output(g.argMax(x, 1), 'argmax');
  g.output(g.topK(x, 2).indices, 'top2');
  g.output(g.cast(g.equal(g.argMax(x, 1), labels), 'float'), 'hit');
  g.output(g.shapeOf(x), 'shape');
  g.output(g.reduceMax(x, [1]), 'rowmax');
  g.output(g.where(g.greater(x, 0), x, -1e9), 'masked');
  const rows = [
    [0.1, 0.9, -0.3, 0.2],
    [2, -1, 3, 0.5],
    [-0.5, -0.2, -0.9, -0.1],
  ];
  const lab = [1, 0, 3];
  const out = await runModelOnce(g.build(), {
    x: { data: Float64Array.from(rows.flat()), dims: [3, 4] },
    labels: { data: BigInt64Array.from(lab, BigInt), dims: [3] },
  });
  const argmax = rows.map((r) => r.indexOf(Math.max(...r)));
  const top2 = rows.map((r) => [...r.keys()].sort((a, b) => r[b] - r[a]).slice(0, 2));
  assert.ok(out.onehot.data instanceof Float64Array);
  assert.deepEqual(
    Array.from(out.onehot.data as Float64Array),
    lab.flatMap((l) => [0, 1, 2, 3].map((c) => (c === l ? 1 : 0))),
  );
  assert.deepEqual(Array.from(out.argmax.data as BigInt64Array, Number), argmax);
  assert.deepEqual(Array.from(out.top2.data as BigInt64Array, Number), top2.flat());
  assert.deepEqual(
    Array.from(out.hit.data as Float64Array),
    argmax.map((a, i) => (a === lab[i] ? 1 : 0)),
  );
  assert.deepEqual(Array.from(out.shape.data as BigInt64Array, Number), [3, 4]);
  assert.deepEqual(
    Array.from(out.rowmax.data as Float64Array),
    rows.map((r) => Math.max(...r)),
  );
  assert.deepEqual(
    Array.from(out.masked.data as Float64Array),
    rows.flat().map((v) => (v > 0 ? v : -1e9)),
  );
});

test('gradients flow through float casts and reshapes that move the batch symbol', async () => {
  const g = new GraphBuilder({ dtype: 'float64' });
  const x = g.input('x', 'float', [2, 'N']);
  const c = g.param('c', [1, 2]);
  const moved = g.reshape(x, ['N', 2]);
  assert.deepEqual(moved.shape, ['N', 2]);
  const viaFloat32 = g.cast(g.mul(g.cast(moved, 'float32'), g.cast(c, 'float32')), 'float64');
  const [dx, dc] = g.grad(g.reduceSum(g.mul(viaFloat32, 3)), [x, c]);
  g.output(dx, 'dx');
  g.output(dc, 'dc');
  const xs = [1, 2, 3, 4, 5, 6];
  const out = await runModelOnce(g.build(), { x: { data: Float64Array.from(xs), dims: [2, 3] }, c: { data: Float64Array.of(0.5, -2), dims: [1, 2] } });
  assert.ok(out.dx.data instanceof Float64Array);
  // moved[n, j] = xs[2n + j]; d/dx = 3 c[j]; d/dc[j] = 3 sum_n xs[2n + j].
  assert.deepEqual(
    Array.from(out.dx.data as Float64Array),
    xs.map((_, i) => 3 * [0.5, -2][i % 2]),
  );
  assert.deepEqual(Array.from(out.dc.data as Float64Array), [3 * (1 + 3 + 5), 3 * (2 + 4 + 6)]);
});
