/**
 * GroupNormalization (opset 18 form: scale and bias per group). ONNX Runtime runs it in float32
 * and float64 alike. The gradient rule recomputes the group statistics from x (cheap [N, G]
 * reductions) instead of keeping them as extra outputs, which opset 18 does not have:
 * with x̂ = (x - μ) · r, r = 1/√(σ² + ε) over each (sample, group), and g = dy · scale,
 * dx = r · (g - mean(g) - x̂ · mean(g · x̂)); dscale = Σ dy · x̂; dbias = Σ dy.
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
