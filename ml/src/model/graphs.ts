/**
 * The three MoE graphs, built for a client holding k experts (k slots; the assigned experts
 * themselves are inputs, so one graph serves every set of k experts):
 * (a) training: parameters + batches + lr in; SGD-updated parameters, loss and per-slot
 *     statistics out, optionally several SGD steps per call to amortise parameter I/O;
 * (b) evaluation: parameters + batch in; loss, correct count, per-slot statistics, predictions;
 * (c) inference: weights inside, `input` [N,C,H,W] in, `probabilities` and `label` out.
 *
 * Graph I/O names. Inputs: parameters (`backbone.*`, `gate.*`, packed `experts.*`, see packing.ts), `gate_mask` [E],
 * `slot_select` [E,k], `x` / `target` (training: `x.<s>` / `target.<s>` for step s), `lr`.
 * Outputs: `next.<param>` (training), `ce_sum`, `aux_sum`, `correct_sum`, `slot_usage`,
 * `slot_correct`, `slot_loss_sum`, `slot_own_correct`, `slot_own_loss_sum` (each expert's own logits
 * on its routed samples), `predictions` (evaluation).
 */
import { GraphBuilder, type FloatDType, type Value } from '../onnx';
import { effectiveTopR, type MoEConfig } from '@flexmoe/shared';
import { emitAuxLoss, emitCrossEntropy, emitForward, emitStats, MASK_VALUE, type ParamValues } from './forward';
import { graphParamSpecs, packParams } from './packing';
import { emitTrainUpdate, declareOptimizerState, type OptimizerConfig } from './train-update';
import type { ParamMap } from '@flexmoe/shared';

/** Options of the training graph. */
export interface TrainGraphOptions {
  dtype: FloatDType;
  /** SGD steps per call (each on its own batch). Default 1. */
  steps?: number;
  /** The update rule (see optimizer.ts). Default plain SGD. */
  optimizer?: OptimizerConfig;
  /** Blocked convolutions for a session on this machine (see `GraphOptions.nchwcBlock`). Default none. */
  nchwcBlock?: number;
}

/** The routing inputs for `assigned`: gate mask [E] (0 / -1e9) and slot selection [E, k] (one-hot columns). */
export function routingFeeds(cfg: MoEConfig, assigned: readonly number[]): { gateMask: Float32Array; slotSelect: Float32Array } {
  const k = assigned.length;
  const gateMask = new Float32Array(cfg.experts).fill(MASK_VALUE);
  const slotSelect = new Float32Array(cfg.experts * k);
  assigned.forEach((e, j) => {
    gateMask[e] = 0;
    slotSelect[e * k + j] = 1;
  });
  return { gateMask, slotSelect };
}

function declareParams(g: GraphBuilder, cfg: MoEConfig, k: number): ParamValues {
  const p: ParamValues = {};
  for (const s of graphParamSpecs(cfg, k)) p[s.name] = g.param(s.name, s.shape);
  return p;
}

function declareRouting(g: GraphBuilder, cfg: MoEConfig, k: number): { mask: Value; select: Value } {
  return { mask: g.input('gate_mask', 'float', [cfg.experts]), select: g.input('slot_select', 'float', [cfg.experts, k]) };
}

function declareBatch(g: GraphBuilder, cfg: MoEConfig, suffix: string): { x: Value; target: Value } {
  return {
    x: g.input(`x${suffix}`, 'float', ['N', ...cfg.inputShape]),
    target: g.input(`target${suffix}`, 'float', ['N', cfg.classes]),
  };
}

