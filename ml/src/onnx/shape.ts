/**
 * Shape arithmetic with symbolic dimensions: broadcasting, axis normalisation, reshape
 * inference. Every failure is a ShapeError naming the op and the shapes involved.
 */
import { ShapeError } from '@flexmoe/shared';
import { type Dim, type Shape, type Value, formatShape } from './types';

/** Throws a ShapeError for `op` with the given detail and the operands' shapes. */
export function shapeFail(op: string, detail: string, operands: readonly (Value | null)[] = []): never {
  const list = operands.filter((v): v is Value => v !== null).map((v) => v.describe());
  const suffix = list.length > 0 ? ` (operands: ${list.join('; ')})` : '';
  throw new ShapeError(`${op}: ${detail}${suffix}`);
}

/** Numpy-style broadcast of two shapes; symbols broadcast only with themselves or 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else {
      throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    }
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of the given rank. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** Normalises and sorts a list of axes, rejecting duplicates. */
export function normAxes(op: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normAxis(op, a, rank)).sort((x, y) => x - y);
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: duplicate axes ${axes.join(',')}`);
  return out;
}

/** True when two shapes are identical (symbols compared by name). */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Product of the static dims, or null when a symbolic dim is present. */
export function staticSize(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** Splits a shape into the product of its static dims and the list of its symbols (`S*k` counts as S and k). */
function factor(shape: Shape): { n: number; syms: string[] } {
  let n = 1;
  const syms: string[] = [];
  for (const d of shape) {
    const merged = typeof d === 'string' ? /^(.+)\*(\d+)$/.exec(d) : null;
    if (typeof d === 'number') n *= d;
    else if (merged) {
      syms.push(merged[1]);
      n *= Number(merged[2]);
    } else syms.push(d);
  }
  return { n, syms };
}

/**
 * Output shape of ONNX Reshape: `0` copies the input dim, `-1` is inferred (possibly as a
 * symbol when the element counts cancel), symbols are taken as given.
 */
export function reshapeShape(op: string, input: Shape, target: Shape): Dim[] {
  const out: Dim[] = target.map((d, i) => (d === 0 ? input[i] : d));
  if (out.some((d) => d === undefined)) shapeFail(op, `target ${formatShape(target)} copies a missing dim`);
  const inferred = out.filter((d) => d === -1).length;
  if (inferred > 1) shapeFail(op, `target ${formatShape(target)} has more than one -1`);
  const src = factor(input);
  const dst = factor(out.filter((d) => d !== -1));
  const rest = [...src.syms];
  for (const s of dst.syms) {
    const k = rest.indexOf(s);
    if (k < 0) shapeFail(op, `cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
    rest.splice(k, 1);
  }
  if (inferred === 0) {
    if (rest.length > 0 || src.n !== dst.n) {
      shapeFail(op, `cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
    }
    return out;
  }
  if (src.n % dst.n !== 0 || rest.length > 1) {
    shapeFail(op, `cannot infer -1 reshaping ${formatShape(input)} to ${formatShape(target)}`);
  }
  // One symbol left over: -1 is that symbol times the leftover static factor (a merged dim).
  const fill: Dim = rest.length === 1 ? mergedDim(rest[0], src.n / dst.n) : src.n / dst.n;
  return out.map((d) => (d === -1 ? fill : d));
}

/**
 * A dim of `size` times `factor` elements: a number when `size` is static, else the merged symbol
 * `S*factor` (for example the batch and the positions of a map merged into one axis). Reshape
 * infers it for a -1 and splits it back into S and static dims.
 */
export function mergedDim(size: Dim, factor: number): Dim {
  return typeof size === 'number' ? size * factor : factor === 1 ? size : `${size}*${factor}`;
}

/** Output size of a sliding window along one spatial dim (conv / pooling). */
export function windowOut(op: string, size: Dim, kernel: number, stride: number, padSum: number): number {
  if (typeof size !== 'number') shapeFail(op, `spatial dims must be static, got ${size}`);
  const out = Math.floor((size + padSum - kernel) / stride) + 1;
  if (out < 1) shapeFail(op, `kernel ${kernel} does not fit input size ${size} with padding ${padSum}`);
  return out;
}
