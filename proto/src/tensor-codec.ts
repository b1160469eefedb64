/**
 * Tensor codec of the wire protocol: tensors travel as raw little-endian bytes in chunks of at
 * most CHUNK_BYTES, the first chunk carrying a header (name, dtype, shape, byte length, CRC-32).
 * The assembler validates everything before handing out a tensor: expected name, dtype, shape,
 * declared vs received bytes, contiguous offsets, size budget, checksum, finite values.
 */
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '@flexmoe/shared';
import { CHUNK_BYTES } from './constants';
import { ChecksumError, TooLargeError } from './errors';
import type { TensorChunk, TensorChunk__Output } from './generated/flexmoe/v1/TensorChunk';
import type { DType__Output } from './generated/flexmoe/v1/DType';

/** Element types that travel on the wire. */
export type TensorDType = 'float32' | 'float64' | 'int32';

/** Typed array of a TensorDType. */
export type TensorData = Float32Array | Float64Array | Int32Array;

/** What a tensor must look like: the model's parameter spec as far as the wire cares. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
}

/** A named tensor with its values. */
export interface WireTensor extends TensorSpec {
  readonly data: TensorData;
}

const WIRE_DTYPE: Record<TensorDType, DType__Output> = { float32: 'FLOAT32', float64: 'FLOAT64', int32: 'INT32' };
const BYTES_PER: Record<TensorDType, number> = { float32: 4, float64: 8, int32: 4 };
const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes a tensor of this spec occupies on the wire. */
export function byteLength(spec: Pick<TensorSpec, 'dtype' | 'shape'>): number {
  return elementCount(spec.shape) * BYTES_PER[spec.dtype];
}

/** Sum of the wire bytes of several tensors. */
export function totalBytes(specs: Iterable<Pick<TensorSpec, 'dtype' | 'shape'>>): number {
  let sum = 0;
  for (const s of specs) sum += byteLength(s);
  return sum;
}

/** CRC-32 (IEEE, as zlib) of some bytes. */
export function crc32(bytes: Uint8Array): number {
  return zlib.crc32(bytes) >>> 0;
}

/** The tensor's values as little-endian bytes (a view without copying on little-endian hosts). */
export function toLittleEndianBytes(data: TensorData): Buffer {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST) return view;
  const out = Buffer.from(view);
  if (data.BYTES_PER_ELEMENT === 8) out.swap64();
  else out.swap32();
  return out;
}

/** Typed view (no copy) over little-endian bytes, swapped in place on a big-endian host. */
function typedView(bytes: Buffer, dtype: TensorDType): TensorData {
  if (!LITTLE_ENDIAN_HOST) {
    if (dtype === 'float64') bytes.swap64();
    else bytes.swap32();
  }
  const count = bytes.length / BYTES_PER[dtype];
  if (dtype === 'float32') return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  if (dtype === 'float64') return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  return new Int32Array(bytes.buffer, bytes.byteOffset, count);
}

function dtypeOf(data: TensorData): TensorDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/**
 * Splits one tensor into wire chunks of at most `chunkBytes` bytes; the first chunk carries the
 * header with the CRC-32 of all bytes. A zero-element tensor yields one empty chunk.
 */
export function tensorToChunks(tensor: WireTensor, chunkBytes: number = CHUNK_BYTES): TensorChunk[] {
  if (dtypeOf(tensor.data) !== tensor.dtype) {
    throw new InvalidArgumentError(`tensor ${tensor.name}: data is ${dtypeOf(tensor.data)}, declared ${tensor.dtype}`);
  }
  if (tensor.data.length !== elementCount(tensor.shape)) {
    throw new ShapeError(`tensor ${tensor.name}: ${tensor.data.length} values for shape [${tensor.shape.join(',')}]`);
  }
  const bytes = toLittleEndianBytes(tensor.data);
  const header = {
    name: tensor.name,
    dtype: WIRE_DTYPE[tensor.dtype],
    shape: [...tensor.shape],
    byteLength: bytes.length,
    crc32: crc32(bytes),
  };
  const chunks: TensorChunk[] = [];
  for (let offset = 0; offset < bytes.length || offset === 0; offset += chunkBytes) {
    const data = bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes));
    chunks.push({ name: tensor.name, offset, data, header: offset === 0 ? header : null });
    if (bytes.length === 0) break;
  }
  return chunks;
}

/** Yields the chunks of several tensors, one tensor after the other (never interleaved). */
export function* chunkTensors(tensors: Iterable<WireTensor>, chunkBytes: number = CHUNK_BYTES): Generator<TensorChunk> {
  for (const t of tensors) yield* tensorToChunks(t, chunkBytes);
}

