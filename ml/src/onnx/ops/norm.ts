/**
 * GroupNormalization (opset 18 form: scale and bias per group) and LayerNormalization (opset 17).
 * ONNX Runtime runs both in float32 and float64. With x̂ = (x - μ) · r, r = 1/√(σ² + ε) over each
 * normalised slice, and g = dy · scale, both gradients are
 * dx = r · (g - mean(g) - x̂ · mean(g · x̂)); dscale = Σ dy · x̂; dbias = Σ dy.
 * GroupNormalization's rule recomputes the group statistics from x (opset 18 has no statistics
 * outputs); LayerNormalization's reads them from its Mean and InvStdDev outputs.
 */
import type { GraphBuilder } from '../builder';
import { registerOp } from '../registry';
import { shapeFail } from '../shape';
import type { Value } from '../types';
import { float, floatAttr, intAttr, req, sameDtype } from './common';

const OP = 'GroupNormalization';

registerOp(OP, {
  infer: (inputs, attrs) => {
    const x = float(OP, req(OP, inputs, 0));
    const scale = req(OP, inputs, 1);
    const bias = req(OP, inputs, 2);
    sameDtype(OP, x, scale, bias);
    const groups = intAttr(attrs, 'num_groups', 0);
    const c = x.shape[1];
    if (x.rank < 3 || typeof c !== 'number') shapeFail(OP, 'input must be [N, C, ...] with static C', [x]);
    if (groups < 1 || c % groups !== 0) shapeFail(OP, `num_groups ${groups} must divide the ${c} channels`, [x]);
    if (x.shape.slice(2).some((d) => typeof d !== 'number')) shapeFail(OP, 'spatial dims must be static', [x]);
    for (const v of [scale, bias]) if (v.rank !== 1 || v.shape[0] !== groups) shapeFail(OP, 'scale and bias must be [num_groups]', [v]);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  grad: (g, node, [dy]) => {
    const [x, scale] = node.inputs as Value[];
    const groups = intAttr(node.attrs, 'num_groups', 0);
    const eps = floatAttr(node.attrs, 'epsilon', 1e-5);
    return groupNormGrad(g, x, scale, dy!, groups, eps);
  },
});

/** dx, dscale, dbias of GroupNormalization given dy. */
function groupNormGrad(g: GraphBuilder, x: Value, scale: Value, dy: Value, groups: number, eps: number): Value[] {
  const grouped = (v: Value): Value => g.reshape(v, [x.shape[0], groups, -1]);
  const xr = grouped(x);
  const centred = g.sub(xr, g.reduceMean(xr, [2], true));
  const rstd = g.reciprocal(g.sqrt(g.add(g.reduceMean(g.mul(centred, centred), [2], true), eps)));
  const xhat = g.mul(centred, rstd);
  const dyr = grouped(dy);
  const s = g.reshape(scale, [groups, 1]);
  const gx = g.mul(dyr, s);
  const inner = g.sub(g.sub(gx, g.reduceMean(gx, [2], true)), g.mul(xhat, g.reduceMean(g.mul(gx, xhat), [2], true)));
  const dx = g.reshape(g.mul(inner, rstd), x.shape);
  const dscale = g.reduceSum(g.mul(dyr, xhat), [0, 2]);
  const dbias = g.reduceSum(dyr, [0, 2]);
  return [dx, dscale, dbias];
}

const LN = 'LayerNormalization';

/** Normalised axes [axis, rank) of a LayerNormalization node over `rank` dims. */
function normAxes(attrs: Parameters<typeof intAttr>[0], rank: number): number[] {
  const a = intAttr(attrs, 'axis', -1);
  const axis = a < 0 ? a + rank : a;
  return Array.from({ length: rank - axis }, (_, i) => axis + i);
}

/** True when `v` is absent or known to hold `value` everywhere: a constant, or one expanded. */
function constantAll(v: Value | null | undefined, value: number): boolean {
  if (v == null) return true;
  const source = v.producer?.opType === 'Expand' ? v.producer.inputs[0] : v;
  return source?.data != null && source.data.values.every((e) => e === value);
}

/**
 * Mean and 1/√(σ² + ε) over `axes`, for float64 graphs: ONNX Runtime returns the statistics in
 * float32 only, too coarse for a float64 twin, so the rule rebuilds them.
 */
function recomputeStats(g: GraphBuilder, x: Value, axes: number[], eps: number): [Value, Value] {
  const mean = g.reduceMean(x, axes, true);
  const centred = g.sub(x, mean);
  return [mean, g.reciprocal(g.sqrt(g.add(g.reduceMean(g.mul(centred, centred), axes, true), eps)))];
}

registerOp(LN, {
  infer: (inputs, attrs) => {
    const x = float(LN, req(LN, inputs, 0));
    const scale = req(LN, inputs, 1);
    const bias = inputs[2] ?? null;
    sameDtype(LN, x, scale, ...(bias ? [bias] : []));
    const axes = normAxes(attrs, x.rank);
    if (axes.length === 0 || axes.length > x.rank) shapeFail(LN, 'axis must lie within the input rank', [x]);
    // ONNX Runtime's CPU kernels keep the statistics in float32 (stash_type 1) only, for float64 too.
    if (intAttr(attrs, 'stash_type', 1) !== 1) shapeFail(LN, 'only stash_type 1 (float32 statistics) is supported');
    const stats = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return [
      { dtype: x.dtype, shape: x.shape },
      { dtype: 'float32', shape: stats },
      { dtype: 'float32', shape: stats },
    ];
  },
  trimOutputs: true,
  grad: (g, node, [dy, dMean, dInvStd]) => {
    if (dMean || dInvStd) shapeFail(LN, 'no gradient rule through the Mean and InvStdDev outputs');
    const [x, scale, bias = null] = node.inputs as (Value | null)[];
    const axes = normAxes(node.attrs, x!.rank);
    const [mean, rstd] = x!.dtype === 'float64' ? recomputeStats(g, x!, axes, floatAttr(node.attrs, 'epsilon', 1e-5)) : node.outputs.slice(1);
    const y = node.outputs[0];
    const identity = constantAll(scale, 1) && constantAll(bias, 0);
    // With unit scale and zero shift the output is x̂ itself: no pass over x to rebuild it.
    const xhat = identity ? y : g.mul(g.sub(x!, mean), rstd);
    const gx = constantAll(scale, 1) ? dy! : g.mul(dy!, scale!);
    const m1 = g.reduceMean(gx, axes, true);
    const m2 = g.reduceMean(g.mul(gx, xhat), axes, true);
    const dx = g.sub(g.mul(g.sub(gx, m1), rstd), g.mul(xhat, g.mul(m2, rstd)));
    return [dx, g.sumToShape(g.mul(dy!, xhat), scale!.shape), bias ? g.sumToShape(dy!, bias.shape) : null];
  },
});

const AFFINE = 'ChannelAffine';

/**
 * y = scale[c] · x + bias[c] over the channel axis 1 of x [N, C, ...], as ONNX
 * BatchNormalization with zero mean, unit variance and epsilon 0 (so 1/√(var + ε) is exactly 1):
 * one pass over x where a Mul and an Add take two. Rule: dx = dy · scale,
 * dscale = Σ dy · x, dbias = Σ dy over every axis but the channels.
 */
registerOp(AFFINE, {
  onnxType: 'BatchNormalization',
  infer: (inputs) => {
    const x = float(AFFINE, req(AFFINE, inputs, 0));
    const params = [1, 2, 3, 4].map((i) => req(AFFINE, inputs, i));
    sameDtype(AFFINE, x, ...params);
    if (x.rank < 2 || typeof x.shape[1] !== 'number') shapeFail(AFFINE, 'input must be [N, C, ...] with static C', [x]);
    for (const v of params) if (v.rank !== 1 || v.shape[0] !== x.shape[1]) shapeFail(AFFINE, 'scale, bias, mean and variance must be [C]', [x, v]);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  diffInputs: [0, 1, 2],
  grad: (g, node, [dy]) => {
    const [x, scale] = node.inputs as Value[];
    const perChannel = [x.shape[1] as number, ...x.shape.slice(2).map(() => 1)];
    const others = x.shape.map((_, i) => i).filter((i) => i !== 1);
    return [g.mul(dy!, g.reshape(scale, perChannel)), g.reduceSum(g.mul(dy!, x), others), g.reduceSum(dy!, others)];
  },
});

/** The forward values of a group normalisation with per-channel affine that its fused rule reads. */
export interface GroupNormParts {
  /** The input [N, C, ...]. */
  readonly x: Value;
  /** x̂ on the [N, groups, C/groups · spatial] view (the LayerNormalization output). */
  readonly xhat: Value;
  /** 1/√(σ² + ε) [N, groups, 1] (float32 graphs: the kernel's InvStdDev output), or null to rebuild. */
  readonly rstd: Value | null;
  readonly gamma: Value;
  readonly groups: number;
  readonly eps: number;
}

/**
 * Gradients of y = γ[c] · x̂ + β[c] with respect to x, γ and β, fused: with dy summed over
 * each channel's positions once (T) and dy · x̂ likewise (S), dβ = Σₙ T and dγ = Σₙ S, and the
 * group means of the normalisation rule come from the same sums: mean(g) = Σ_c∈group γ_c T / L,
 * mean(g · x̂) = Σ_c∈group γ_c S / L with g = dy · γ. Then dx = γ r · dy - r · mean(g · x̂) · x̂
 * - r · mean(g) per (sample, group): one full-size product and two reductions fewer than the
 * affine's and LayerNormalization's own rules chained.
 */
export function groupNormAffineGrad(g: GraphBuilder, p: GroupNormParts, dy: Value): Value[] {
  const { x, groups } = p;
  const [n, c] = [x.shape[0], x.shape[1] as number];
  const cg = c / groups;
  const positions = (x.shape.slice(2) as number[]).reduce((a, b) => a * b, 1);
  // Everything full-size on a [N, C, positions] view with [N, C, 1] factors: ONNX Runtime's
  // fast paths (last-axis sums, row broadcasts) missed views with size-1 axes.
  const flat = (v: Value): Value => g.reshape(v, [n, c, positions]);
  const [dy3, xhat3] = [flat(dy), flat(p.xhat)];
  const sumDy = g.reduceSum(dy3, [2], true); // T [N, C, 1]
  const sumDyXhat = g.reduceSum(g.mul(dy3, xhat3), [2], true); // S [N, C, 1]
  const gammaC = g.reshape(p.gamma, [c, 1]);
  // Per (sample, group) [N, G, 1] to per channel [N, C, 1]; the identity when groups = C.
  const toChannels = (v: Value): Value => (cg === 1 ? g.reshape(v, [n, c, 1]) : g.reshape(g.mul(v, g.constant(1, [cg], x.dtype)), [n, c, 1]));
  const groupMean = (v: Value): Value => {
    const scaled = g.mul(v, gammaC);
    const summed = cg === 1 ? scaled : g.reduceSum(g.reshape(scaled, [n, groups, cg]), [2], true);
    return toChannels(g.mul(summed, 1 / (cg * positions)));
  };
  const rstd = p.rstd ?? recomputeStats(g, g.reshape(x, [n, groups, -1]), [2], p.eps)[1];
  const r = toChannels(rstd);
  const shift = g.add(g.mul(xhat3, g.mul(groupMean(sumDyXhat), r)), g.mul(groupMean(sumDy), r));
  const dx = g.sub(g.mul(dy3, g.mul(gammaC, r)), shift);
  const overBatch = (v: Value): Value => g.reduceSum(g.reshape(v, [n, c]), [0]);
  return [g.reshape(dx, x.shape), overBatch(sumDyXhat), overBatch(sumDy)];
}