/** Builds the training graph: `steps` chained SGD steps, statistics summed over them. */
export function buildTrainGraph(cfg: MoEConfig, k: number, options: TrainGraphOptions): Uint8Array {
  const stepCount = options.steps ?? 1;
  const g = new GraphBuilder({ dtype: options.dtype, name: `flexmoe_train_k${k}_s${stepCount}`, nchwcBlock: options.nchwcBlock });
  const start = declareParams(g, cfg, k);
  const { mask, select } = declareRouting(g, cfg, k);
  const lr = g.input('lr', 'float', []);
  const r = effectiveTopR(cfg, k);
  const opt = declareOptimizerState(g, options.optimizer, graphParamSpecs(cfg, k));
  let params = start;
  const totals: Value[][] = [];
  for (let s = 0; s < stepCount; s++) {
    const { x, target } = declareBatch(g, cfg, `.${s}`);
    const f = emitForward(g, cfg, k, x, params, mask, select);
    const ce = emitCrossEntropy(g, f.logits, target);
    const aux = emitAuxLoss(g, f, k, r);
    const objective = g.add(g.reduceMean(ce), g.mul(aux, cfg.auxWeight));
    const next = emitTrainUpdate(g, opt, objective, params, lr, s);
    const st = emitStats(g, f, ce, target);
    totals.push([st.ceSum, g.stopGradient(aux), st.correctSum, st.usage, st.slotCorrect, st.slotLossSum, st.slotOwnCorrect, st.slotOwnLossSum]);
    params = next;
  }
  for (const [n, v] of Object.entries({ ...params, ...opt.state })) g.output(v, `next.${n}`);
  const outNames = ['ce_sum', 'aux_sum', 'correct_sum', 'slot_usage', 'slot_correct', 'slot_loss_sum', 'slot_own_correct', 'slot_own_loss_sum'];
  outNames.forEach((name, i) =>
    g.output(
      sumAll(
        g,
        totals.map((t) => t[i]),
      ),
      name,
    ),
  );
  return g.build();
}

function sumAll(g: GraphBuilder, vs: Value[]): Value {
  return vs.length === 1 ? vs[0] : g.op1('Sum', vs);
}

/** Builds the evaluation graph (no gradients). */
export function buildEvalGraph(cfg: MoEConfig, k: number, options: { dtype: FloatDType; nchwcBlock?: number }): Uint8Array {
  const g = new GraphBuilder({ dtype: options.dtype, name: `flexmoe_eval_k${k}`, nchwcBlock: options.nchwcBlock });
  const params = declareParams(g, cfg, k);
  const { mask, select } = declareRouting(g, cfg, k);
  const { x, target } = declareBatch(g, cfg, '');
  const f = emitForward(g, cfg, k, x, params, mask, select);
  const ce = emitCrossEntropy(g, f.logits, target);
  const st = emitStats(g, f, ce, target);
  g.output(st.ceSum, 'ce_sum');
  g.output(st.correctSum, 'correct_sum');
  g.output(st.usage, 'slot_usage');
  g.output(st.slotCorrect, 'slot_correct');
  g.output(st.slotLossSum, 'slot_loss_sum');
  g.output(st.slotOwnCorrect, 'slot_own_correct');
  g.output(st.slotOwnLossSum, 'slot_own_loss_sum');
  g.output(st.predictions, 'predictions');
  return g.build();
}

/**
 * Builds the standalone float32 inference model for `assigned` with the weights inside:
 * input `input` [N,C,H,W]; outputs `probabilities` [N,classes] (softmax of the mixed logits)
 * and `label` [N] int64.
 */
export function buildInferenceModel(cfg: MoEConfig, params: ParamMap, assigned: readonly number[]): Uint8Array {
  // Portable: the exported model uses no op newer tools alone know (resnet's GroupNorm is spelled out).
  const g = new GraphBuilder({ dtype: 'float32', name: 'flexmoe_inference', portable: true });
  const k = assigned.length;
  const p: ParamValues = {};
  const packed = packParams(cfg, assigned, params, (n) => new Float32Array(n));
  for (const s of graphParamSpecs(cfg, k)) p[s.name] = g.constant(packed[s.name], [...s.shape]);
  const routing = routingFeeds(cfg, assigned);
  const mask = g.constant(routing.gateMask, [cfg.experts]);
  const select = g.constant(routing.slotSelect, [cfg.experts, k]);
  const x = g.input('input', 'float', ['N', ...cfg.inputShape]);
  const f = emitForward(g, cfg, k, x, p, mask, select);
  g.output(g.softmax(f.logits, 1), 'probabilities');
  g.output(g.argMax(f.logits, 1), 'label');
  return g.build();
}
