import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { NonFiniteError, ShapeError, InvalidArgumentError } from '@flexmoe/shared';
import { ChecksumError, TooLargeError } from '../src/errors';
import { TensorAssembler, assembleTensors, chunkTensors, tensorToChunks, type TensorData, type TensorSpec, type WireTensor } from '../src/tensor-codec';
import { loadProtocol, loadHealthProtocol } from '../src/loader';
import type { TensorChunk__Output } from '../src/generated/flexmoe/v1/TensorChunk';

function seededTensor(name: string, shape: number[], seed: number): WireTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 2147483648 - 0.5;
  }
  return { name, dtype: 'float32', shape, data };
}

function asOutput(chunks: Iterable<ReturnType<typeof tensorToChunks>[number]>): TensorChunk__Output[] {
  return [...chunks].map((c) => ({
    name: c.name!,
    offset: c.offset!,
    data: Buffer.from(c.data as Uint8Array),
    header: c.header ? (c.header as TensorChunk__Output['header']) : null,
  }));
}

const specsOf = (ts: WireTensor[]) => {
  const m = new Map<string, TensorSpec>(ts.map((t) => [t.name, { name: t.name, dtype: t.dtype, shape: t.shape }]));
  return (name: string) => m.get(name);
};

test('tensors round-trip through chunks bit-exactly, chunks never exceed the chunk size', () => {
  const tensors = [seededTensor('backbone.w', [300, 200], 1), seededTensor('expert.2.b', [7], 2), seededTensor('s', [], 3)];
  const chunks = asOutput(chunkTensors(tensors, 64 * 1024));
  assert.ok(chunks.every((c) => c.data.length <= 64 * 1024));
  assert.ok(chunks.length > 4, 'the large tensor is split');
  const out = assembleTensors(chunks, { expect: specsOf(tensors), maxBytes: 1e9 });
  for (const t of tensors) assert.deepEqual(Array.from(out.get(t.name)!.data), Array.from(t.data));
  const header = chunks[0]!.header!;
  assert.equal(header.crc32, zlib.crc32(Buffer.from(tensors[0]!.data.buffer)) >>> 0);
  assert.equal(header.byteLength, 300 * 200 * 4);
});

test('a flipped byte is a checksum error', () => {
  const t = seededTensor('w', [1000], 4);
  const chunks = asOutput(tensorToChunks(t, 1024));
  chunks[2]!.data[5] ^= 0xff;
  assert.throws(() => assembleTensors(chunks, { expect: specsOf([t]), maxBytes: 1e9 }), ChecksumError);
});

test('wrong shape, wrong dtype and unexpected names are refused', () => {
  const t = seededTensor('w', [10, 3], 5);
  const chunks = asOutput(tensorToChunks(t));
  const wrongShape = () => ({ name: 'w', dtype: 'float32' as const, shape: [3, 10] });
  assert.throws(() => assembleTensors(chunks, { expect: wrongShape, maxBytes: 1e9 }), ShapeError);
  const wrongDtype = () => ({ name: 'w', dtype: 'float64' as const, shape: [10, 3] });
  assert.throws(() => assembleTensors(chunks, { expect: wrongDtype, maxBytes: 1e9 }), ShapeError);
  assert.throws(() => assembleTensors(chunks, { expect: () => undefined, maxBytes: 1e9 }), /unexpected tensor 'w'/);
});

test('NaN and infinity are refused naming the tensor and index', () => {
  const t = seededTensor('expert.0.w', [50], 6);
  (t.data as Float32Array)[17] = Number.NaN;
  const chunks = asOutput(tensorToChunks(t));
  assert.throws(
    () => assembleTensors(chunks, { expect: specsOf([t]), maxBytes: 1e9 }),
    (e: unknown) => {
      return e instanceof NonFiniteError && /expert\.0\.w.*index 17/.test(e.message);
    },
  );
});