/** Options of a TensorAssembler. */
export interface AssemblerOptions {
  /** The spec a tensor of this name must have, or undefined when the name is not allowed. */
  readonly expect: (name: string) => TensorSpec | undefined;
  /** Upper bound on the total bytes received (TooLargeError beyond it). */
  readonly maxBytes: number;
  /** Reject NaN / infinite values (default true). */
  readonly requireFinite?: boolean;
  /**
   * Tensors already verified elsewhere (a load generator's sessions all download the same round):
   * a tensor found here by spec and declared checksum is only checksummed, not copied or scanned,
   * and the stored data (read-only to the caller) is handed out; others are stored once complete.
   */
  readonly store?: VerifiedTensorStore;
}

/** Verified tensor data by spec and CRC-32 (see AssemblerOptions.store). */
export interface VerifiedTensorStore {
  get(spec: TensorSpec, crc32: number): TensorData | undefined;
  put(spec: TensorSpec, crc32: number, data: TensorData): void;
}

interface Pending {
  spec: TensorSpec;
  byteLength: number;
  /** Own (unpooled) memory of exactly the tensor's size: becomes the tensor's data without a copy. */
  buffer: Buffer | undefined;
  /** Data from the store: the chunks are only checksummed against it. */
  stored: TensorData | undefined;
  received: number;
  /** Declared CRC-32 and the running CRC-32 of the bytes received so far. */
  crc32: number;
  runningCrc: number;
  /** Float view for the finite scan (undefined for int32, always finite) and elements scanned. */
  floats: Float32Array | Float64Array | undefined;
  scanned: number;
  /** First non-finite element seen; reported only after the checksum matched. */
  nonFinite: number;
}

/**
 * Reassembles tensors from wire chunks, validating each chunk as it arrives so that a bad
 * stream is refused early and nothing half-checked ever leaves the assembler.
 */
export class TensorAssembler {
  private readonly done = new Map<string, WireTensor>();
  private pending: Pending | undefined;
  private bytes = 0;

  constructor(private readonly options: AssemblerOptions) {}

  /** Total tensor bytes received so far. */
  get receivedBytes(): number {
    return this.bytes;
  }

  /** Takes the next chunk; throws (InvalidArgument, Shape, TooLarge, Checksum, NonFinite) on any fault. */
  push(chunk: TensorChunk__Output): void {
    const data = chunk.data ?? Buffer.alloc(0);
    if (chunk.header) this.begin(chunk);
    const p = this.pending;
    if (!p || chunk.name !== p.spec.name) {
      throw new InvalidArgumentError(`chunk of tensor '${chunk.name}' without a header or out of order`);
    }
    if (chunk.offset !== p.received) {
      throw new InvalidArgumentError(`tensor ${chunk.name}: chunk at offset ${chunk.offset}, expected ${p.received}`);
    }
    if (p.received + data.length > p.byteLength) {
      throw new InvalidArgumentError(`tensor ${chunk.name}: ${p.received + data.length} bytes received, ${p.byteLength} declared`);
    }
    if (p.buffer) {
      data.copy(p.buffer, p.received);
      // Checksum and finite scan per chunk, while its bytes are still in the CPU cache.
      p.runningCrc = zlib.crc32(p.buffer.subarray(p.received, p.received + data.length), p.runningCrc);
    } else {
      p.runningCrc = zlib.crc32(data, p.runningCrc);
    }
    p.received += data.length;
    this.bytes += data.length;
    if (p.buffer && this.options.requireFinite !== false) scanFinite(p);
    if (p.received === p.byteLength) this.complete(p);
  }

  /** Ends the stream: every tensor must be complete. Returns the tensors by name. */
  finish(): Map<string, WireTensor> {
    if (this.pending) {
      const p = this.pending;
      throw new InvalidArgumentError(`tensor ${p.spec.name}: ${p.received} bytes received, ${p.byteLength} declared`);
    }
    return this.done;
  }

