/**
 * The MoE forward pass as ONNX graph emitters, shared by the training, evaluation and inference
 * graphs.
 *
 * Exact form (documented here once):
 * - features f = backbone(x); gate logits s = f Wg + bg over all E experts; s + mask (0 for the
 *   assigned experts, -1e9 for the rest: finite, so 0 * mask never makes NaN in the backward pass);
 *   p = softmax over E, then restricted to the k assigned slots (p_k = p S with S the [E,k]
 *   slot-selection matrix; the masked experts carry exactly zero probability).
 * - routing: each sample takes the top-r slots of p_k (r = min(topR, k)); selected weights are
 *   renormalised, w = p_k * sel / sum(p_k * sel). The selection mask gets no gradient; the
 *   weights do.
 * - experts are small MLPs giving logits o_j = relu(f W1_j + b1_j) W2_j + b2_j; the mixed
 *   prediction is the weighted sum of the selected experts' logits, z = sum_j w_j o_j.
 * - loss: softmax cross-entropy of the mixed logits, ce_n = logsumexp(z_n) - z_n[y_n], averaged;
 *   plus auxWeight * aux with the Switch-Transformer load-balancing term over the assigned slots,
 *   aux = k * sum_j f_j P_j, f_j = (samples routed to j) / (N r) (no gradient), P_j = mean_n p_k[n,j].
 */
import type { GraphBuilder, Value } from '../onnx';
import { backboneGraph } from './backbones';
import { effectiveTopR, type MoEConfig } from '@flexmoe/shared';

/** Mask value for unassigned experts: large, negative and finite. */
export const MASK_VALUE = -1e9;

/** Graph values of the parameters, keyed by graph name (`backbone.*`, `gate.*`, packed `experts.*`). */
export type ParamValues = Record<string, Value>;

/** What the forward pass emits. */
export interface ForwardValues {
  /** Mixed logits [N, classes]. */
  logits: Value;
  /** Gate probabilities over the k slots [N, k]. */
  slotProbs: Value;
  /** 0/1 routing mask [N, k] (no gradient). */
  selected: Value;
  /** Each expert's own logits [k, N, classes], gradient-free (for per-expert statistics only). */
  expertLogits: Value;
}

/** Emits the MoE forward pass for k expert slots; `gateMask` is [E], `slotSelect` is [E, k]. */
export function emitForward(g: GraphBuilder, cfg: MoEConfig, k: number, x: Value, p: ParamValues, gateMask: Value, slotSelect: Value): ForwardValues {
  const feats = backboneGraph(cfg).emit(g, cfg, x, p);
  const scores = g.add(g.linear(feats, p['gate.weight'], p['gate.bias']), gateMask);
  const slotProbs = g.matmul(g.softmax(scores, -1), slotSelect);
  const selected = emitSelection(g, slotProbs, k, effectiveTopR(cfg, k));
  const picked = g.mul(slotProbs, selected);
  const weights = g.div(picked, g.reduceSum(picked, [1], true));
  const { mixed, hidden } = emitExperts(g, cfg, k, feats, weights, p);
  return { logits: mixed, slotProbs, selected, expertLogits: emitOwnLogits(g, cfg, k, hidden, p) };
}

/**
 * The k experts on packed weights (see packing.ts) and their mixture, as two wide Gemms:
 * h = relu(f W1 + b1) [N, k*H]; z = (h scaled per block by w_j) W2 + w B2 = sum_j w_j o_j.
 */
function emitExperts(g: GraphBuilder, cfg: MoEConfig, k: number, feats: Value, weights: Value, p: ParamValues): { mixed: Value; hidden: Value } {
  const h = cfg.expertHidden;
  const n = feats.shape[0];
  const hidden = g.reshape(g.relu(g.linear(feats, p['experts.fc1.weight'], p['experts.fc1.bias'])), [n, k, h]);
  const scaled = g.mul(hidden, g.unsqueeze(weights, [2]));
  const mixedBias = g.matmul(weights, p['experts.fc2.bias']);
  return { mixed: g.gemm(g.reshape(scaled, [n, k * h]), p['experts.fc2.weight'], mixedBias), hidden };
}

