/**
 * The MoE model every training-step implementation in the benchmark computes, and its FLOP count.
 * Defaults follow the product's default MLP model (SPEC section 1).
 */
// The shared barrel does not re-export the model module; import it by path.
import { MODEL_DEFAULTS } from '@flexmoe/shared';

/** Shape and loss settings of the benchmarked MoE training step. */
export interface BenchMoeConfig {
  /** Flattened input size (28x28 images). */
  readonly inputDim: number;
  /** Backbone MLP width (one ReLU layer). */
  readonly hiddenDim: number;
  /** Experts the gate scores (E). */
  readonly numExperts: number;
  /** Global indices of the experts this client holds (k of them); the gate is masked to these. */
  readonly assigned: readonly number[];
  /** Experts each sample is routed to (r, top-r with renormalised weights). */
  readonly topR: number;
  /** Hidden width of each expert head. */
  readonly expertHidden: number;
  /** Output classes. */
  readonly numClasses: number;
  /** Weight of the Switch-style load-balancing loss. */
  readonly auxWeight: number;
  /** SGD learning rate. */
  readonly learningRate: number;
}

/** Experts a client holds in the benchmark (k). */
const BENCH_ASSIGNED = 4;

/** SGD learning rate of the benchmark (the `flexmoe train` default). */
const BENCH_LEARNING_RATE = 0.2;

/**
 * The default benchmark model, taken from the product's model defaults: MLP backbone 784->128 ReLU,
 * gate over E=8 masked to k=4 assigned experts, top-2 routing, experts 128->64->10, aux weight 0.05.
 */
export const DEFAULT_BENCH_MOE: BenchMoeConfig = Object.freeze({
  inputDim: MODEL_DEFAULTS.inputShape[0] * MODEL_DEFAULTS.inputShape[1] * MODEL_DEFAULTS.inputShape[2],
  hiddenDim: MODEL_DEFAULTS.featureDim,
  numExperts: MODEL_DEFAULTS.experts,
  assigned: Object.freeze(Array.from({ length: Math.min(BENCH_ASSIGNED, MODEL_DEFAULTS.experts) }, (_, i) => i)),
  topR: MODEL_DEFAULTS.topR,
  expertHidden: MODEL_DEFAULTS.expertHidden,
  numClasses: MODEL_DEFAULTS.classes,
  auxWeight: MODEL_DEFAULTS.auxWeight,
  learningRate: BENCH_LEARNING_RATE,
});

/**
 * Floating-point operations of one training step per sample (2 per multiply-add), counting the
 * matrix products only: forward, backward weight gradients, and backward input gradients except
 * into the input layer (nothing needs them). Every implementation computes all k assigned experts
 * densely, so this is the work each of them does.
 */
export function stepFlopsPerSample(cfg: BenchMoeConfig): number {
  const k = cfg.assigned.length;
  const backbone = 2 * cfg.inputDim * cfg.hiddenDim;
  const gate = 2 * cfg.hiddenDim * cfg.numExperts;
  const experts = k * 2 * (cfg.hiddenDim * cfg.expertHidden + cfg.expertHidden * cfg.numClasses);
  const forward = backbone + gate + experts;
  const weightGrads = forward;
  const inputGrads = gate + experts;
  return forward + weightGrads + inputGrads;
}
