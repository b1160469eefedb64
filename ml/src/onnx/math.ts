/**
 * Typed helpers for arithmetic, comparisons, linear algebra, reductions and softmax.
 */
import { ShapeError } from '@flexmoe/shared';
import { CAST_CODE } from './ops/elementwise';
import { GraphCore } from './core';
import { sameShape } from './shape';
import { type DType, type Shape, type Value, attr } from './types';

/** A tensor, or a plain number that becomes a scalar constant of the other operand's dtype. */
export type Operand = Value | number;

/** Options of ONNX Gemm: `alpha * op(A) op(B) + beta * C`. */
export interface GemmOptions {
  readonly transA?: number;
  readonly transB?: number;
  readonly alpha?: number;
  readonly beta?: number;
}

/** Arithmetic and linear-algebra helpers; see `GraphBuilder` for the full builder. */
export class MathBuilder extends GraphCore {
  /** Turns numbers into scalar constants matching the other operand's dtype. */
  protected pair(a: Operand, b: Operand): [Value, Value] {
    if (typeof a === 'number' && typeof b === 'number') return [this.scalar(a), this.scalar(b)];
    if (typeof a === 'number') return [this.scalar(a, (b as Value).dtype), b as Value];
    if (typeof b === 'number') return [a, this.scalar(b, a.dtype)];
    return [a, b];
  }

  /** a + b with broadcasting. */
  add(a: Operand, b: Operand): Value {
    return this.op1('Add', this.pair(a, b));
  }
  /** a - b with broadcasting. */
  sub(a: Operand, b: Operand): Value {
    return this.op1('Sub', this.pair(a, b));
  }
  /** a * b with broadcasting. */
  mul(a: Operand, b: Operand): Value {
    return this.op1('Mul', this.pair(a, b));
  }
  /** a / b with broadcasting. */
  div(a: Operand, b: Operand): Value {
    return this.op1('Div', this.pair(a, b));
  }
  /** Elementwise maximum (gradient to `a` on ties). */
  max(a: Operand, b: Operand): Value {
    return this.op1('Max', this.pair(a, b));
  }
  /** Elementwise minimum (gradient to `a` on ties). */
  min(a: Operand, b: Operand): Value {
    return this.op1('Min', this.pair(a, b));
  }
  /** -x. */
  neg(x: Value): Value {
    return this.op1('Neg', [x]);
  }
  /** e^x. */
  exp(x: Value): Value {
    return this.op1('Exp', [x]);
  }
  /** Natural logarithm. */
  log(x: Value): Value {
    return this.op1('Log', [x]);
  }
  /** Square root. */
  sqrt(x: Value): Value {
    return this.op1('Sqrt', [x]);
  }
  /** 1 / x. */
  reciprocal(x: Value): Value {
    return this.op1('Reciprocal', [x]);
  }
  /** |x| (gradient sign(x), 0 at 0). */
  abs(x: Value): Value {
    return this.op1('Abs', [x]);
  }
  /** max(x, 0). */
  relu(x: Value): Value {
    return this.op1('Relu', [x]);
  }
  /** tanh(x). */
  tanh(x: Value): Value {
    return this.op1('Tanh', [x]);
  }
  /** 1 / (1 + e^-x). */
  sigmoid(x: Value): Value {
    return this.op1('Sigmoid', [x]);
  }
  /** Identity (a named pass-through). */
  identity(x: Value): Value {
    return this.op1('Identity', [x]);
  }
  /** Identity that blocks gradients (written to the model as Identity). */
  stopGradient(x: Value): Value {
    return this.op1('StopGradient', [x]);
  }

  /** cond ? a : b with broadcasting; `cond` is bool and gets no gradient. */
  where(cond: Value, a: Operand, b: Operand): Value {
    return this.op1('Where', [cond, ...this.pair(a, b)]);
  }
  /** Casts to another element type ('float' = the graph's float type). */
  cast(x: Value, to: DType | 'float'): Value {
    const dt = this.resolve(to);
    return dt === x.dtype ? x : this.op1('Cast', [x], { to: attr.int(CAST_CODE[dt]) });
  }
  /** a == b (bool). */
  equal(a: Operand, b: Operand): Value {
    return this.op1('Equal', this.pair(a, b));
  }
  /** a > b (bool). */
  greater(a: Operand, b: Operand): Value {
    return this.op1('Greater', this.pair(a, b));
  }
  /** a >= b (bool). */
  greaterOrEqual(a: Operand, b: Operand): Value {
    return this.op1('GreaterOrEqual', this.pair(a, b));
  }
  /** a < b (bool). */
  less(a: Operand, b: Operand): Value {
    return this.op1('Less', this.pair(a, b));
  }
  /** a <= b (bool). */
  lessOrEqual(a: Operand, b: Operand): Value {
    return this.op1('LessOrEqual', this.pair(a, b));
  }
  /** Logical and / or / not of bool tensors. */
  and(a: Value, b: Value): Value {
    return this.op1('And', [a, b]);
  }
  /** Logical or. */
  or(a: Value, b: Value): Value {
    return this.op1('Or', [a, b]);
  }
  /** Logical not. */
  not(a: Value): Value {
    return this.op1('Not', [a]);
  }

