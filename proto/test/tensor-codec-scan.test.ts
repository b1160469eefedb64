import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonFiniteError } from '@flexmoe/shared';
import { ChecksumError } from '../src/errors';
import { assembleTensors, firstNonFinite, tensorToChunks, type TensorData, type WireTensor } from '../src/tensor-codec';
import type { TensorChunk__Output } from '../src/generated/flexmoe/v1/TensorChunk';

function asOutput(tensor: WireTensor, chunkBytes: number): TensorChunk__Output[] {
  return tensorToChunks(tensor, chunkBytes).map((c) => ({
    name: c.name!,
    offset: c.offset!,
    data: Buffer.from(c.data as Uint8Array),
    header: c.header ? (c.header as TensorChunk__Output['header']) : null,
  }));
}

const expectOnly = (t: WireTensor) => (name: string) => (name === t.name ? { name, dtype: t.dtype, shape: t.shape } : undefined);

function ramp<T extends TensorData>(data: T): T {
  for (let i = 0; i < data.length; i++) data[i] = (i % 13) - 6.5;
  return data;
}

test('chunks that split elements (7 bytes) reassemble bit-exactly for float64 and int32', () => {
  const f64: WireTensor = { name: 'f', dtype: 'float64', shape: [5, 9], data: ramp(new Float64Array(45)) };
  const i32 = new Int32Array([0, -1, 2147483647, -2147483648, 42]);
  const ints: WireTensor = { name: 'i', dtype: 'int32', shape: [5], data: i32 };
  for (const t of [f64, ints]) {
    const out = assembleTensors(asOutput(t, 7), { expect: expectOnly(t), maxBytes: 1e6 });
    assert.deepEqual(Array.from(out.get(t.name)!.data), Array.from(t.data));
  }
});

test('a non-finite value straddling a chunk boundary is found with its index', () => {
  const data = ramp(new Float64Array(40));
  data[9] = Number.NEGATIVE_INFINITY; // bytes 72..79: split by 7-byte chunks (70..76, 77..83)
  const t: WireTensor = { name: 'expert.3.w', dtype: 'float64', shape: [40], data };
  assert.throws(
    () => assembleTensors(asOutput(t, 7), { expect: expectOnly(t), maxBytes: 1e6 }),
    (e: unknown) => e instanceof NonFiniteError && /expert\.3\.w.*-Infinity at index 9/.test(e.message),
  );
});

test('bytes corrupted into a NaN are a checksum error, not a non-finite value', () => {
  const t: WireTensor = { name: 'w', dtype: 'float32', shape: [64], data: ramp(new Float32Array(64)) };
  const chunks = asOutput(t, 32);
  chunks[1]!.data.writeFloatLE(Number.NaN, 4); // element 9, after the sender computed the CRC
  assert.throws(() => assembleTensors(chunks, { expect: expectOnly(t), maxBytes: 1e6 }), ChecksumError);
});

test('firstNonFinite agrees with a per-element Number.isFinite search on every range', () => {
  const data = ramp(new Float32Array(23));
  const reference = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (!Number.isFinite(data[i])) return i;
    return -1;
  };
  for (const [index, bad] of [
    [-1, 0],
    [0, Number.NaN],
    [22, Number.POSITIVE_INFINITY],
    [13, Number.NEGATIVE_INFINITY],
  ] as const) {
    const saved = index >= 0 ? data[index]! : 0;
    if (index >= 0) data[index] = bad;
    for (let from = 0; from <= data.length; from += 3) {
      for (let to = from; to <= data.length; to += 5) assert.equal(firstNonFinite(data, from, to), reference(from, to), `${index} [${from},${to})`);
    }
    if (index >= 0) data[index] = saved;
  }
  assert.equal(firstNonFinite(new Float32Array([3.4e38, -3.4e38, 1e-45])), -1, 'extremes are finite');
});
