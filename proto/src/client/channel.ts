/**
 * Channels to a coordinator: one grpc-js client of the Coordinator service with the protocol's
 * keepalive, message-size and flow-control settings. Several protocol clients may share one
 * (the load generator runs many sessions over a few connections).
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../constants';
import { loadProtocol } from '../loader';
import type { CoordinatorClient } from '../types';

/** Where and how to connect. */
export interface ChannelSpec {
  /** `HOST:PORT` of the coordinator. */
  readonly address: string;
  /** TLS or mutual TLS credentials; default plaintext (loopback only). */
  readonly credentials?: grpc.ChannelCredentials;
  /**
   * Its own HTTP/2 connection: grpc-js otherwise shares one connection among all channels to
   * the same target, which serialises many sessions' transfers on one socket.
   */
  readonly ownConnection?: boolean;
  /** Further grpc-js channel options; they win over the protocol's and ours. */
  readonly options?: grpc.ChannelOptions;
}

/**
 * Reconnect quickly after a coordinator restart: callers pace their own retries with jitter, and
 * grpc-js's default backoff (up to 120 s) would fail calls long after the server is back.
 */
const RECONNECT_OPTIONS = Object.freeze({ 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 5000 });

/** Opens a channel (it connects lazily, on the first call). */
export function openChannel(spec: ChannelSpec): CoordinatorClient {
  const Ctor = loadProtocol().flexmoe.v1.Coordinator;
  return new Ctor(spec.address, spec.credentials ?? grpc.credentials.createInsecure(), {
    ...CHANNEL_OPTIONS,
    ...RECONNECT_OPTIONS,
    ...(spec.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
    ...spec.options,
  }) as CoordinatorClient;
}
