/**
 * The load generator's side of the wire: a small pool of gRPC channels shared by all simulated
 * sessions, and promise wrappers of the protocol's calls built on the shared codec (the same
 * validation as the real client). Every call carries the client id (and token) and a deadline.
 */
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import {
  CHANNEL_OPTIONS,
  METADATA_CLIENT_ID,
  METADATA_TOKEN,
  RPC_DEADLINES_MS,
  TensorAssembler,
  chunkTensors,
  loadProtocol,
  totalBytes,
  type CoordinatorClient,
  type HeartbeatResponse__Output,
  type JoinRequest,
  type JoinResponse__Output,
  type SubmitAck__Output,
  type SubmitHeader,
  type TaskEvent__Output,
  type TensorChunk__Output,
  type TensorSpec,
  type VerifiedTensorStore,
  type WireTensor,
} from '@flexmoe/proto';

/**
 * `count` channels to `address`. Each has its own subchannel pool, so each is its own HTTP/2
 * connection (grpc-js would otherwise share one connection among clients of the same target);
 * sessions are spread over them round-robin.
 */
export function openChannels(address: string, count: number): CoordinatorClient[] {
  const Ctor = loadProtocol().flexmoe.v1.Coordinator;
  return Array.from({ length: count }, () =>
    new Ctor(address, grpc.credentials.createInsecure(), {
      ...CHANNEL_OPTIONS,
      'grpc.use_local_subchannel_pool': 1,
      // Come back fast after a coordinator restart; sessions pace their own retries.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    }) as CoordinatorClient,
  );
}

/** Who is calling: client id and optional token, sent as metadata on every call. */
export interface Caller {
  readonly clientId: string;
  readonly token?: string;
}

function metadata(caller: Caller): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(METADATA_CLIENT_ID, caller.clientId);
  if (caller.token) md.set(METADATA_TOKEN, caller.token);
  return md;
}

function deadline(ms: number): grpc.CallOptions {
  return { deadline: Date.now() + ms };
}

/** Join (unary). */
export function join(client: CoordinatorClient, caller: Caller, request: JoinRequest): Promise<JoinResponse__Output> {
  return new Promise((resolve, reject) =>
    client.join(request, metadata(caller), deadline(RPC_DEADLINES_MS.join), (err, res) => (err ? reject(err) : resolve(res!))),
  );
}

/** Heartbeat (unary). */
export function heartbeat(client: CoordinatorClient, caller: Caller, sessionId: string, phase: string, round: number): Promise<HeartbeatResponse__Output> {
  return new Promise((resolve, reject) =>
    client.heartbeat({ sessionId, phase: phase as 'IDLE', round, progress: 0 }, metadata(caller), deadline(RPC_DEADLINES_MS.heartbeat), (err, res) =>
      err ? reject(err) : resolve(res!),
    ),
  );
}

/** Leave (unary, idempotent). */
export function leave(client: CoordinatorClient, caller: Caller, sessionId: string, reason: string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.leave({ sessionId, reason }, metadata(caller), deadline(RPC_DEADLINES_MS.leave), (err) => (err ? reject(err) : resolve())),
  );
}

/** Opens the task stream (server stream) with a long deadline; the caller iterates and cancels it. */
export function waitTask(client: CoordinatorClient, caller: Caller, sessionId: string, streamMs: number): grpc.ClientReadableStream<TaskEvent__Output> {
  return client.waitTask({ sessionId }, metadata(caller), deadline(streamMs));
}

/**
 * Downloads a round's tensors, validated against `specs` (names, shapes, checksums, finite).
 * Tensors found in `store` are handed out from it (read-only) once their bytes' checksum matched.
 */
export async function download(
  client: CoordinatorClient,
  caller: Caller,
  sessionId: string,
  round: number,
  specs: readonly TensorSpec[],
  store?: VerifiedTensorStore,
): Promise<{ tensors: WireTensor[]; bytes: number }> {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const assembler = new TensorAssembler({ expect: (n) => byName.get(n), maxBytes: totalBytes(specs), store });
  const call = client.download({ sessionId, round }, metadata(caller), deadline(RPC_DEADLINES_MS.download));
  try {
    for await (const chunk of call) assembler.push(chunk as TensorChunk__Output);
  } finally {
    call.cancel();
  }
  const got = assembler.finish();
  const tensors = specs.map((s) => {
    const t = got.get(s.name);
    if (!t) throw new Error(`download of round ${round}: tensor ${s.name} missing`);
    return t;
  });
  return { tensors, bytes: assembler.receivedBytes };
}

/** Submits an update: the header, then the tensors in chunks, honouring back-pressure. */
export function submit(client: CoordinatorClient, caller: Caller, header: SubmitHeader, tensors: readonly WireTensor[]): Promise<SubmitAck__Output> {
  return new Promise((resolve, reject) => {
    const call = client.submit(metadata(caller), deadline(RPC_DEADLINES_MS.submit), (err, ack) => (err ? reject(err) : resolve(ack!)));
    (async () => {
      call.write({ header: { ...header, tensorCount: tensors.length, totalBytes: totalBytes(tensors) } });
      for (const chunk of chunkTensors(tensors)) {
        if (!call.write({ chunk })) await once(call, 'drain');
      }
      call.end();
    })().catch(() => call.cancel()); // the callback reports the call's status
  });
}

/** The gRPC status code of an error, or undefined for a local error. */
export function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
