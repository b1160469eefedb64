/**
 * Builder behaviour: shape inference with a symbolic batch, clear errors, pruning, the model's
 * declared interface, and a real SGD loop through onnxruntime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { InvalidArgumentError, ShapeError } from '@flexmoe/shared';
import { GraphBuilder } from '../../src/onnx/builder';
import { seededRandom } from '../../src/onnx/gradcheck';
import { createSession, runGraph, runModelOnce } from '../../src/onnx/runtime';

const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes);

test('shapes are inferred through a symbolic batch dimension', () => {
  const g = new GraphBuilder({ dtype: 'float32' });
  const x = g.input('x', 'float', ['N', 1, 28, 28]);
  const flat = g.flatten(x);
  assert.deepEqual(flat.shape, ['N', 784]);
  const h = g.relu(g.linear(flat, g.param('w', [784, 16]), g.param('b', [16])));
  assert.deepEqual(h.shape, ['N', 16]);
  assert.deepEqual(g.reshape(h, ['N', 4, 4]).shape, ['N', 4, 4]);
  // A leftover symbol times a static factor becomes a merged dim, and splits back.
  assert.deepEqual(g.reshape(h, [-1, 8]).shape, ['N*2', 8]);
  assert.deepEqual(g.reshape(g.reshape(h, [-1, 8]), ['N', 4, 4]).shape, ['N', 4, 4]);
  assert.throws(() => g.reshape(h, [-1, 32]), /cannot infer -1/);
  assert.deepEqual(g.reshape(g.reshape(h, ['N', 2, 8]), [-1, 16]).shape, ['N', 16]);
  assert.deepEqual(g.topK(h, 2).indices.shape, ['N', 2]);
  assert.equal(g.topK(h, 2).indices.dtype, 'int64');
  assert.deepEqual(g.oneHot(g.argMax(h, 1), 16).shape, ['N', 16]);
  assert.deepEqual(g.reduceMean(h, [0]).shape, [16]);
  assert.deepEqual(g.conv(g.input('img', 'float', ['N', 3, 8, 8]), g.param('k', [4, 3, 3, 3]), null, { strides: [2, 2], pads: [1, 1, 1, 1] }).shape, [
    'N',
    4,
    4,
    4,
  ]);
});

test('bad shapes, dtypes and unknown ops are refused with errors naming them', () => {
  const g = new GraphBuilder({ dtype: 'float32' });
  const x = g.input('x', 'float', ['N', 3]);
  const i = g.input('i', 'int64', ['N']);
  assert.throws(
    () => g.op('Frobnicate', [x]),
    (e: unknown) => e instanceof InvalidArgumentError && /unknown op 'Frobnicate'/.test(e.message),
  );
  assert.throws(
    () => g.matmul(x, g.param('w', [4, 2])),
    (e: unknown) => e instanceof ShapeError && /MatMul.*3 and 4.*\[N,3\].*\[4,2\]/.test(e.message),
  );
  assert.throws(
    () => g.add(x, g.param('v', [4])),
    (e: unknown) => e instanceof ShapeError && /Add.*\[N,3\].*\[4\]/.test(e.message),
  );
  assert.throws(() => g.add(x, g.param('u', [5, 3])), /do not broadcast/);
  assert.throws(
    () => g.mul(i, x),
    (e: unknown) => e instanceof ShapeError && /Mul: dtype mismatch.*int64.*float32/.test(e.message),
  );
  assert.throws(() => g.exp(i), /Exp: expected a float tensor/);
  assert.throws(() => g.reshape(x, [4, -1]), /Reshape/);
  assert.throws(() => g.softmax(x, 2), /Softmax: axis 2 is out of range/);
  assert.throws(() => g.input('x', 'float', [3]), /already used/);
  assert.throws(() => g.input('_x', 'float', [3]), /invalid tensor name/);
  assert.throws(() => g.input('z', 'float', [-1]), /bad dimension/);
  assert.throws(() => g.constant([1, 2, 3], [2, 2]), /3 values do not fill shape \[2,2\]/);
  assert.throws(() => g.topK(x, 4), /TopK: k = 4 is out of range/);
  const other = new GraphBuilder({ dtype: 'float32' });
  assert.throws(() => other.relu(x), /belongs to another graph/);
  const g64 = new GraphBuilder({ dtype: 'float64' });
  assert.throws(() => g64.averagePool(g64.input('x', 'float', [1, 1, 4, 4]), { kernel: [2, 2] }), /AveragePool: onnxruntime has no float64 CPU kernel/);
  assert.throws(() => g64.conv(g64.input('y', 'float', [1, 2, 4, 4]), g64.param('w', [1, 1, 3, 3])), /Conv: weight in-channels differ/);
  assert.throws(() => new GraphBuilder({ dtype: 'int64' as 'float32' }), /graph dtype must be float32 or float64/);
});

test('grad refuses non-differentiable paths unless stopped, and gives zeros for unused params', async () => {
  const g = new GraphBuilder({ dtype: 'float64' });
  const w = g.param('w', [2, 3]);
  const unused = g.param('unused', [4]);
  const m = g.reduceMax(w, [1], true);
  assert.throws(() => g.grad(g.reduceSum(g.sub(w, m)), [w]), /op ReduceMax .* has no gradient rule/);
  assert.throws(() => g.grad(w, [w]), /must have one element/);
  const loss = g.reduceSum(g.exp(g.sub(w, g.stopGradient(m))));
  const [dw, du] = g.grad(loss, [w, unused]);
  g.output(dw, 'dw');
  g.output(du, 'du');
  const data = Float64Array.from([0.1, 0.5, -0.2, 1, 2, 3]);
  const out = await runModelOnce(g.build(), { w: { data, dims: [2, 3] }, unused: { data: new Float64Array(4), dims: [4] } });
  const expected = data.map((v, i) => Math.exp(v - (i < 3 ? 0.5 : 3)));
  (out.dw.data as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12));
  assert.deepEqual(Array.from(out.du.data as Float64Array), [0, 0, 0, 0]);
});

test('build prunes dead nodes, trims unused MaxPool indices and declares opset 18 / IR 8', () => {
  const g = new GraphBuilder({ dtype: 'float32', name: 'tiny' });
  const x = g.input('x', 'float', ['N', 1, 4, 4]);
  g.exp(x); // dead
  g.output(g.maxPool(x, { kernel: [2, 2], strides: [2, 2] }), 'y');
  const model = decode(g.build());
  const graph = model.graph!;
  assert.equal(Number(model.irVersion), 8);
  assert.equal(Number(model.opsetImport![0].version), 18);
  assert.deepEqual(
    graph.node!.map((n) => n.opType),
    ['MaxPool'],
  );
  assert.deepEqual(graph.node![0].output, ['y']);
  assert.equal(graph.node![0].output!.length, 1);
  assert.equal(graph.input![0].type!.tensorType!.shape!.dim![0].dimParam, 'N');
  assert.deepEqual(g.signature(), {
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 1, 4, 4], kind: 'input' }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 1, 2, 2], kind: 'output' }],
  });
});

test('SGD steps on a float64 softmax regression lower the loss, parameters flowing in and out', async () => {
  const g = new GraphBuilder({ dtype: 'float64' });
  const x = g.input('x', 'float', ['N', 4]);
  const y = g.input('y', 'int64', ['N']);
  const lr = g.input('lr', 'float', []);
  const w = g.param('w', [4, 3]);
  const b = g.param('b', [3]);
  const loss = g.softmaxCrossEntropy(g.linear(x, w, b), y);
  const [gw, gb] = g.grad(loss, [w, b]);
  g.output(loss, 'loss');
  g.output(g.sub(w, g.mul(lr, gw)), 'w.new');
  g.output(g.sub(b, g.mul(lr, gb)), 'b.new');
  const session = await createSession(g.build());
  const rand = seededRandom(5);
  const n = 32;
  const labels = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3));
  const xs = Float64Array.from({ length: n * 4 }, (_, k) => (Math.floor(k / 4) % 3 === k % 4 ? 2 : 0) + rand() - 0.5);
  let params = { w: { data: new Float64Array(12), dims: [4, 3] }, b: { data: new Float64Array(3), dims: [3] } };
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) {
    const out = await runGraph(session, {
      ...params,
      x: { data: xs, dims: [n, 4] },
      y: { data: labels, dims: [n] },
      lr: { data: Float64Array.of(0.5), dims: [] },
    });
    losses.push((out.loss.data as Float64Array)[0]);
    params = { w: out['w.new'] as typeof params.w, b: out['b.new'] as typeof params.b };
  }
  await session.release();
  assert.ok(Math.abs(losses[0] - Math.log(3)) < 1e-12, `initial loss ${losses[0]}`);
  assert.ok(losses[19] < 0.5 * losses[0], `losses ${losses[0]} -> ${losses[19]}`);
});

test('a value can be published under several names, inputs included', async () => {
  const g = new GraphBuilder({ dtype: 'float32' });
  const x = g.input('x', 'float', ['N']);
  const r = g.relu(x);
  g.output(r, 'a');
  g.output(r, 'b');
  g.output(x, 'echo');
  const out = await runModelOnce(g.build(), { x: { data: Float32Array.of(-1, 2), dims: [2] } });
  assert.deepEqual(Array.from(out.a.data as Float32Array), [0, 2]);
  assert.deepEqual(Array.from(out.b.data as Float32Array), [0, 2]);
  assert.deepEqual(Array.from(out.echo.data as Float32Array), [-1, 2]);
  assert.deepEqual(
    g.signature().outputs.map((o) => o.name),
    ['a', 'b', 'echo'],
  );
});
