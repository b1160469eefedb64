/** Constants of the FlexMoE wire protocol (package `flexmoe.v1`), shared by coordinator and client. */

/**
 * Version of the wire protocol a client states at Join. 2: the client honours
 * RoundTask.local_optimizer (version 1 ignores it and trains plain SGD at a constant rate).
 */
export const PROTOCOL_VERSION = 2;

/**
 * Oldest version a coordinator accepts. A version-1 client is refused only when the run's local
 * optimizer is something it would silently get wrong (see docs/protocol-versioning.md).
 */
export const MIN_PROTOCOL_VERSION = 1;

/** Fully qualified name of the coordinator service, as registered with the health service. */
export const COORDINATOR_SERVICE = 'flexmoe.v1.Coordinator';

/** Metadata key carrying the client id on every call. */
export const METADATA_CLIENT_ID = 'x-flexmoe-client-id';

/** Metadata key carrying the client's token when the coordinator uses a tokens file. */
export const METADATA_TOKEN = 'x-flexmoe-token';

/** Bytes of tensor data per chunk: 1 MiB, well below gRPC's 4 MiB default message limit. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Largest message either side accepts (bytes). A chunk is at most CHUNK_BYTES plus a small
 * header, so anything beyond this is malformed: the transport answers RESOURCE_EXHAUSTED.
 */
export const MAX_MESSAGE_BYTES = 2 * CHUNK_BYTES;

/**
 * HTTP/2 flow-control window (bytes) each receiver advertises per stream. Node's default of
 * 64 KiB makes a sender wait for the receiver's event loop after every 64 KiB of a 1 MiB chunk;
 * two chunks let one travel while the other is processed (on loopback 4 MiB measured no faster).
 * Bounded memory: at most this much unread data per call.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 2 * CHUNK_BYTES;

/** HTTP/2 connection-level window (bytes): room for two calls at full stream windows. */
export const CONNECTION_WINDOW_BYTES = 2 * FLOW_CONTROL_WINDOW_BYTES;

/** Default deadlines (ms) for the unary and bounded calls; streams use the round deadline. */
export const RPC_DEADLINES_MS = Object.freeze({
  join: 10_000,
  heartbeat: 5_000,
  leave: 5_000,
  /** Download of one round's tensors. */
  download: 60_000,
  /** Submit of one round's update, beyond the round deadline (the server judges lateness). */
  submit: 60_000,
});

/** Interval (ms) between KeepAlive events on an idle WaitTask stream. */
export const KEEPALIVE_EVENT_MS = 15_000;

/**
 * grpc-js channel options used on both sides: HTTP/2 keepalive detects a dead peer (e.g. a
 * client whose device lost power) without waiting for the round deadline.
 */
export const CHANNEL_OPTIONS = Object.freeze({
  /** Ping every 20 s so that NATs and proxies keep the connection. */
  'grpc.keepalive_time_ms': 20_000,
  /** A ping unanswered for 10 s means the peer is gone. */
  'grpc.keepalive_timeout_ms': 10_000,
  /** Idle daemons waiting for a task still ping. */
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  /** Stream and connection receive window of a channel (grpc-js applies it to both). */
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
});
