/**
 * Small checks shared by the op definitions: dtypes, attributes, known int64 inputs.
 */
import { ShapeError } from '@flexmoe/shared';
import { shapeFail } from '../shape';
import type { Attrs, DType, Shape, Value } from '../types';

/** Returns input `i`, throwing if it is missing. */
export function req(op: string, inputs: readonly (Value | null)[], i: number): Value {
  const v = inputs[i];
  if (!v) shapeFail(op, `input ${i} is required`);
  return v;
}

/** Requires a float input. */
export function float(op: string, v: Value): Value {
  if (!v.isFloat) throw new ShapeError(`${op}: expected a float tensor, got ${v.describe()}`);
  return v;
}

/** Requires the given dtype. */
export function dtypeIs(op: string, v: Value, dtype: DType): Value {
  if (v.dtype !== dtype) throw new ShapeError(`${op}: expected ${dtype}, got ${v.describe()}`);
  return v;
}

/** Requires all values to share one dtype and returns it. */
export function sameDtype(op: string, ...vs: Value[]): DType {
  const d = vs[0].dtype;
  for (const v of vs) {
    if (v.dtype !== d) {
      throw new ShapeError(`${op}: dtype mismatch: ${vs.map((x) => x.describe()).join(' vs ')}`);
    }
  }
  return d;
}

/** Requires a rank. */
export function rankIs(op: string, v: Value, rank: number): Value {
  if (v.rank !== rank) shapeFail(op, `expected rank ${rank}`, [v]);
  return v;
}

/** Reads an int attribute with a default. */
export function intAttr(attrs: Attrs, name: string, dflt: number): number {
  const a = attrs[name];
  return a && a.kind === 'int' ? a.value : dflt;
}

/** Reads a float attribute with a default. */
export function floatAttr(attrs: Attrs, name: string, dflt: number): number {
  const a = attrs[name];
  return a && a.kind === 'float' ? a.value : dflt;
}

/** Reads an ints attribute, or null when absent. */
export function intsAttr(attrs: Attrs, name: string): readonly number[] | null {
  const a = attrs[name];
  return a && a.kind === 'ints' ? a.value : null;
}

/** Reads a string attribute with a default. */
export function stringAttr(attrs: Attrs, name: string, dflt: string): string {
  const a = attrs[name];
  return a && a.kind === 'string' ? a.value : dflt;
}

/** The statically known contents of a 1-D int64 input (axes, shapes, k). */
export function knownDims(op: string, v: Value, what: string): Shape {
  dtypeIs(op, v, 'int64');
  if (!v.known) shapeFail(op, `${what} must be known when the graph is built`, [v]);
  return v.known;
}

/** Like `knownDims` but every entry must be a number. */
export function knownInts(op: string, v: Value, what: string): number[] {
  const dims = knownDims(op, v, what);
  if (dims.some((d) => typeof d !== 'number')) shapeFail(op, `${what} must be static numbers`, [v]);
  return dims as number[];
}
