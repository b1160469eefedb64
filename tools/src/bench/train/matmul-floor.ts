/**
 * The floor under the mlp training step: its matrix products alone (forward, weight gradients,
 * input gradients short of the input layer, chained as the backward pass chains them) at the
 * step's shapes, in one ONNX Runtime graph on one thread. No step built from these products can
 * run faster, so PyTorch's step time over this graph's time bounds the ratio any ONNX step of
 * this model can reach on the machine.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder, type Value } from '@flexmoe/ml/onnx';
import type { MoEConfig } from '@flexmoe/ml/model';
import { sessionOptions } from '@flexmoe/ml/training/sessions';
import { BenchBackendError } from '../bench-error';
import { seededRandom } from './params';

/** The products graph and the shapes of its inputs. */
export interface ProductsGraph {
  bytes: Uint8Array;
  inputs: Record<string, number[]>;
}

/** Builds the products of one mlp MoE step with k expert slots at batch `n`. */
export function mlpProductsGraph(model: MoEConfig, k: number, n: number): ProductsGraph {
  if (model.backbone !== 'mlp') throw new BenchBackendError(`the matrix-product floor covers the mlp backbone, not ${model.backbone}`);
  const d = model.inputShape.reduce((a, b) => a * b, 1);
  const [f, e, kh, c] = [model.featureDim, model.experts, k * model.expertHidden, model.classes];
  const g = new GraphBuilder({ dtype: 'float32', name: 'mlp_step_products' });
  const inputs: Record<string, number[]> = {};
  const inp = (name: string, shape: number[]): Value => ((inputs[name] = shape), g.input(name, 'float', shape));
  const x = inp('x', [n, d]);
  const [w1, wg, wf1, wf2] = [inp('w1', [d, f]), inp('wg', [f, e]), inp('wf1', [f, kh]), inp('wf2', [kh, c])];
  const [dz, ds] = [inp('dz', [n, c]), inp('ds', [n, e])];
  const feats = g.gemm(x, w1);
  const hidden = g.gemm(feats, wf1);
  const tA = { transA: 1 };
  const tB = { transB: 1 };
  const dHidden = g.gemm(dz, wf2, null, tB);
  const dFeats = g.gemm(dHidden, wf1, null, tB);
  const outputs = {
    scores: g.gemm(feats, wg),
    logits: g.gemm(hidden, wf2),
    dWf2: g.gemm(hidden, dz, null, tA),
    dWf1: g.gemm(feats, dHidden, null, tA),
    dWg: g.gemm(feats, ds, null, tA),
    dFeatsGate: g.gemm(ds, wg, null, tB),
    dW1: g.gemm(x, dFeats, null, tA),
  };
  for (const [name, v] of Object.entries(outputs)) g.output(v, name);
  return { bytes: g.build(), inputs };
}

/** A session running the products of one step per call. */
export class MlpProductsFloor {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly feeds: Record<string, ort.Tensor>,
  ) {}

  /** Builds the graph and session (one intra-op thread) with seeded inputs. */
  static async create(model: MoEConfig, k: number, n: number): Promise<MlpProductsFloor> {
    const graph = mlpProductsGraph(model, k, n);
    const session = await ort.InferenceSession.create(graph.bytes, sessionOptions(1));
    const rnd = seededRandom(11);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, shape] of Object.entries(graph.inputs)) {
      feeds[name] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() - 0.5),
        shape,
      );
    }
    return new MlpProductsFloor(session, feeds);
  }

  /** One step's products. */
  run(): Promise<unknown> {
    return this.session.run(this.feeds);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
