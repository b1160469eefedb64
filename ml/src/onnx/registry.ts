/**
 * The op registry: for every supported ONNX op, its shape/dtype inference and its gradient rule.
 * Ops register themselves from `ops/*.ts`; the builder refuses anything not registered here.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import type { GraphBuilder } from './builder';
import type { Attrs, DType, Node, Shape, Value } from './types';

/** Element type and shape of one op output, as inferred from the inputs. */
export interface OutputSig {
  readonly dtype: DType;
  readonly shape: Shape;
  /** Known contents of a 1-D int64 output (see `Value.known`). */
  readonly known?: Shape;
}

/**
 * Emits the gradients of a node's inputs given the gradients of its outputs (`null` where an
 * output does not reach the loss). Returns one entry per input; `null` means no gradient.
 * Rules must emit standard ONNX ops only, through the builder's helpers.
 */
export type GradRule = (g: GraphBuilder, node: Node, dOutputs: readonly (Value | null)[]) => (Value | null)[];

/** Everything the builder and the differentiator know about one op type. */
export interface OpSpec {
  /** ONNX op type written to the model, when it differs from the registry key. */
  readonly onnxType?: string;
  /** Operator set domain of the ONNX op (default: the standard domain ''). */
  readonly domain?: string;
  /** Checks inputs/attributes and returns the output signatures; throws ShapeError. */
  infer(inputs: readonly (Value | null)[], attrs: Attrs): OutputSig[];
  /**
   * The gradient rule; `'none'` marks an op that blocks gradients (indices, masks, counts).
   * An op without either cannot sit between a loss and a parameter.
   */
  readonly grad?: GradRule | 'none';
  /** Unused trailing outputs may be omitted from the model (optional ONNX outputs). */
  readonly trimOutputs?: boolean;
  /** Input positions gradients flow into (default: every float input). */
  readonly diffInputs?: readonly number[];
}

const registry = new Map<string, OpSpec>();

/** Registers an op; a second registration of the same type is a programming error. */
export function registerOp(opType: string, spec: OpSpec): void {
  if (registry.has(opType)) throw new InvalidArgumentError(`op ${opType} is registered twice`);
  registry.set(opType, spec);
}

/** Looks up an op, throwing a clear error naming an unknown one. */
export function getOp(opType: string): OpSpec {
  const spec = registry.get(opType);
  if (!spec) {
    throw new InvalidArgumentError(`unknown op '${opType}': the graph builder supports ${[...registry.keys()].sort().join(', ')}`);
  }
  return spec;
}

/** Sorted list of every registered op type. */
export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}

/** Sorted list of the ops that have a gradient rule (not 'none'). */
export function opsWithGradient(): string[] {
  return registeredOps().filter((op) => typeof registry.get(op)!.grad === 'function');
}
