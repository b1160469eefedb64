/**
 * Typed helpers for shape manipulation and indexing, hiding opset-18 inputs-vs-attributes details.
 */
import { ShapeError } from '@flexmoe/shared';
import { MathBuilder } from './math';
import { normAxis } from './shape';
import { type Attrs, type Dim, type DType, type Shape, type Value, attr, formatShape } from './types';

/** Scatter reductions supported by opset 18 (gradient rules exist for 'none' and 'add'). */
export type ScatterReduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/** Shape and indexing helpers; see `GraphBuilder` for the full builder. */
export class TensorBuilder extends MathBuilder {
  /**
   * Reshapes to `shape`. Numbers are sizes (one may be -1); a symbol is kept when it sits at the
   * same position in `x`, and a single moved symbol is inferred.
   */
  reshape(x: Value, shape: Shape): Value {
    const unresolved = shape.filter((d, i) => typeof d === 'string' && x.shape[i] !== d).length;
    const inferredNumber = shape.includes(-1);
    if (unresolved > 1 || (unresolved === 1 && inferredNumber)) {
      throw new ShapeError(`Reshape: cannot express ${formatShape(x.shape)} -> ${formatShape(shape)} statically; use reshapeLike`);
    }
    const target = shape.map((d, i) => (typeof d === 'number' ? d : x.shape[i] === d ? 0 : -1));
    return this.op1('Reshape', [x, this.int64s(target)]);
  }
  /** Reshapes `x` to the (run-time) shape of `ref`. */
  reshapeLike(x: Value, ref: Value): Value {
    return this.op1('Reshape', [x, this.shapeOf(ref)]);
  }
  /** Flattens to 2-D at `axis` (ONNX Flatten). */
  flatten(x: Value, axis = 1): Value {
    return this.op1('Flatten', [x], { axis: attr.int(axis) });
  }
  /** Inserts size-1 dims at `axes` (positions in the output). */
  unsqueeze(x: Value, axes: readonly number[]): Value {
    return this.op1('Unsqueeze', [x, this.int64s(axes)]);
  }
  /** Removes size-1 dims at `axes` (an empty list returns `x`). */
  squeeze(x: Value, axes: readonly number[]): Value {
    if (axes.length === 0) return x;
    return this.op1('Squeeze', [x, this.int64s(axes)]);
  }
  /** Broadcasts to a static shape (numbers only; use expandLike for symbolic targets). */
  expand(x: Value, shape: readonly number[]): Value {
    return this.op1('Expand', [x, this.int64s(shape)]);
  }
  /** Broadcasts `x` to the shape of `ref`. */
  expandLike(x: Value, ref: Value): Value {
    return this.op1('Expand', [x, this.shapeOf(ref)]);
  }
  /** Concatenates along `axis`. */
  concat(xs: readonly Value[], axis: number): Value {
    return this.op1('Concat', xs, { axis: attr.int(axis) });
  }
  /** Splits along `axis` into pieces of the given sizes (they must add up to the axis). */
  split(x: Value, axis: number, sizes: readonly number[]): Value[] {
    return this.op('Split', [x, this.int64s(sizes)], { axis: attr.int(axis) });
  }
  /** Slices `[starts, ends)` with optional steps along `axes`. */
  slice(x: Value, axes: readonly number[], starts: readonly number[], ends: readonly number[], steps?: readonly number[]): Value {
    const inputs = [x, this.int64s(starts), this.int64s(ends), this.int64s(axes)];
    return this.op1('Slice', steps ? [...inputs, this.int64s(steps)] : inputs);
  }
  /** Zero-pads each dim by `before[i]` and `after[i]`. */
  pad(x: Value, before: readonly number[], after: readonly number[]): Value {
    return this.op1('Pad', [x, this.int64s([...before, ...after])]);
  }
  /** The run-time shape of `x` as a 1-D int64 tensor. */
  shapeOf(x: Value): Value {
    return this.op1('Shape', [x]);
  }
  /** The element count of `x` as an int64 scalar. */
  sizeOf(x: Value): Value {
    return this.op1('Size', [x]);
  }
  /** Zeros of a shape given as a 1-D int64 tensor. */
  zerosOfShape(shape: Value, dtype: DType | 'float' = 'float'): Value {
    const value = { dtype: this.resolve(dtype), shape: [1], values: [0] };
    return this.op1('ConstantOfShape', [shape], { value: attr.tensor(value) });
  }
  /** Zeros with the shape and dtype of `x`. */
  zerosLike(x: Value): Value {
    return this.zerosOfShape(this.shapeOf(x), x.dtype);
  }

  /** Takes slices of `x` along `axis` at int64 `indices` (numpy take). */
  gather(x: Value, indices: Value, axis = 0): Value {
    return this.op1('Gather', [x, indices], { axis: attr.int(axis) });
  }
  /** out[i][j] = x[i][indices[i][j]] for axis 1 (ONNX GatherElements). */
  gatherElements(x: Value, indices: Value, axis: number): Value {
    return this.op1('GatherElements', [x, indices], { axis: attr.int(axis) });
  }
  /** ONNX GatherND (batch_dims 0). */
  gatherND(x: Value, indices: Value): Value {
    return this.op1('GatherND', [x, indices]);
  }
  /** ONNX ScatterElements: writes (or reduces) `updates` into a copy of `x`. */
  scatterElements(x: Value, indices: Value, updates: Value, axis: number, reduction: ScatterReduction = 'none'): Value {
    const attrs = { axis: attr.int(axis), ...(reduction !== 'none' ? { reduction: attr.string(reduction) } : {}) };
    return this.op1('ScatterElements', [x, indices, updates], attrs);
  }
  /** ONNX ScatterND. */
  scatterND(x: Value, indices: Value, updates: Value, reduction: ScatterReduction = 'none'): Value {
    const attrs: Attrs = reduction !== 'none' ? { reduction: attr.string(reduction) } : {};
    return this.op1('ScatterND', [x, indices, updates], attrs);
  }
  /** Top-k values (differentiable) and int64 indices along `axis`, sorted descending. */
  topK(x: Value, k: number, axis = -1): { values: Value; indices: Value } {
    const [values, indices] = this.op('TopK', [x, this.int64s([k])], { axis: attr.int(axis) });
    return { values, indices };
  }
  /** Index of the maximum along `axis` (int64, first on ties). */
  argMax(x: Value, axis = -1, keepdims = false): Value {
    const a = normAxis('ArgMax', axis, x.rank);
    return this.op1('ArgMax', [x], { axis: attr.int(a), keepdims: attr.int(keepdims ? 1 : 0) });
  }
  /**
   * One-hot encoding of int64 indices as the graph's float type, new axis last. Built in float32
   * and cast, because onnxruntime has no float64 OneHot kernel.
   */
  oneHot(indices: Value, depth: number, dtype: DType | 'float' = 'float'): Value {
    const values = this.constant([0, 1], [2], 'float32');
    const hot = this.op1('OneHot', [indices, this.constant([depth], [1], 'int64'), values], { axis: attr.int(-1) });
    return this.cast(hot, dtype);
  }
  /** Dims of `x` as written: convenience for emitters. */
  dims(x: Value): Dim[] {
    return [...x.shape];
  }
}
