/**
 * The graph under construction: declared inputs and parameters, constants, nodes, named outputs,
 * pruning and serialization. Typed op helpers are layered on top in math.ts, tensor.ts and
 * builder.ts; everything goes through `op()`, which checks the registry and infers shapes.
 */
import { InvalidArgumentError, ShapeError } from '@flexmoe/shared';
import './ops/index';
import { type OutputSig, getOp } from './registry';
import { serializeModel } from './serialize';
import { type Attrs, type ConstantData, type DType, type FloatDType, type Node, type Shape, Value, formatShape, renameValue } from './types';

/** Options for a new graph. */
export interface GraphOptions {
  /** Float element type of the whole graph ('float' in helpers resolves to it). */
  readonly dtype: FloatDType;
  /** Graph name written to the model (default 'flexmoe'). */
  readonly name?: string;
  /**
   * Emit only ops of the default domain that tools older than opset 18 know as well (helpers such
   * as `groupNorm` then spell themselves out); for models exported to other runtimes. Default false.
   */
  readonly portable?: boolean;
  /**
   * ONNX Runtime's NCHWc block size on this CPU (see `nchwcBlockSize` in the training package),
   * or 0 / absent for none: float32 convolutions are then emitted as `com.microsoft.nchwc` Convs
   * with the weights reordered in the graph. Only for sessions on the machine that probed it:
   * a wrong block size gives silently wrong results. Ignored by portable graphs.
   */
  readonly nchwcBlock?: number;
}

/** Name, element type, shape and role of one graph input or output. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  /** 'param' marks a trainable input; outputs have kind 'output'. */
  readonly kind: 'input' | 'param' | 'output';
}

/** The feed/fetch interface of a built graph. */
export interface GraphSignature {
  /** Every declared input and parameter, in declaration order. */
  readonly inputs: readonly TensorInfo[];
  /** Every named output, in declaration order. */
  readonly outputs: readonly TensorInfo[];
}

/** An element type, or 'float' for the graph's float type. */
export type DTypeSpec = DType | 'float';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

/** Core of the graph builder; use `GraphBuilder`, which adds the op helpers. */
export class GraphCore {
  /** The graph's float element type. */
  readonly dtype: FloatDType;
  /** Graph name. */
  readonly name: string;
  /** See `GraphOptions.portable`. */
  readonly portable: boolean;
  /** See `GraphOptions.nchwcBlock` (0: plain Conv). */
  readonly nchwcBlock: number;
  private readonly nodeList: Node[] = [];
  private readonly declared: Value[] = [];
  private readonly outputList: Value[] = [];
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, Value>();
  private counter = 0;

  constructor(options: GraphOptions) {
    if (options.dtype !== 'float32' && options.dtype !== 'float64') {
      throw new InvalidArgumentError(`graph dtype must be float32 or float64, got ${String(options.dtype)}`);
    }
    this.dtype = options.dtype;
    this.name = options.name ?? 'flexmoe';
    this.portable = options.portable ?? false;
    const block = options.nchwcBlock ?? 0;
    if (!Number.isInteger(block) || block < 0) throw new InvalidArgumentError(`graph nchwcBlock must be a non-negative integer, got ${String(block)}`);
    this.nchwcBlock = this.portable ? 0 : block;
  }

  /** Resolves 'float' to the graph's float type. */
  resolve(dtype: DTypeSpec): DType {
    return dtype === 'float' ? this.dtype : dtype;
  }

  /** Declares a graph input (fed at run time, no gradient wanted unless listed in `grad`). */
  input(name: string, dtype: DTypeSpec, shape: Shape): Value {
    return this.declare(name, this.resolve(dtype), shape, 'input');
  }

  /** Declares a trainable parameter: a float graph input whose gradient is wanted. */
  param(name: string, shape: Shape): Value {
    return this.declare(name, this.dtype, shape, 'param');
  }

  /**
   * A constant tensor stored as an initializer. `values` is row-major; a single number with a
   * shape fills it. Default element type: the graph's float type.
   */
  constant(values: number | ArrayLike<number>, shape: readonly number[] = [], dtype: DTypeSpec = 'float'): Value {
    const dt = this.resolve(dtype);
    const size = shape.reduce((a, b) => a * b, 1);
    const list = typeof values === 'number' ? new Array<number>(size).fill(values) : Array.from(values);
    if (list.length !== size || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(`constant: ${list.length} values do not fill shape ${formatShape(shape)}`);
    }
    const key = list.length <= 16 ? `${dt}|${shape.join(',')}|${list.join(',')}` : null;
    const cached = key === null ? undefined : this.constCache.get(key);
    if (cached) return cached;
    const data: ConstantData = { dtype: dt, shape: [...shape], values: list };
    const known = dt === 'int64' && shape.length === 1 ? list : null;
    const v = new Value(this, this.fresh('c'), dt, [...shape], 'constant', data, known);
    if (key !== null) this.constCache.set(key, v);
    return v;
  }

  /** A scalar constant (default: the graph's float type). */
  scalar(value: number, dtype: DTypeSpec = 'float'): Value {
    return this.constant([value], [], dtype);
  }

