import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import { loadProtocol, tensorToChunks } from '@flexmoe/proto';
import { reuseEncodings, withReusedResponseEncoding } from '../../src/transport/encoded-chunks';

const service = loadProtocol().flexmoe.v1.Coordinator.service as grpc.ServiceDefinition;
const original = service.Download!.responseSerialize as (value: object) => Buffer;
const chunks = tensorToChunks({ name: 'expert.0.fc1.weight', dtype: 'float32', shape: [3, 5], data: Float32Array.from({ length: 15 }, (_, i) => i / 7) }, 16);

test('a reused encoding is byte-identical to a fresh one, made once per message object', () => {
  let calls = 0;
  const serialize = reuseEncodings((v: object) => {
    calls++;
    return original(v);
  });
  for (let client = 0; client < 3; client++) {
    for (const c of chunks) assert.deepEqual(serialize(c), original(c));
  }
  assert.equal(calls, chunks.length);
  // A new object with the same content is encoded afresh (no stale bytes for new parameters).
  const copy = { ...chunks[0]!, data: Buffer.from(chunks[0]!.data as Uint8Array).fill(0) };
  assert.deepEqual(serialize(copy), original(copy));
  assert.notDeepEqual(serialize(copy), serialize(chunks[0]!));
});

test('only the named method gets the reusing serializer; an unknown method is an error', () => {
  const wrapped = withReusedResponseEncoding(service, 'Download');
  assert.notEqual(wrapped.Download!.responseSerialize, original);
  assert.equal(wrapped.Join!.responseSerialize, service.Join!.responseSerialize);
  assert.equal(wrapped.Download!.path, service.Download!.path);
  assert.throws(() => withReusedResponseEncoding(service, 'Nope'), /no method Nope/);
});
