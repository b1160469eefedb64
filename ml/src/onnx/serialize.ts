/**
 * Writes a graph as ONNX ModelProto bytes (IR version 8, default-domain opset 18).
 */
import { onnx } from 'onnx-proto';
import type { Attr, ConstantData, DType, Node, Shape, Value } from './types';

/** The one opset every graph is built against. */
export const OPSET = 18;
/** ONNX IR version written to every model. */
export const IR_VERSION = 8;

const ELEM_TYPE: Record<DType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** What `serializeModel` needs from a graph. */
export interface ModelParts {
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly inputs: readonly Value[];
  readonly initializers: readonly Value[];
  readonly outputs: readonly Value[];
}

/** ONNX element-type code of a dtype. */
export function elemType(dtype: DType): number {
  return ELEM_TYPE[dtype];
}

function rawBytes(data: ConstantData): Uint8Array {
  const v = data.values;
  let arr: ArrayBufferView;
  switch (data.dtype) {
    case 'float32':
      arr = Float32Array.from(v);
      break;
    case 'float64':
      arr = Float64Array.from(v);
      break;
    case 'int64':
      arr = BigInt64Array.from(v, (x) => BigInt(x));
      break;
    case 'int32':
      arr = Int32Array.from(v);
      break;
    case 'bool':
      arr = Uint8Array.from(v, (x) => (x ? 1 : 0));
      break;
  }
  // Typed arrays are little-endian on every platform Node supports, as ONNX raw_data requires.
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function tensorProto(name: string, data: ConstantData): onnx.ITensorProto {
  return { name, dims: [...data.shape], dataType: ELEM_TYPE[data.dtype], rawData: rawBytes(data) };
}

function valueInfo(name: string, dtype: DType, shape: Shape): onnx.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEM_TYPE[dtype], shape: { dim } } } };
}

function attributeProto(name: string, a: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorProto('', a.value) };
  }
}

function nodeProto(node: Node, onnxType: (op: string) => string, live: (v: Value) => boolean, domain: string): onnx.INodeProto {
  const outputs = [...node.outputs];
  while (outputs.length > 1 && !live(outputs[outputs.length - 1])) outputs.pop();
  return {
    name: node.name,
    opType: onnxType(node.opType),
    ...(domain ? { domain } : {}),
    input: node.inputs.map((v) => (v === null ? '' : v.name)),
    output: outputs.map((v) => v.name),
    attribute: Object.entries(node.attrs).map(([k, a]) => attributeProto(k, a)),
  };
}

/** Opset version imported for each non-standard domain a graph may use. */
const DOMAIN_VERSIONS: Readonly<Record<string, number>> = { 'com.microsoft.nchwc': 1 };

/**
 * Encodes a model; `onnxType` maps registry op names to ONNX op types and `domainOf` to their
 * domains ('' standard); trailing node outputs for which `trimmable` holds are left out.
 */
export function serializeModel(
  parts: ModelParts,
  onnxType: (op: string) => string,
  trimmable: (v: Value) => boolean,
  domainOf: (op: string) => string = () => '',
): Uint8Array {
  const domains = new Set(parts.nodes.map((n) => domainOf(n.opType)).filter((d) => d !== ''));
  const graph: onnx.IGraphProto = {
    name: parts.name,
    node: parts.nodes.map((n) => nodeProto(n, onnxType, (v) => !trimmable(v), domainOf(n.opType))),
    input: parts.inputs.map((v) => valueInfo(v.name, v.dtype, v.shape)),
    initializer: parts.initializers.map((v) => tensorProto(v.name, v.data!)),
    output: parts.outputs.map((v) => valueInfo(v.name, v.dtype, v.shape)),
  };
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }, ...[...domains].map((domain) => ({ domain, version: DOMAIN_VERSIONS[domain] ?? 1 }))],
    producerName: 'flexmoe',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
