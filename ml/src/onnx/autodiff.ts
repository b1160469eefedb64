/**
 * Reverse-mode differentiation over the emitted graph: walks the nodes between the wrt values
 * and the loss backwards, calls each op's gradient rule and accumulates fan-out by addition.
 */
import { InvalidArgumentError, ShapeError } from '@flexmoe/shared';
import type { GraphBuilder } from './builder';
import { getOp } from './registry';
import { sameShape, staticSize } from './shape';
import { type Node, type Value, formatShape } from './types';

/** A gradient rule for a whole subgraph: d(output) to one gradient (or null) per declared input. */
export type SubgraphGradRule = (g: GraphBuilder, dOutput: Value) => (Value | null)[];

interface CustomGradient {
  readonly inputs: readonly Value[];
  readonly rule: SubgraphGradRule;
}

const customGradients = new WeakMap<Value, CustomGradient>();

/**
 * Declares that the gradient of `output` reaches `inputs` through `rule`, in place of the rules of
 * the nodes between them: for a composite op whose fused backward needs fewer passes than its
 * parts' rules (a value between them that also feeds other nodes still gets their gradients).
 */
export function setCustomGradient(output: Value, inputs: readonly Value[], rule: SubgraphGradRule): void {
  customGradients.set(output, { inputs, rule });
}

/** Input positions of `node` that gradients may flow into. */
function diffPositions(node: Node, reached: Set<Value>): number[] {
  const allowed = getOp(node.opType).diffInputs;
  return node.inputs.map((v, i) => (v && v.isFloat && reached.has(v) && (!allowed || allowed.includes(i)) ? i : -1)).filter((i) => i >= 0);
}

/** Values that depend differentiably on some wrt value. */
function forwardReach(nodes: readonly Node[], wrt: readonly Value[]): Set<Value> {
  const reached = new Set<Value>(wrt);
  for (const node of nodes) {
    const spec = getOp(node.opType);
    if (spec.grad === 'none' || diffPositions(node, reached).length === 0) continue;
    for (const o of node.outputs) if (o.isFloat) reached.add(o);
  }
  return reached;
}

/** Sums the gradient contributions of one value once and caches the sum. */
function total(g: GraphBuilder, grads: Map<Value, Value[]>, v: Value): Value | null {
  const parts = grads.get(v);
  if (!parts || parts.length === 0) return null;
  const sum = parts.length === 1 ? parts[0] : g.op1('Sum', parts);
  grads.set(v, [sum]);
  return sum;
}

function checkArgs(g: GraphBuilder, loss: Value, wrt: readonly Value[], seed: Value | null): void {
  for (const v of [loss, ...wrt, ...(seed ? [seed] : [])]) {
    if (v.owner !== g) throw new InvalidArgumentError(`grad: ${v.name} belongs to another graph`);
    if (!v.isFloat) throw new ShapeError(`grad: ${v.describe()} is not a float tensor`);
  }
  if (seed && !sameShape(seed.shape, loss.shape)) {
    throw new ShapeError(`grad: seed ${seed.describe()} does not match loss ${loss.describe()}`);
  }
  if (!seed && staticSize(loss.shape) !== 1) {
    throw new ShapeError(`grad: loss ${loss.describe()} must have one element (or pass a seed gradient)`);
  }
}

/** Adds one gradient contribution `d` of `x` (from the rule at `node`), checking its signature. */
function accumulate(grads: Map<Value, Value[]>, node: Node, x: Value, d: Value | null): void {
  if (!d) return;
  if (!sameShape(d.shape, x.shape) || d.dtype !== x.dtype) {
    throw new ShapeError(`grad: rule of ${node.opType} gave ${d.describe()} for input ${x.name} ${formatShape(x.shape)} ${x.dtype}`);
  }
  grads.set(x, [...(grads.get(x) ?? []), d]);
}

/**
 * Emits d(loss)/d(w) for each w in `wrt` (zeros for a w the loss does not depend on).
 * `seed` is the incoming gradient of `loss` (default: ones, for a one-element loss).
 */
export function gradients(g: GraphBuilder, loss: Value, wrt: readonly Value[], seed: Value | null = null): Value[] {
  checkArgs(g, loss, wrt, seed);
  const nodes = [...g.nodes()];
  const reached = forwardReach(nodes, wrt);
  const grads = new Map<Value, Value[]>();
  if (reached.has(loss)) {
    const dims = loss.shape.map(() => 1);
    grads.set(loss, [seed ?? g.constant(1, dims, loss.dtype)]);
  }
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.outputs.some((o) => grads.has(o))) continue;
    const custom = node.outputs.length === 1 ? customGradients.get(node.outputs[0]) : undefined;
    if (custom) {
      const dIn = custom.rule(g, total(g, grads, node.outputs[0])!);
      custom.inputs.forEach((x, p) => {
        if (x.isFloat && reached.has(x)) accumulate(grads, node, x, dIn[p]);
      });
      continue;
    }
    const positions = diffPositions(node, reached);
    const spec = getOp(node.opType);
    if (positions.length === 0 || spec.grad === 'none') continue;
    if (!spec.grad) {
      throw new InvalidArgumentError(
        `grad: op ${node.opType} (node ${node.name}) has no gradient rule but lies on a path to the loss; wrap its input in stopGradient if intended`,
      );
    }
    const dOut = node.outputs.map((o) => total(g, grads, o));
    const dIn = spec.grad(g, node, dOut);
    for (const p of positions) accumulate(grads, node, node.inputs[p]!, dIn[p]);
  }
  return wrt.map((w) => total(g, grads, w) ?? g.zerosLike(w));
}
