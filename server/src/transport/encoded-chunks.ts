/**
 * Download chunks encoded once per round. Every client of a round downloads the same chunk
 * objects (the coordinator's DownloadChunkCache hands out the same objects for the same global
 * parameters), so the protobuf encoding of each chunk is made on its first write and reused for
 * every other client, instead of re-encoding ~0.5 MB per client per round. Keyed weakly by the
 * chunk object: the encodings go away with the round's chunks.
 */
import type * as grpc from '@grpc/grpc-js';

/** A response serializer that encodes each distinct message object once and reuses the bytes. */
export function reuseEncodings<T extends object>(serialize: (value: T) => Buffer): (value: T) => Buffer {
  const encoded = new WeakMap<T, Buffer>();
  return (value: T): Buffer => {
    let bytes = encoded.get(value);
    if (!bytes) {
      bytes = serialize(value);
      // grpc-js copies the message into its own framed buffer, so the cached bytes stay intact.
      encoded.set(value, bytes);
    }
    return bytes;
  };
}

/** The service definition with `method`'s responses encoded once per distinct message object. */
export function withReusedResponseEncoding(service: grpc.ServiceDefinition, method: string): grpc.ServiceDefinition {
  const def = service[method];
  if (!def) throw new Error(`service has no method ${method}`);
  return { ...service, [method]: { ...def, responseSerialize: reuseEncodings(def.responseSerialize as (value: object) => Buffer) } };
}