/**
 * Every slot's own logits o_j = h_j W2_j + b2_j as one batched MatMul [k,N,H] x [k,H,K] -> [k,N,K],
 * on frozen values: they feed only the per-expert statistics, never the loss. Unused outputs are
 * pruned from the inference graph by ONNX Runtime, so only the statistics pay for them.
 */
function emitOwnLogits(g: GraphBuilder, cfg: MoEConfig, k: number, hidden: Value, p: ParamValues): Value {
  const h = g.transpose(g.stopGradient(hidden), [1, 0, 2]);
  const w2 = g.reshape(g.stopGradient(p['experts.fc2.weight']), [k, cfg.expertHidden, cfg.classes]);
  const b2 = g.unsqueeze(g.stopGradient(p['experts.fc2.bias']), [1]);
  return g.add(g.matmul(h, w2), b2);
}

/** 0/1 mask [N, k] of each row's top-r entries (all ones when r = k); no gradient flows through it. */
function emitSelection(g: GraphBuilder, slotProbs: Value, k: number, r: number): Value {
  const frozen = g.stopGradient(slotProbs);
  if (r >= k) return g.add(g.zerosLike(frozen), 1);
  const { indices } = g.topK(frozen, r, -1);
  return g.reduceSum(g.oneHot(indices, k), [1]);
}

/** Per-sample cross-entropy [N] of logits against one-hot targets [N, classes]. */
export function emitCrossEntropy(g: GraphBuilder, logits: Value, target: Value): Value {
  return g.neg(g.reduceSum(g.mul(target, g.logSoftmax(logits, 1)), [1]));
}

/** The Switch-style load-balancing loss (scalar) over the k slots. */
export function emitAuxLoss(g: GraphBuilder, f: ForwardValues, k: number, r: number): Value {
  const routedShare = g.div(g.reduceMean(f.selected, [0]), r);
  const meanProb = g.reduceMean(f.slotProbs, [0]);
  return g.mul(g.reduceSum(g.mul(routedShare, meanProb)), k);
}

/** Per-slot statistics and totals a train or evaluate call reports. */
export interface StatValues {
  ceSum: Value;
  correctSum: Value;
  usage: Value;
  slotCorrect: Value;
  slotLossSum: Value;
  /** Per slot: correct predictions of the expert's own logits on the samples routed to it. */
  slotOwnCorrect: Value;
  /** Per slot: sum of the expert's own cross-entropy on the samples routed to it. */
  slotOwnLossSum: Value;
  predictions: Value;
}

/** Emits the statistics of one batch (none of them on a gradient path). */
export function emitStats(g: GraphBuilder, f: ForwardValues, ce: Value, target: Value): StatValues {
  const logits = g.stopGradient(f.logits);
  const predictions = g.argMax(logits, 1);
  const correct = g.cast(g.equal(predictions, g.argMax(target, 1)), 'float');
  const ceFrozen = g.stopGradient(ce);
  const perSlot = (v: Value): Value => g.reduceSum(g.mul(f.selected, g.unsqueeze(v, [1])), [0]);
  return {
    ceSum: g.reduceSum(ceFrozen),
    correctSum: g.reduceSum(correct),
    usage: g.reduceSum(f.selected, [0]),
    slotCorrect: perSlot(correct),
    slotLossSum: perSlot(ceFrozen),
    ...emitOwnStats(g, f, target),
    predictions,
  };
}

/**
 * Each expert judged by its own logits on the samples routed to it: with top-1 routing a client's
 * experts see different samples, and even with r = k their own predictions differ, so the
 * feedback tells a client's experts apart where the mixed model's statistics cannot.
 */
function emitOwnStats(g: GraphBuilder, f: ForwardValues, target: Value): { slotOwnCorrect: Value; slotOwnLossSum: Value } {
  const routed = g.transpose(f.selected, [1, 0]); // [k, N]
  const ownCe = g.neg(g.reduceSum(g.mul(target, g.logSoftmax(f.expertLogits, 2)), [2])); // [k, N]
  const ownCorrect = g.cast(g.equal(g.argMax(f.expertLogits, 2), g.argMax(target, 1)), 'float'); // [k, N]
  return {
    slotOwnCorrect: g.reduceSum(g.mul(routed, ownCorrect), [1]),
    slotOwnLossSum: g.reduceSum(g.mul(routed, ownCe), [1]),
  };
}