  /** Matrix product (rank >= 2, batch dims broadcast). */
  matmul(a: Value, b: Value): Value {
    return this.op1('MatMul', [a, b]);
  }
  /** ONNX Gemm on 2-D A, B with optional bias C. */
  gemm(a: Value, b: Value, c: Value | null = null, options: GemmOptions = {}): Value {
    const attrs: Record<string, ReturnType<typeof attr.int>> = {};
    if (options.transA) attrs.transA = attr.int(1);
    if (options.transB) attrs.transB = attr.int(1);
    if (options.alpha !== undefined && options.alpha !== 1) attrs.alpha = attr.float(options.alpha);
    if (options.beta !== undefined && options.beta !== 1) attrs.beta = attr.float(options.beta);
    return this.op1('Gemm', c ? [a, b, c] : [a, b], attrs);
  }
  /** Linear layer x[N,in] @ w[in,out] + b[out] (a Gemm). */
  linear(x: Value, w: Value, b: Value | null = null): Value {
    return this.gemm(x, w, b);
  }
  /** Permutes dims (default: reverse). */
  transpose(x: Value, perm?: readonly number[]): Value {
    return this.op1('Transpose', [x], perm ? { perm: attr.ints(perm) } : {});
  }
  /** Swaps the last two dims. */
  transposeLast2(x: Value): Value {
    const perm = x.shape.map((_, i) => i);
    [perm[x.rank - 2], perm[x.rank - 1]] = [x.rank - 1, x.rank - 2];
    return this.transpose(x, perm);
  }

  /** Sum over `axes` (all when omitted). */
  reduceSum(x: Value, axes?: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  /**
   * Mean over `axes` (all when omitted). Portable graphs use ReduceSum and a scale: ReduceMean
   * takes its axes as an input only from opset 18, ReduceSum from opset 13.
   */
  reduceMean(x: Value, axes?: readonly number[], keepdims = false): Value {
    if (!this.portable) return this.reduce('ReduceMean', x, axes, keepdims);
    const over = axes ?? x.shape.map((_, i) => i);
    const count = over.reduce((n, a) => n * (x.shape[a < 0 ? a + x.rank : a] as number), 1);
    if (!Number.isInteger(count)) throw new ShapeError(`reduceMean: portable graphs need static reduced dims (${x.describe()})`);
    return this.mul(this.reduce('ReduceSum', x, axes, keepdims), 1 / count);
  }
  /** Max over `axes` (no gradient rule: use it on stop-gradient paths). */
  reduceMax(x: Value, axes?: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceMax', x, axes, keepdims);
  }
  private reduce(op: string, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value {
    const inputs = axes ? [x, this.int64s(axes)] : [x];
    return this.op1(op, inputs, { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  /** Softmax along one axis. */
  softmax(x: Value, axis = -1): Value {
    return this.op1('Softmax', [x], { axis: attr.int(axis) });
  }
  /** Log-softmax along one axis. */
  logSoftmax(x: Value, axis = -1): Value {
    return this.op1('LogSoftmax', [x], { axis: attr.int(axis) });
  }

  /**
   * Sums a broadcast result back to an operand's shape (the gradient of broadcasting): reduces
   * the leading extra dims and every dim where the operand had size 1.
   */
  sumToShape(v: Value, shape: Shape): Value {
    if (sameShape(v.shape, shape)) return v;
    const lead = v.rank - shape.length;
    const axes = v.shape.map((_, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && v.shape[i] !== 1));
    const summed = axes.length > 0 ? this.reduceSum(v, axes, true) : v;
    return lead > 0 ? this.op1('Squeeze', [summed, this.int64s(axes.slice(0, lead))]) : summed;
  }
}
