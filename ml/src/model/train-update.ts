/**
 * The training graph's update step: the backward pass and the optimizer's rule (optimizer.ts),
 * with the optimizer state threaded through the chained steps of one graph call.
 *
 * Graph I/O besides the parameters: state inputs `opt.m.<param>` / `opt.v.<param>` and outputs
 * `next.opt.*` (shaped like the parameters), and the scalar `opt_step` (steps taken before this
 * call), present only when the rule needs them. Plain SGD adds no I/O at all.
 */
import type { GraphBuilder, Value } from '../onnx';
import { sameShape } from '../onnx/shape';
import type { ParamValues } from './forward';
import { emitUpdate, isPlainSgd, optimizerStateSpecs, PLAIN_SGD, type OptimizerConfig } from './optimizer';
import type { ParamSpec } from '@flexmoe/shared';

export type { OptimizerConfig } from './optimizer';

/** The optimizer and its state as the chained steps carry it. */
export interface OptimizerGraphState {
  readonly config: OptimizerConfig;
  /** Current state values by state name (updated by each step). */
  state: Record<string, Value>;
  /** `opt_step` (null for plain SGD). */
  readonly stepsBefore: Value | null;
}

/** Declares the state inputs and `opt_step` for `config` (default plain SGD: nothing). */
export function declareOptimizerState(g: GraphBuilder, config: OptimizerConfig | undefined, specs: readonly ParamSpec[]): OptimizerGraphState {
  const opt = config ?? PLAIN_SGD;
  const state: Record<string, Value> = {};
  for (const s of optimizerStateSpecs(opt, specs)) state[s.name] = g.input(s.name, 'float', [...s.shape]);
  return { config: opt, state, stepsBefore: isPlainSgd(opt) ? null : g.input('opt_step', 'float', []) };
}

/**
 * Emits the gradients of `objective` and step `s` (0-based within the call) of the update;
 * returns the new parameters and advances `opt.state`.
 */
export function emitTrainUpdate(g: GraphBuilder, opt: OptimizerGraphState, objective: Value, params: ParamValues, lr: Value, s: number): ParamValues {
  const names = Object.keys(params);
  if (opt.stepsBefore === null) {
    // Seeding the backward pass with lr yields lr * gradient directly: no per-tensor scaling pass.
    const steps = g.grad(
      objective,
      names.map((n) => params[n]),
      lr,
    );
    const next: ParamValues = {};
    names.forEach((n, i) => (next[n] = sgdStep(g, params[n], steps[i])));
    return next;
  }
  const grads: Record<string, Value> = {};
  g.grad(
    objective,
    names.map((n) => params[n]),
  ).forEach((d, i) => (grads[names[i]] = d));
  const t = g.add(opt.stepsBefore, s + 1);
  const out = emitUpdate(g, opt.config, { params, grads, state: opt.state, lr, t });
  opt.state = out.state;
  return out.params;
}

/**
 * p - step. A step straight from a Gemm (every weight matrix's) folds into that Gemm as its C
 * input, p + (-alpha) op(A) op(B): the product accumulates onto the parameters, with no
 * separate pass over the weight-sized step.
 */
function sgdStep(g: GraphBuilder, p: Value, step: Value): Value {
  const node = step.producer;
  if (node?.opType !== 'Gemm' || node.inputs.length !== 2 || !sameShape(step.shape, p.shape)) return g.sub(p, step);
  const [a, b] = node.inputs as Value[];
  const flag = (name: string): number => (node.attrs[name]?.value as number | undefined) ?? 0;
  const alpha = (node.attrs.alpha?.value as number | undefined) ?? 1;
  return g.gemm(a, b, p, { transA: flag('transA'), transB: flag('transB'), alpha: -alpha, beta: 1 });
}