test('declared vs received bytes: a missing or extra chunk is refused', () => {
  const t = seededTensor('w', [1000], 7);
  const chunks = asOutput(tensorToChunks(t, 1000));
  assert.throws(() => assembleTensors(chunks.slice(0, -1), { expect: specsOf([t]), maxBytes: 1e9 }), InvalidArgumentError);
  const extra = [...chunks, { ...chunks[1]!, offset: 4000 }];
  assert.throws(() => assembleTensors(extra, { expect: specsOf([t]), maxBytes: 1e9 }), InvalidArgumentError);
  const lying = asOutput(tensorToChunks(t, 1000));
  lying[0]!.header!.byteLength = 8;
  assert.throws(() => assembleTensors(lying, { expect: specsOf([t]), maxBytes: 1e9 }), /declares 8 bytes/);
});

test('an update beyond the byte budget is too large before its bytes are buffered', () => {
  const a = seededTensor('a', [100], 8);
  const b = seededTensor('b', [100], 9);
  const asm = new TensorAssembler({ expect: specsOf([a, b]), maxBytes: 600 });
  for (const c of asOutput(tensorToChunks(a))) asm.push(c);
  assert.throws(() => asm.push(asOutput(tensorToChunks(b))[0]!), TooLargeError);
});

test('the protocol package and the health package load with their services', () => {
  const proto = loadProtocol();
  const methods = Object.keys(proto.flexmoe.v1.Coordinator.service).sort();
  assert.deepEqual(methods, ['Download', 'Heartbeat', 'Join', 'Leave', 'Submit', 'WaitTask']);
  assert.ok(proto.flexmoe.v1.Coordinator.service.Submit.requestStream);
  assert.ok(loadHealthProtocol().grpc.health.v1.Health.service.Check);
});

/** A store that remembers what the assembler put in and counts lookups that hit. */
function countingStore() {
  const entries = new Map<string, TensorData>();
  const key = (spec: TensorSpec, crc: number) => `${spec.name}|${crc}`;
  const store = {
    hits: 0,
    get(spec: TensorSpec, crc: number) {
      const d = entries.get(key(spec, crc));
      if (d) store.hits++;
      return d;
    },
    put: (spec: TensorSpec, crc: number, data: TensorData) => void entries.set(key(spec, crc), data),
  };
  return store;
}

test('with a store, the second download of a tensor hands out the stored data after checking its checksum', () => {
  const tensors = [seededTensor('backbone.w', [300, 200], 8), seededTensor('expert.0.b', [9], 9)];
  const store = countingStore();
  const first = assembleTensors(asOutput(chunkTensors(tensors, 64 * 1024)), { expect: specsOf(tensors), maxBytes: 1e9, store });
  assert.equal(store.hits, 0);
  const second = assembleTensors(asOutput(chunkTensors(tensors, 64 * 1024)), { expect: specsOf(tensors), maxBytes: 1e9, store });
  assert.equal(store.hits, 2);
  for (const t of tensors) {
    assert.equal(second.get(t.name)!.data, first.get(t.name)!.data, 'the same array, not a copy');
    assert.deepEqual(Array.from(second.get(t.name)!.data), Array.from(t.data));
  }
  // Bytes that do not match the declared checksum are refused even though the header's checksum is stored.
  const corrupt = asOutput(chunkTensors(tensors, 64 * 1024));
  corrupt[1]!.data[3] ^= 0x10;
  assert.throws(() => assembleTensors(corrupt, { expect: specsOf(tensors), maxBytes: 1e9, store }), ChecksumError);
  // Another value under the same name has another checksum: assembled and checked afresh.
  const changed = [seededTensor('backbone.w', [300, 200], 10)];
  changed[0]!.data[0] = NaN;
  assert.throws(() => assembleTensors(asOutput(chunkTensors(changed)), { expect: specsOf(changed), maxBytes: 1e9, store }), NonFiniteError);
});
