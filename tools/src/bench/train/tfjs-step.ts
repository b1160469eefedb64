/**
 * The same MoE training step in TensorFlow.js (WASM backend, one thread), differentiated by tfjs
 * itself (`tf.variableGrads`) and updated with plain SGD.
 */
import type * as TfTypes from '@tensorflow/tfjs-core';
import type { BenchMoeConfig } from './moe-config';
import { flattenParams, paramShapes, type MoeParams } from './params';

type Tf = typeof TfTypes;

/** Large finite negative for masked gate scores, as in the other implementations. */
const MASK = -1e9;

/** A tfjs step bound to one batch (inputs uploaded once, as a data pipeline would keep them). */
export class TfjsMoeStep {
  private readonly tf: Tf;
  private readonly cfg: BenchMoeConfig;
  private readonly vars: Map<string, TfTypes.Variable>;
  private readonly x: TfTypes.Tensor2D;
  private readonly oneHotLabels: TfTypes.Tensor2D;
  private readonly mask: TfTypes.Tensor1D;
  private readonly batch: number;

  constructor(tf: Tf, cfg: BenchMoeConfig, params: MoeParams, x: Float32Array, labels: Int32Array) {
    this.tf = tf;
    this.cfg = cfg;
    const shapes = new Map(paramShapes(cfg));
    this.vars = new Map(
      flattenParams(params).map(([name, a]) => {
        const initial = tf.tensor(Float32Array.from(a), shapes.get(name));
        const v = tf.variable(initial, true, `${name}_${uid()}`);
        initial.dispose();
        return [name, v];
      }),
    );
    const batch = labels.length;
    this.batch = batch;
    this.x = tf.tensor2d(x, [batch, cfg.inputDim]);
    this.oneHotLabels = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), cfg.numClasses), 'float32') as TfTypes.Tensor2D);
    const mask = new Float32Array(cfg.numExperts).fill(MASK);
    for (const e of cfg.assigned) mask[e] = 0;
    this.mask = tf.tensor1d(mask);
  }

  /** One SGD step; returns the loss before the update. */
  async step(): Promise<number> {
    const tf = this.tf;
    const { value, grads } = tf.variableGrads(() => this.loss());
    tf.tidy(() => {
      for (const [, v] of this.vars) v.assign(tf.sub(v, tf.mul(grads[v.name], this.cfg.learningRate)));
    });
    const loss = (await value.data())[0];
    tf.dispose(value);
    tf.dispose(grads);
    return loss;
  }

  /** Current parameter values by name (for cross-checks). */
  async params(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.vars) out.set(name, (await v.data()) as Float32Array);
    return out;
  }

  /** Frees every tensor this step holds. */
  dispose(): void {
    this.tf.dispose([...this.vars.values(), this.x, this.oneHotLabels, this.mask]);
  }

  private v(name: string): TfTypes.Variable {
    return this.vars.get(name)!;
  }

  private loss(): TfTypes.Scalar {
    const tf = this.tf;
    const { cfg } = this;
    const h = tf.relu(tf.add(tf.matMul(this.x, this.v('backboneW')), this.v('backboneB')));
    const probs = tf.softmax(tf.add(tf.add(tf.matMul(h, this.v('gateW')), this.v('gateB')), this.mask));
    const selected = this.topRMask(probs);
    const picked = tf.mul(probs, selected);
    const route = tf.div(picked, tf.sum(picked, 1, true));
    let logits: TfTypes.Tensor | null = null;
    cfg.assigned.forEach((expert, j) => {
      const hidden = tf.relu(tf.add(tf.matMul(h, this.v(`expert${j}.w1`)), this.v(`expert${j}.b1`)));
      const out = tf.add(tf.matMul(hidden, this.v(`expert${j}.w2`)), this.v(`expert${j}.b2`));
      const weighted = tf.mul(out, tf.slice(route, [0, expert], [-1, 1]));
      logits = logits ? tf.add(logits, weighted) : weighted;
    });
    const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(this.oneHotLabels, tf.logSoftmax(logits!)), 1)));
    // Switch loss: k * sum_j f_j * P_j; f (routed fraction) carries no gradient.
    const fraction = tf.div(tf.sum(selected, 0), this.batch * cfg.topR);
    const meanProb = tf.mean(probs, 0);
    const aux = tf.mul(tf.sum(tf.mul(fraction, meanProb)), cfg.assigned.length);
    return tf.add(crossEntropy, tf.mul(aux, cfg.auxWeight)) as TfTypes.Scalar;
  }

  /** 1 where the expert is among the sample's top-r, else 0; no gradient flows through it. */
  private topRMask(probs: TfTypes.Tensor): TfTypes.Tensor {
    const tf = this.tf;
    const r = this.cfg.topR;
    const E = this.cfg.numExperts;
    const stop = tf.customGrad(((p: TfTypes.Tensor) => ({
      value: tf.cast(tf.sum(tf.oneHot(tf.topk(p, r).indices, E), 1), 'float32'),
      gradFunc: (dy: TfTypes.Tensor) => tf.zerosLike(dy),
    })) as unknown as Parameters<Tf['customGrad']>[0]);
    return stop(probs);
  }
}

let counter = 0;
function uid(): number {
  return counter++;
}
