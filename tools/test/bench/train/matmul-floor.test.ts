import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { defaultModelConfig } from '@flexmoe/ml/model';
import { mlpProductsGraph, MlpProductsFloor } from '../../../src/bench/train/matmul-floor';
import { DEFAULT_BENCH_MOE, stepFlopsPerSample } from '../../../src/bench/train/moe-config';

/** FLOPs of a graph's Gemms (2 per multiply-add) from the declared input shapes. */
function gemmFlops(bytes: Uint8Array, inputs: Record<string, number[]>): number {
  const graph = onnx.ModelProto.decode(bytes).graph!;
  const shapes = new Map<string, number[]>(Object.entries(inputs));
  let flops = 0;
  for (const node of graph.node!) {
    assert.equal(node.opType, 'Gemm', 'the floor holds matrix products only');
    const flag = (name: string): boolean => node.attribute!.some((a) => a.name === name && Number(a.i) === 1);
    const a = shapes.get(node.input![0])!;
    const b = shapes.get(node.input![1])!;
    const [m, k] = flag('transA') ? [a[1], a[0]] : a;
    const n = flag('transB') ? b[0] : b[1];
    flops += 2 * m * k * n;
    shapes.set(node.output![0], [m, n]);
  }
  return flops;
}

test("the floor graph holds exactly the products the step's FLOP count counts", () => {
  const model = defaultModelConfig({ backbone: 'mlp' });
  const { bytes, inputs } = mlpProductsGraph(model, DEFAULT_BENCH_MOE.assigned.length, 64);
  assert.equal(gemmFlops(bytes, inputs), 64 * stepFlopsPerSample(DEFAULT_BENCH_MOE));
});

test('the floor runs in ONNX Runtime and refuses backbones it does not model', async () => {
  const floor = await MlpProductsFloor.create(defaultModelConfig({ backbone: 'mlp' }), 4, 8);
  const out = (await floor.run()) as Record<string, { dims: readonly number[] }>;
  assert.deepEqual(out.dW1.dims, [784, 128]);
  await floor.release();
  assert.throws(() => mlpProductsGraph(defaultModelConfig({ backbone: 'cnn' }), 4, 8), /mlp backbone, not cnn/);
});
