/**
 * The client daemon's public surface: the daemon, its parts for composition (fleet runners,
 * benchmarks, tests), and the CLI entry.
 */
export { ClientDaemon } from './daemon/daemon';
export type { DaemonOptions, DaemonExit } from './daemon/daemon';
export { createBackoff } from './daemon/backoff';
export { sleep } from '@flexmoe/shared';
export type { Backoff, BackoffOptions } from './daemon/backoff';
export { loadLocalData } from './daemon/data';
export type { LocalData } from './daemon/data';
export type { LocalDataOptions } from './daemon/data';
export type * from './daemon/link';
export type { RejectionKind } from './errors';
/** Status-to-error mapping of the wire, for in-process transports that must fail as gRPC does. */
export { toCoordinatorError } from './transport/status';
export type { RoundOutcome } from './daemon/round';
export { workerTrainerFactory } from './daemon/trainer';
export type { TrainerFactory, TrainerLike } from './daemon/trainer';
export { createClientMetrics, startRssSampler } from './observability/metrics';
export type { ClientMetrics } from './observability/metrics';
export { startMetricsServer } from './observability/http';
export { StateDir, defaultClientId, defaultStateDir } from './state/state-dir';
export { createGrpcLink } from './transport/grpc-link';
export type { GrpcLinkOptions } from './transport/grpc-link';
export { CoordinatorError, AbortedError } from './errors';
export { CLIENT_COMMAND } from './cli/client-options';