  /** A 1-D int64 constant, e.g. axes or a target shape. */
  int64s(values: readonly number[]): Value {
    return this.constant(values, [values.length], 'int64');
  }

  /**
   * Emits one node of a registered op and returns its outputs. Prefer the typed helpers; this is
   * the escape hatch they are built on. Throws for unknown ops and bad shapes or dtypes.
   */
  op(opType: string, inputs: readonly (Value | null)[], attrs: Attrs = {}): Value[] {
    return this.emit(opType, inputs, attrs, null);
  }

  private emit(opType: string, inputs: readonly (Value | null)[], attrs: Attrs, outName: string | null): Value[] {
    const spec = getOp(opType);
    for (const v of inputs) {
      if (v !== null && v.owner !== this) {
        throw new InvalidArgumentError(`${opType}: input ${v.name} belongs to another graph`);
      }
    }
    const sigs = spec.infer(inputs, attrs);
    const id = this.fresh(opType);
    const outputs = sigs.map((s, i) => new Value(this, outName ?? (sigs.length === 1 ? id : `${id}_${i}`), s.dtype, s.shape, 'node', null, s.known ?? null));
    const node: Node = { opType, name: id, inputs: [...inputs], outputs, attrs };
    for (const o of outputs) o.producer = node;
    this.nodeList.push(node);
    return outputs;
  }

  /** Output dtypes and shapes `op` would give, without emitting anything (throws the same errors). */
  infer(opType: string, inputs: readonly (Value | null)[], attrs: Attrs = {}): OutputSig[] {
    return getOp(opType).infer(inputs, attrs);
  }

  /** Like `op` for single-output ops. */
  op1(opType: string, inputs: readonly (Value | null)[], attrs: Attrs = {}): Value {
    return this.op(opType, inputs, attrs)[0];
  }

  /** Publishes `value` as a graph output under `name` (a unique name). Returns the output value. */
  output(value: Value, name: string): Value {
    this.claim(name);
    if (value.owner !== this) throw new InvalidArgumentError(`output ${name}: value ${value.name} belongs to another graph`);
    // Renaming an internal node output avoids an Identity copy of every published tensor.
    const renamable = value.kind === 'node' && value.name.startsWith('_') && !this.outputList.includes(value);
    const named = renamable ? renameValue(value, name) : this.emit('Identity', [value], {}, name)[0];
    this.outputList.push(named);
    return named;
  }

  /** Declared inputs and parameters as values, in declaration order. */
  inputValues(): readonly Value[] {
    return this.declared;
  }

  /** The nodes emitted so far, in topological (creation) order. */
  nodes(): readonly Node[] {
    return this.nodeList;
  }

  /** Inputs, parameters and outputs declared so far. */
  signature(): GraphSignature {
    const info = (v: Value, kind: TensorInfo['kind']): TensorInfo => ({ name: v.name, dtype: v.dtype, shape: v.shape, kind });
    return {
      inputs: this.declared.map((v) => info(v, v.kind === 'param' ? 'param' : 'input')),
      outputs: this.outputList.map((v) => info(v, 'output')),
    };
  }

  /** Prunes nodes no output depends on and serializes the model to ONNX bytes (opset 18). */
  build(): Uint8Array {
    if (this.outputList.length === 0) throw new InvalidArgumentError(`graph ${this.name}: no outputs declared`);
    const live = new Set<Value>(this.outputList);
    const kept: Node[] = [];
    for (let i = this.nodeList.length - 1; i >= 0; i--) {
      const node = this.nodeList[i];
      if (!node.outputs.some((o) => live.has(o))) continue;
      kept.push(node);
      for (const v of node.inputs) if (v) live.add(v);
    }
    kept.reverse();
    const initializers = [...live].filter((v) => v.kind === 'constant');
    const parts = { name: this.name, nodes: kept, inputs: this.declared, initializers, outputs: this.outputList };
    const trimmable = (v: Value) => !live.has(v) && getOp(v.producer!.opType).trimOutputs === true;
    return serializeModel(
      parts,
      (op) => getOp(op).onnxType ?? op,
      trimmable,
      (op) => getOp(op).domain ?? '',
    );
  }

  private declare(name: string, dtype: DType, shape: Shape, kind: 'input' | 'param'): Value {
    for (const d of shape) {
      const ok = typeof d === 'number' ? Number.isInteger(d) && d >= 0 : typeof d === 'string' && d.length > 0;
      if (!ok) throw new ShapeError(`${kind} ${name}: bad dimension ${String(d)} in ${formatShape(shape)}`);
    }
    if (kind === 'param' && dtype !== this.dtype) throw new ShapeError(`param ${name}: must be ${this.dtype}`);
    this.claim(name);
    const v = new Value(this, name, dtype, [...shape], kind);
    this.declared.push(v);
    return v;
  }

  private claim(name: string): void {
    if (!NAME_RE.test(name) || name.startsWith('_')) {
      throw new InvalidArgumentError(`invalid tensor name '${name}' (letters, digits, . _ : / -; not starting with _)`);
    }
    if (this.names.has(name)) throw new InvalidArgumentError(`tensor name '${name}' is already used in graph ${this.name}`);
    this.names.add(name);
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `_${prefix}_${this.counter}`;
  }
}
