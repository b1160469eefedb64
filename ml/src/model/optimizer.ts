/**
 * The update rule of the training graph, emitted after the backward pass.
 *
 * - `sgd`: p' = p - lr * b', b' = momentum * b + grad (PyTorch's heavy-ball form; with momentum 0
 *   it is plain SGD and needs no state, and the graph seeds the backward pass with lr instead).
 * - `adam`: m' = b1 m + (1 - b1) grad, v' = b2 v + (1 - b2) grad^2,
 *   p' = p - (lr / c1) * m' / (sqrt(v') / sqrt(c2) + eps) with c1 = 1 - b1^t, c2 = 1 - b2^t and t
 *   the 1-based step count (PyTorch's Adam, bias-corrected).
 *
 * Optimizer state (`opt.m.<param>`, `opt.v.<param>`) is a graph input and `next.opt.*` an output,
 * like the parameters; the engine starts it at zero on every train call, so a federated client's
 * local optimizer never carries state between rounds (the usual FedAvg-with-local-Adam practice).
 * The step count comes in as `opt_step` (steps taken before this call) so bias correction stays
 * right across calls of a multi-step graph.
 */
import { InvalidArgumentError, UPDATE_RULES, type UpdateRule } from '@flexmoe/shared';
import type { GraphBuilder, Value } from '../onnx';
import type { ParamSpec } from '@flexmoe/shared';

/** Optimizer family: the update rules a recipe names (@flexmoe/shared). */
export type OptimizerKind = UpdateRule;

/** Every optimizer kind, for option parsers. */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = UPDATE_RULES;

/** The update rule and its constants (plain data: it crosses the worker boundary). */
export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  /** SGD momentum in [0, 1). Default 0 (plain SGD). */
  readonly momentum: number;
  /** Adam's first-moment decay. Default 0.9. */
  readonly beta1: number;
  /** Adam's second-moment decay. Default 0.999. */
  readonly beta2: number;
  /** Adam's denominator epsilon. Default 1e-8. */
  readonly epsilon: number;
}

/** Plain SGD: what every caller that names no optimizer gets. */
export const PLAIN_SGD: OptimizerConfig = Object.freeze({ kind: 'sgd', momentum: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

/** Fills in defaults and validates; throws `InvalidArgumentError` naming the bad field. Frozen. */
export function optimizerConfig(partial: Partial<OptimizerConfig> = {}): OptimizerConfig {
  const o = { ...PLAIN_SGD, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) } as OptimizerConfig;
  if (!OPTIMIZER_KINDS.includes(o.kind))
    throw new InvalidArgumentError(`optimizer.kind must be one of ${OPTIMIZER_KINDS.join(', ')} (got ${JSON.stringify(o.kind)})`);
  const unit = (field: keyof OptimizerConfig, v: number): void => {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new InvalidArgumentError(`optimizer.${field} must be a number in [0, 1) (got ${JSON.stringify(v)})`);
  };
  unit('momentum', o.momentum);
  unit('beta1', o.beta1);
  unit('beta2', o.beta2);
  if (typeof o.epsilon !== 'number' || !(o.epsilon > 0) || !Number.isFinite(o.epsilon)) {
    throw new InvalidArgumentError(`optimizer.epsilon must be a finite number > 0 (got ${JSON.stringify(o.epsilon)})`);
  }
  return Object.freeze(o);
}

/** A stable key of the graph an optimizer needs (session caches key on it). */
export function optimizerKey(o: OptimizerConfig): string {
  return o.kind === 'adam' ? `adam:${o.beta1}:${o.beta2}:${o.epsilon}` : `sgd:${o.momentum}`;
}

/** True when the update is plain SGD: no state, the backward pass seeded with lr. */
export function isPlainSgd(o: OptimizerConfig): boolean {
  return o.kind === 'sgd' && o.momentum === 0;
}

/** The state slots per parameter: none (plain SGD), `m` (momentum) or `m` and `v` (Adam). */
export function stateSlots(o: OptimizerConfig): readonly ('m' | 'v')[] {
  if (o.kind === 'adam') return ['m', 'v'];
  return o.momentum > 0 ? ['m'] : [];
}

/** Graph input name of a parameter's state slot. */
export function stateName(slot: 'm' | 'v', param: string): string {
  return `opt.${slot}.${param}`;
}

/** Specs of the optimizer state tensors for the parameters `specs` (each shaped like its parameter). */
export function optimizerStateSpecs(o: OptimizerConfig, specs: readonly ParamSpec[]): ParamSpec[] {
  return stateSlots(o).flatMap((slot) => specs.map((s) => ({ name: stateName(slot, s.name), shape: s.shape })));
}

/** What one update step needs: parameters, their gradients and state, keyed by parameter name. */
export interface UpdateInputs {
  params: Record<string, Value>;
  grads: Record<string, Value>;
  /** State by state name (`opt.m.<param>`, ...). */
  state: Record<string, Value>;
  /** Scalar learning rate. */
  lr: Value;
  /** Scalar 1-based step number of this update (Adam's bias correction). */
  t: Value;
}

/** Emits one update; returns the new parameters and state under the same names. */
export function emitUpdate(g: GraphBuilder, o: OptimizerConfig, u: UpdateInputs): { params: Record<string, Value>; state: Record<string, Value> } {
  const params: Record<string, Value> = {};
  const state: Record<string, Value> = {};
  if (o.kind === 'sgd') {
    for (const [n, p] of Object.entries(u.params)) {
      const m = stateName('m', n);
      state[m] = g.add(g.mul(u.state[m], o.momentum), u.grads[n]);
      params[n] = g.sub(p, g.mul(state[m], u.lr));
    }
    return { params, state };
  }
  // Scalars once per step: lr / c1 and 1 / sqrt(c2), with b^t = exp(t ln b).
  const correction = (beta: number): Value => g.sub(1, g.exp(g.mul(u.t, Math.log(beta))));
  const stepSize = g.div(u.lr, correction(o.beta1));
  const invRootC2 = g.reciprocal(g.sqrt(correction(o.beta2)));
  for (const [n, p] of Object.entries(u.params)) {
    const [m, v] = [stateName('m', n), stateName('v', n)];
    const grad = u.grads[n];
    state[m] = g.add(g.mul(u.state[m], o.beta1), g.mul(grad, 1 - o.beta1));
    state[v] = g.add(g.mul(u.state[v], o.beta2), g.mul(g.mul(grad, grad), 1 - o.beta2));
    const denom = g.add(g.mul(g.sqrt(state[v]), invRootC2), o.epsilon);
    params[n] = g.sub(p, g.mul(g.div(state[m], denom), stepSize));
  }
  return { params, state };
}
