/**
 * Every differentiable op's gradient rule against central finite differences, float64 graphs,
 * both sides evaluated by onnxruntime sessions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/onnx/builder';
import { checkGradients, seededRandom } from '../../src/onnx/gradcheck';
import { opsWithGradient } from '../../src/onnx/registry';
import { type HostTensor, runModelOnce } from '../../src/onnx/runtime';
import { attr, type Value } from '../../src/onnx/types';

interface Case {
  readonly name: string;
  build: (g: GraphBuilder) => Value;
  readonly feeds?: Record<string, HostTensor>;
  readonly params?: Record<string, Float64Array>;
}

/** Values in [lo, hi), for operands that must stay away from a singularity or a kink. */
function uniform(n: number, lo: number, hi: number, seed = 7): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const i64 = (values: number[], dims: number[]): HostTensor => ({ data: BigInt64Array.from(values, BigInt), dims });

const cases: Case[] = [
  { name: 'Add broadcast [2,3]+[3]', build: (g) => g.add(g.param('a', [2, 3]), g.param('b', [3])) },
  { name: 'Add broadcast [2,1,3]+[4,1]', build: (g) => g.add(g.param('a', [2, 1, 3]), g.param('b', [4, 1])) },
  { name: 'Sub broadcast [3]-[2,3]', build: (g) => g.sub(g.param('a', [3]), g.param('b', [2, 3])) },
  { name: 'Mul broadcast [2,3]*[2,1]', build: (g) => g.mul(g.param('a', [2, 3]), g.param('b', [2, 1])) },
  { name: 'Mul by scalar', build: (g) => g.mul(g.param('a', [2, 3]), g.param('s', [])) },
  {
    name: 'Div broadcast [2,3]/[3]',
    build: (g) => g.div(g.param('a', [2, 3]), g.param('b', [3])),
    params: { b: uniform(3, 0.5, 1.5) },
  },
  { name: 'Neg', build: (g) => g.neg(g.param('a', [2, 3])) },
  { name: 'Identity', build: (g) => g.identity(g.param('a', [2, 3])) },
  { name: 'Exp', build: (g) => g.exp(g.param('a', [2, 3])) },
  { name: 'Log', build: (g) => g.log(g.param('a', [2, 3])), params: { a: uniform(6, 0.5, 2) } },
  { name: 'Sqrt', build: (g) => g.sqrt(g.param('a', [2, 3])), params: { a: uniform(6, 0.5, 2) } },
  { name: 'Reciprocal', build: (g) => g.reciprocal(g.param('a', [4])), params: { a: uniform(4, 0.5, 2) } },
  { name: 'Relu', build: (g) => g.relu(g.param('a', [3, 4])) },
  { name: 'Abs', build: (g) => g.abs(g.param('a', [3, 4])) },
  { name: 'Tanh', build: (g) => g.tanh(g.param('a', [3, 4])) },
  { name: 'Sigmoid', build: (g) => g.sigmoid(g.param('a', [3, 4])) },
  { name: 'Max broadcast', build: (g) => g.max(g.param('a', [2, 3]), g.param('b', [3])) },
  { name: 'Min broadcast', build: (g) => g.min(g.param('a', [2, 3]), g.param('b', [2, 1])) },
  { name: 'Softmax axis -1', build: (g) => g.softmax(g.param('a', [3, 4])) },
  { name: 'Softmax axis 0', build: (g) => g.softmax(g.param('a', [3, 4]), 0) },
  { name: 'LogSoftmax axis 1 of 3-D', build: (g) => g.logSoftmax(g.param('a', [2, 3, 4]), 1) },
  {
    name: 'softmaxCrossEntropy (mean) with int64 labels',
    build: (g) => g.softmaxCrossEntropy(g.param('logits', [4, 5]), g.input('y', 'int64', [4])),
    feeds: { y: i64([1, 4, 0, 1], [4]) },
  },
  {
    name: 'Split into three along axis 1 (the middle piece unused)',
    build: (g) => {
      const [a, , c] = g.split(g.param('a', [2, 7]), 1, [2, 3, 2]);
      return g.concat([g.mul(c, 2), a], 1);
    },
  },
  { name: 'MatMul 2-D', build: (g) => g.matmul(g.param('a', [3, 4]), g.param('b', [4, 2])) },
  { name: 'MatMul batched', build: (g) => g.matmul(g.param('a', [2, 3, 4]), g.param('b', [2, 4, 2])) },
  { name: 'MatMul batch broadcast (b shared)', build: (g) => g.matmul(g.param('a', [2, 3, 4]), g.param('b', [4, 2])) },
  { name: 'MatMul batch broadcast (a size-1)', build: (g) => g.matmul(g.param('a', [1, 3, 4]), g.param('b', [2, 4, 2])) },
  { name: 'Gemm linear bias [N]', build: (g) => g.linear(g.param('x', [3, 4]), g.param('w', [4, 2]), g.param('b', [2])) },
  {
    name: 'Gemm transA alpha beta bias [1,N]',
    build: (g) => g.gemm(g.param('a', [4, 3]), g.param('b', [4, 2]), g.param('c', [1, 2]), { transA: 1, alpha: 0.7, beta: 1.3 }),
  },
  {
    name: 'Gemm transB bias [M,N]',
    build: (g) => g.gemm(g.param('a', [3, 4]), g.param('b', [2, 4]), g.param('c', [3, 2]), { transB: 1, beta: 0.5 }),
  },
  {
    name: 'Gemm transA transB alpha',
    build: (g) => g.gemm(g.param('a', [4, 3]), g.param('b', [2, 4]), null, { transA: 1, transB: 1, alpha: 2 }),
  },
  { name: 'ReduceSum axes [1] keepdims', build: (g) => g.reduceSum(g.param('a', [2, 3, 4]), [1], true) },
  { name: 'ReduceSum axes [0,2]', build: (g) => g.reduceSum(g.param('a', [2, 3, 4]), [0, 2]) },
  { name: 'ReduceSum all', build: (g) => g.reduceSum(g.param('a', [2, 3])) },
  { name: 'ReduceMean axes [-1]', build: (g) => g.reduceMean(g.param('a', [2, 3, 4]), [-1]) },
  { name: 'ReduceMean all keepdims', build: (g) => g.reduceMean(g.param('a', [2, 3]), undefined, true) },
  { name: 'Reshape', build: (g) => g.mul(g.reshape(g.param('a', [2, 6]), [3, -1]), g.param('b', [4])) },
  { name: 'Flatten', build: (g) => g.mul(g.flatten(g.param('a', [2, 3, 2])), g.param('b', [6])) },
  { name: 'Transpose', build: (g) => g.mul(g.transpose(g.param('a', [2, 3, 4]), [2, 0, 1]), g.param('b', [2, 1])) },
  { name: 'Unsqueeze/Squeeze', build: (g) => g.squeeze(g.mul(g.unsqueeze(g.param('a', [2, 3]), [1]), g.param('b', [1, 3])), [1]) },
  { name: 'Expand', build: (g) => g.mul(g.expand(g.param('a', [3, 1]), [2, 3, 4]), g.param('b', [4])) },
  {
    name: 'Gather axis 0 (repeated indices)',
    build: (g) => g.gather(g.param('table', [5, 3]), g.input('i', 'int64', [4]), 0),
    feeds: { i: i64([1, 3, 1, 4], [4]) },
  },
  {
    name: 'Gather axis 1 with 2-D indices',
    build: (g) => g.gather(g.param('a', [2, 4, 3]), g.input('i', 'int64', [2, 2]), 1),
    feeds: { i: i64([3, 0, 3, 2], [2, 2]) },
  },
  {
    name: 'GatherElements axis 1',
    build: (g) => g.gatherElements(g.param('a', [3, 4]), g.input('i', 'int64', [3, 2]), 1),
    feeds: { i: i64([0, 0, 3, 1, 2, 2], [3, 2]) },
  },
  {
    name: 'GatherND',
    build: (g) => g.gatherND(g.param('a', [3, 4]), g.input('i', 'int64', [2, 1])),
    feeds: { i: i64([2, 0], [2, 1]) },
  },
  {
    name: 'ScatterElements none (data and updates)',
    build: (g) => g.scatterElements(g.param('a', [3, 4]), g.input('i', 'int64', [3, 1]), g.param('u', [3, 1]), 1),
    feeds: { i: i64([2, 0, 3], [3, 1]) },
  },
  {
    name: 'ScatterElements add',
    build: (g) => g.scatterElements(g.param('a', [2, 3]), g.input('i', 'int64', [2, 2]), g.param('u', [2, 2]), 1, 'add'),
    feeds: { i: i64([1, 1, 0, 2], [2, 2]) },
  },
  {
    name: 'ScatterND none',
    build: (g) => g.scatterND(g.param('a', [4, 2]), g.input('i', 'int64', [2, 1]), g.param('u', [2, 2])),
    feeds: { i: i64([3, 1], [2, 1]) },
  },
  { name: 'TopK values', build: (g) => g.topK(g.param('a', [3, 5]), 2).values },
  { name: 'TopK values axis 0', build: (g) => g.topK(g.param('a', [4, 3]), 3, 0).values },
  {
    name: 'Where with constant mask',
    build: (g) => g.where(g.greater(g.constant([1, -1, 1, -1, -1, 1], [2, 3]), 0), g.param('a', [2, 3]), g.param('b', [3])),
  },
  { name: 'Concat axis 1', build: (g) => g.concat([g.param('a', [2, 1]), g.param('b', [2, 3])], 1) },
  { name: 'Slice', build: (g) => g.slice(g.param('a', [3, 5]), [1, 0], [1, 1], [4, 3]) },
  { name: 'Slice with steps', build: (g) => g.slice(g.param('a', [5, 7]), [0, 1], [1, 0], [5, 7], [2, 3]) },
  { name: 'Slice with step, negative start', build: (g) => g.slice(g.param('a', [2, 8]), [1], [-7], [8], [3]) },
  { name: 'Pad', build: (g) => g.pad(g.param('a', [2, 3]), [1, 0], [0, 2]) },
  { name: 'Sum (variadic, broadcast)', build: (g) => g.op1('Sum', [g.param('a', [2, 3]), g.param('b', [3]), g.param('c', [2, 1])]) },
  {
    name: 'fan-out: x*x + exp(x) - x@W',
    build: (g) => {
      const x = g.param('x', [2, 2]);
      return g.sub(g.add(g.mul(x, x), g.exp(x)), g.matmul(x, g.param('w', [2, 2])));
    },
  },
  {
    name: 'MaxPool 2x2 stride 2 (float64 kernel)',
    build: (g) => g.maxPool(g.param('x', [1, 2, 4, 4]), { kernel: [2, 2], strides: [2, 2] }),
  },
  {
    name: 'MaxPool 3x3 stride 1 pad 1',
    build: (g) => g.maxPool(g.param('x', [2, 1, 3, 3]), { kernel: [3, 3], pads: [1, 1, 1, 1] }),
  },
  {
    name: 'Conv on float64 (im2col lowering) 3x3 stride 2 pad 1 with bias',
    build: (g) => g.conv(g.param('x', [2, 2, 5, 4]), g.param('w', [2, 2, 3, 3]), g.param('b', [2]), { strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: 'Conv on float64 (im2col lowering) 2x1 asymmetric pads',
    build: (g) => g.conv(g.param('x', [1, 1, 3, 3]), g.param('w', [3, 1, 2, 1]), null, { pads: [0, 1, 1, 0] }),
  },
  {
    name: 'GroupNormalization, 2 groups over [2, 4, 3, 2], per-group scale and bias',
    build: (g) =>
      g.op1('GroupNormalization', [g.param('x', [2, 4, 3, 2]), g.param('s', [2]), g.param('b', [2])], { num_groups: attr.int(2), epsilon: attr.float(1e-3) }),
  },
  {
    name: 'LayerNormalization over the last two axes, per-element scale and bias',
    build: (g) =>
      g.op1('LayerNormalization', [g.param('x', [2, 3, 4]), g.param('s', [3, 4]), g.param('b', [4])], {
        axis: attr.int(1),
        epsilon: attr.float(1e-3),
      }),
  },
  {
    name: 'channelAffine (BatchNormalization with zero mean, unit variance) over [2, 3, 2, 2]',
    build: (g) => g.channelAffine(g.param('x', [2, 3, 2, 2]), g.param('s', [3]), g.param('b', [3])),
  },
  {
    name: 'groupNorm helper (per-channel affine), 3 groups of 2 channels, rank 3',
    build: (g) => g.groupNorm(g.param('x', [3, 6, 5]), g.param('gamma', [6]), g.param('beta', [6]), 3),
  },
  {
    name: 'groupNorm helper with one channel per group, rank 4 (the fused rule without group sums)',
    build: (g) => g.groupNorm(g.param('x', [2, 3, 2, 3]), g.param('gamma', [3]), g.param('beta', [3]), 3),
  },
  {
    name: 'residual block: conv -> groupNorm -> relu -> conv (stride 2) + 1x1 projection, global average pool',
    build: (g) => {
      const x = g.param('x', [2, 2, 5, 5]);
      const y = g.relu(g.groupNorm(g.conv(x, g.param('w1', [4, 2, 3, 3]), null, { pads: [1, 1, 1, 1] }), g.param('g1', [4]), g.param('b1', [4]), 2));
      const branch = g.conv(y, g.param('w2', [4, 4, 3, 3]), null, { strides: [2, 2], pads: [1, 1, 1, 1] });
      const shortcut = g.conv(x, g.param('wp', [4, 2, 1, 1]), null, { strides: [2, 2] });
      return g.reduceMean(g.relu(g.add(branch, shortcut)), [2, 3]);
    },
  },
  {
    name: 'MLP step: relu(linear) -> softmaxCrossEntropy',
    build: (g) => {
      const h = g.relu(g.linear(g.param('x', [3, 4]), g.param('w1', [4, 5]), g.param('b1', [5])));
      return g.softmaxCrossEntropy(g.linear(h, g.param('w2', [5, 3]), g.param('b2', [3])), g.input('y', 'int64', [3]));
    },
    feeds: { y: i64([2, 0, 1], [3]) },
  },
];

for (const c of cases) {
  test(`gradient of ${c.name} matches finite differences`, async () => {
    const r = await checkGradients({ build: c.build, feeds: c.feeds, params: c.params, seed: 3 });
    assert.ok(r.maxRelError < 1e-5, `relative errors ${JSON.stringify(r.relErrors)}`);
  });
}

test('every op with a gradient rule is checked here or against a float64 reference', () => {
  const covered = new Set<string>(['Conv', 'AveragePool', 'Cast']); // conv.test.ts, helpers.test.ts
  for (const c of cases) {
    const g = new GraphBuilder({ dtype: 'float64' });
    c.build(g);
    for (const n of g.nodes()) covered.add(n.opType);
  }
  assert.deepEqual(
    opsWithGradient().filter((op) => !covered.has(op)),
    [],
  );
});

test('inferred dtypes and shapes equal the run-time ones for every value of every gradient graph', async () => {
  const typed: Record<string, string> = { float64: 'Float64Array', int64: 'BigInt64Array', bool: 'Uint8Array', float32: 'Float32Array' };
  for (const c of cases) {
    const g = new GraphBuilder({ dtype: 'float64' });
    const out = c.build(g);
    const params = g.inputValues().filter((v) => v.kind === 'param');
    g.grad(g.reduceSum(g.mul(out, g.constant(0.5, out.shape as number[]))), params);
    const values = g.nodes().flatMap((n) => n.outputs);
    values.forEach((v, i) => g.output(v, `v${i}`));
    const feeds: Record<string, HostTensor> = { ...c.feeds };
    for (const p of params)
      feeds[p.name] = {
        data:
          c.params?.[p.name] ??
          uniform(
            p.shape.reduce<number>((a, d) => a * (d as number), 1),
            -1,
            1,
          ),
        dims: p.shape as number[],
      };
    const result = await runModelOnce(g.build(), feeds);
    values.forEach((v, i) => {
      const r = result[`v${i}`];
      assert.deepEqual(r.dims, v.shape, `${c.name}: shape of ${v.producer!.opType} output`);
      assert.equal(r.data.constructor.name, typed[v.dtype], `${c.name}: dtype of ${v.producer!.opType} output`);
    });
  }
});

test('the checker notices a wrong gradient', async () => {
  // Stop-gradient hides a dependency: the emitted gradient misses d/da of a*stop(a).
  const r = await checkGradients({
    build: (g) => {
      const a = g.param('a', [3]);
      return g.mul(a, g.stopGradient(a));
    },
  });
  assert.ok(r.maxRelError > 0.1, `expected a large error, got ${r.maxRelError}`);
});
