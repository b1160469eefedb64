/**
 * The yardstick for "achieved GFLOP/s": one large MatMul in ONNX Runtime on one intra-op thread,
 * measured in the same process as the training step. Built directly with onnx-proto so it does not
 * depend on the graph builder under test.
 */
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { measureRate, type MeasureBudget } from '../measure';
import { seededRandom } from './params';

/** The MatMul peak: size and achieved rate. */
export interface MatMulPeak {
  /** Square matrix size n (an n x n by n x n product). */
  n: number;
  /** Achieved GFLOP/s (2 n^3 per product). */
  gflops: number;
}

function tensorInfo(name: string, dims: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

/** Serialized ONNX model computing `a @ W` with `W` an n x n initializer. */
export function matmulModel(n: number, weights: Float32Array): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'flexmoe-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'matmul_peak',
      node: [{ opType: 'MatMul', input: ['a', 'w'], output: ['c'], name: 'matmul' }],
      initializer: [
        { name: 'w', dims: [n, n], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) },
      ],
      input: [tensorInfo('a', [n, n])],
      output: [tensorInfo('c', [n, n])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A ready MatMul session: one call is one n x n by n x n product. */
export interface MatMulRunner {
  n: number;
  /** Floating-point operations per call (2 n^3). */
  flopsPerCall: number;
  run(): Promise<unknown>;
  release(): Promise<void>;
}

/** Builds the single-thread MatMul session for n x n matrices (seeded random data). */
export async function createMatMulRunner(n: number): Promise<MatMulRunner> {
  const rnd = seededRandom(7);
  const w = Float32Array.from({ length: n * n }, () => rnd() - 0.5);
  const a = Float32Array.from({ length: n * n }, () => rnd() - 0.5);
  const session = await ort.InferenceSession.create(matmulModel(n, w), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
  const feeds = { a: new ort.Tensor('float32', a, [n, n]) };
  return { n, flopsPerCall: 2 * n ** 3, run: () => session.run(feeds), release: () => session.release() };
}

/** Measures the single-thread MatMul rate of ONNX Runtime for n x n matrices on its own. */
export async function measureMatMulPeak(n: number, budget: MeasureBudget): Promise<MatMulPeak> {
  const runner = await createMatMulRunner(n);
  try {
    const m = await measureRate(() => runner.run(), budget);
    return { n, gflops: (m.callsPerSecond * runner.flopsPerCall) / 1e9 };
  } finally {
    await runner.release();
  }
}
