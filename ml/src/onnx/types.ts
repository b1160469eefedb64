/**
 * The graph's data model: element types, symbolic shapes, values, nodes and attributes.
 * Nothing here knows protobuf; serialization lives in `serialize.ts`.
 */

/** Element types a graph value can have. Float graphs are float32 or float64 throughout. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** The two float element types a graph can be built in. */
export type FloatDType = 'float32' | 'float64';

/** One dimension: a static size, or a symbol such as `'N'` for the batch. */
export type Dim = number | string;

/** A static shape that may contain symbolic dimensions. `[]` is a scalar. */
export type Shape = readonly Dim[];

/** Where a value comes from. `param` is a graph input whose gradient is wanted. */
export type ValueKind = 'input' | 'param' | 'constant' | 'node';

/** An attribute of a node, tagged with its ONNX attribute type. */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: ConstantData };

/** A node's attributes by name. */
export type Attrs = Readonly<Record<string, Attr>>;

/** Constructors for tagged attributes (ONNX distinguishes ints from floats). */
export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  tensor: (value: ConstantData): Attr => ({ kind: 'tensor', value }),
};

/** Literal tensor contents: element type, static shape and row-major values. */
export interface ConstantData {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major values; int64 values are stored as numbers (exact up to 2^53). */
  readonly values: readonly number[];
}

/** One operation in the graph. Inputs may be `null` for omitted optional ONNX inputs. */
export interface Node {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
}

/**
 * A tensor in a graph: a graph input, a trainable parameter, a constant or a node output.
 * Shapes are static except for symbolic dimensions; builders check them at every op.
 */
export class Value {
  /** Producing node, for node outputs. */
  producer: Node | null = null;

  constructor(
    /** The builder that owns this value (values never cross graphs). */
    readonly owner: object,
    /** Unique ONNX name. */
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly kind: ValueKind,
    /** Contents, for constants. */
    readonly data: ConstantData | null = null,
    /**
     * Known contents of a 1-D int64 tensor, possibly symbolic (e.g. the output of `Shape(x)` is
     * `x.shape`). Lets shape inference see through shape tensors.
     */
    readonly known: Shape | null = null,
  ) {}

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** True for float32/float64 values: the only ones gradients flow through. */
  get isFloat(): boolean {
    return this.dtype === 'float32' || this.dtype === 'float64';
  }

  /** Human-readable description for error messages, e.g. `x [N,784] float32`. */
  describe(): string {
    return `${this.name} ${formatShape(this.shape)} ${this.dtype}`;
  }
}

/** Formats a shape for messages: `[N,784]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Gives an internal node output its public output name (graph-internal; returns the value). */
export function renameValue(v: Value, name: string): Value {
  (v as { name: string }).name = name;
  return v;
}
