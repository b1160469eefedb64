/**
 * GraphBuilder: the public graph-building API (every typed op helper, losses and `grad`).
 */
import { gradients } from './autodiff';
import { ConvBuilder } from './conv';
import type { Value } from './types';

/**
 * Builds an ONNX graph (opset 18) with static shapes and a symbolic batch dim, and differentiates
 * it. Every helper checks dtypes and shapes as it emits, so `v.shape` is always known.
 *
 * ```ts
 * const g = new GraphBuilder({ dtype: 'float32' });
 * const x = g.input('x', 'float', ['N', 784]);
 * const y = g.input('y', 'int64', ['N']);
 * const w = g.param('w', [784, 10]);
 * const b = g.param('b', [10]);
 * const loss = g.softmaxCrossEntropy(g.linear(x, w, b), y);
 * const [gw, gb] = g.grad(loss, [w, b]);
 * g.output(g.sub(w, g.mul(gw, 0.1)), 'w.new');
 * const bytes = g.build();
 * ```
 */
export class GraphBuilder extends ConvBuilder {
  /**
   * Emits reverse-mode gradients of `loss` with respect to each of `wrt` (any float values,
   * usually params). `loss` must have one element unless a `seed` gradient of its shape is given.
   * Values the loss does not depend on get zeros. Throws when a node on the way has no gradient
   * rule (wrap non-differentiable paths in `stopGradient`).
   */
  grad(loss: Value, wrt: readonly Value[], seed: Value | null = null): Value[] {
    return gradients(this, loss, wrt, seed);
  }

  /** Per-sample softmax cross-entropy of logits [N,C] against int64 labels [N]; returns [N]. */
  crossEntropyPerSample(logits: Value, labels: Value): Value {
    const logp = this.logSoftmax(logits, 1);
    const picked = this.gatherElements(logp, this.unsqueeze(labels, [1]), 1);
    return this.neg(this.squeeze(picked, [1]));
  }

  /** Mean softmax cross-entropy of logits [N,C] against int64 labels [N]; returns a scalar. */
  softmaxCrossEntropy(logits: Value, labels: Value): Value {
    return this.reduceMean(this.crossEntropyPerSample(logits, labels));
  }
}