  private begin(chunk: TensorChunk__Output): void {
    const h = chunk.header!;
    if (this.pending) {
      throw new InvalidArgumentError(`tensor ${this.pending.spec.name} incomplete when ${h.name} began`);
    }
    if (chunk.offset !== 0 || h.name !== chunk.name) {
      throw new InvalidArgumentError(`tensor ${chunk.name}: header must come with offset 0 and the same name`);
    }
    if (this.done.has(h.name)) throw new InvalidArgumentError(`tensor ${h.name} sent twice`);
    const spec = this.options.expect(h.name);
    if (!spec) throw new InvalidArgumentError(`unexpected tensor '${h.name}'`);
    const dtype = (Object.keys(WIRE_DTYPE) as TensorDType[]).find((k) => WIRE_DTYPE[k] === h.dtype);
    if (dtype !== spec.dtype) throw new ShapeError(`tensor ${h.name}: dtype ${h.dtype}, expected ${spec.dtype}`);
    if (!sameShape(h.shape, spec.shape)) {
      throw new ShapeError(`tensor ${h.name}: shape [${h.shape.join(',')}], expected [${spec.shape.join(',')}]`);
    }
    const expected = byteLength(spec);
    if (h.byteLength !== expected) {
      throw new InvalidArgumentError(`tensor ${h.name}: declares ${h.byteLength} bytes, shape needs ${expected}`);
    }
    if (this.bytes + expected > this.options.maxBytes) {
      throw new TooLargeError(`update exceeds ${this.options.maxBytes} bytes at tensor ${h.name}`);
    }
    const crc = h.crc32 >>> 0;
    const stored = this.options.store?.get(spec, crc);
    if (stored) {
      this.pending = {
        spec,
        byteLength: expected,
        buffer: undefined,
        stored,
        received: 0,
        crc32: crc,
        runningCrc: 0,
        floats: undefined,
        scanned: 0,
        nonFinite: -1,
      };
      return;
    }
    // Unzeroed memory is safe: a tensor leaves the assembler only once every byte was written.
    const buffer = Buffer.allocUnsafeSlow(expected);
    const floats = LITTLE_ENDIAN_HOST && dtype !== 'int32' ? (typedView(buffer, dtype) as Float32Array | Float64Array) : undefined;
    this.pending = { spec, byteLength: expected, buffer, stored: undefined, received: 0, crc32: crc, runningCrc: 0, floats, scanned: 0, nonFinite: -1 };
  }

  private complete(p: Pending): void {
    const actual = p.runningCrc >>> 0;
    if (actual !== p.crc32) {
      throw new ChecksumError(`tensor ${p.spec.name}: crc32 ${actual.toString(16)}, declared ${p.crc32.toString(16)}`);
    }
    const data = p.stored ?? typedView(p.buffer!, p.spec.dtype);
    if (!p.stored && this.options.requireFinite !== false) {
      if (!LITTLE_ENDIAN_HOST) assertFinite(p.spec.name, data);
      else if (p.nonFinite >= 0) throwNonFinite(p.spec.name, data, p.nonFinite);
    }
    if (!p.stored) this.options.store?.put(p.spec, p.crc32, data);
    this.done.set(p.spec.name, { name: p.spec.name, dtype: p.spec.dtype, shape: [...p.spec.shape], data });
    this.pending = undefined;
  }
}

/** Scans the elements completed by the latest chunk, remembering the first non-finite one. */
function scanFinite(p: Pending): void {
  if (!p.floats || p.nonFinite >= 0) return;
  const end = Math.floor(p.received / p.floats.BYTES_PER_ELEMENT);
  const bad = firstNonFinite(p.floats, p.scanned, end);
  p.scanned = end;
  if (bad >= 0) p.nonFinite = bad;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Index of the first NaN or infinite value in `data[from, to)`, or -1. A fast pass first: `x * 0`
 * is 0 for every finite x and NaN otherwise, so the sum stays 0 exactly when all are finite.
 */
export function firstNonFinite(data: TensorData, from = 0, to = data.length): number {
  let acc = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) acc += data[i] * 0 + data[i + 1] * 0 + data[i + 2] * 0 + data[i + 3] * 0;
  for (; i < to; i++) acc += data[i] * 0;
  if (acc === 0) return -1;
  for (i = from; i < to; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function throwNonFinite(name: string, data: TensorData, index: number): never {
  throw new NonFiniteError(`tensor ${name}: non-finite value ${data[index]} at index ${index}`);
}

/** Throws NonFiniteError naming the tensor and the first bad index when a value is NaN or infinite. */
export function assertFinite(name: string, data: TensorData): void {
  const bad = firstNonFinite(data);
  if (bad >= 0) throwNonFinite(name, data, bad);
}

/** Decodes a complete list of chunks (e.g. a Download) into tensors, validated against `expect`. */
export function assembleTensors(chunks: Iterable<TensorChunk__Output>, options: AssemblerOptions): Map<string, WireTensor> {
  const assembler = new TensorAssembler(options);
  for (const c of chunks) assembler.push(c);
  return assembler.finish();
}
