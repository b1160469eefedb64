/**
 * Where an embedded coordinator listens. Secure by default as `flexmoe server` is: a coordinator
 * that authenticates nobody (no tokens, no mutual TLS) needs `insecure: true` and then binds
 * loopback only.
 */
import type { ServerCredentials } from '@grpc/grpc-js';
import type { AuthOptions } from '../transport/auth';

/** The gRPC service's address and client authentication. */
export interface GrpcListenOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Port, 0 for any free one (default 0). */
  readonly port?: number;
  /** TLS or mutual TLS (default: plaintext). Set `auth.mutualTls` when the credentials require client certificates. */
  readonly credentials?: ServerCredentials;
  /** Tokens, mutual TLS, allowed client ids. */
  readonly auth?: AuthOptions;
  /** Run without client authentication (loopback only, with a warning every minute). */
  readonly insecure?: boolean;
}

/** The HTTP server's address (/metrics, /healthz, /api/status, dashboard). */
export interface HttpListenOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Port, 0 for any free one (default 0). */
  readonly port?: number;
  /** Bearer token of /api/status; without it only loopback callers get the status. */
  readonly statusToken?: string;
}

/** The ports a started coordinator is bound to. */
export interface BoundAddresses {
  /** host:port of the gRPC service, as clients dial it. */
  readonly address: string;
  readonly grpcPort: number;
  /** The HTTP port, undefined when `http: false`. */
  readonly httpPort: number | undefined;
}
