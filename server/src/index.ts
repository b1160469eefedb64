/**
 * The coordinator's public surface. For embedders and strategy authors: `createCoordinator` and
 * its options, the strategy lifecycle (the `Strategy` interface, `BaseStrategy`, the built-in
 * strategies and their registry), the aggregation building blocks a strategy may reuse, and the
 * types a strategy sees (the assignment problem, client updates, round records); see
 * docs/writing-a-strategy.md. For tooling (fleets, benchmarks, the load generator): the
 * coordinator class, the assignment solver, fitness signals, checkpoints and the `flexmoe server`
 * command. Everything else under src/ is internal.
 */
export { createCoordinator, CoordinatorService } from './api/create-coordinator';
export type { CreateCoordinatorOptions } from './api/options';
export type { BoundAddresses, GrpcListenOptions, HttpListenOptions } from './api/listen';
export { Coordinator, DEFAULT_NORM_POLICY, globalParameters } from './coordinator/coordinator';
export type { CoordinatorDeps, CoordinatorOptions, CoordinatorPhase } from './coordinator/coordinator';
export type { ClientStatus, CoordinatorStatus } from './coordinator/status';
export { SERVER_COMMAND, coordinatorOptions, strategyOptionsOf } from './cli/server';
export * from './assignment';
export { withoutTimings } from './assignment/result';
export { GLP, buildModel, readAssignment } from './assignment/glpk-model';
export * from './fitness';
export * from './strategies';
export type {
  AggregationContext,
  AggregationOutcome,
  AssignmentAnswer,
  FitnessPort,
  RefusedUpdate,
  RoundAggregator,
  RoundCompletedEvent,
  StrategyPort,
} from './rounds/ports';
export { aggregate, weightedMean } from './aggregation/aggregate';
export type { AggregationResult, ExpertWeighting } from './aggregation/aggregate';
export { RobustAggregator } from './aggregation/robust';
export { StreamingAggregator } from './aggregation/streaming';
export type { AggregatableUpdate } from './aggregation/streaming';
export type { AggregationRule } from './aggregation/rules';
export { NormHistory, type Group, type NormPolicy } from './aggregation/norms';
export type { RoundRecord } from './rounds/history';
export type { ClientUpdate, ClientProxy, ExpertReport, MetricReport, RoundTaskSpec } from './rounds/types';
export { checkpointFileName, decodeCheckpoint, encodeCheckpoint, listCheckpoints, loadLatestCheckpoint, writeCheckpoint } from './state/checkpoint';
export type { Checkpoint, CheckpointState } from './state/checkpoint';
export { readTokensFile, readSecretFile } from './transport/auth';
export type { TokenTable } from './transport/auth';
/** Errors a strategy throws for bad input (`restore` of a malformed snapshot, bad options). */
export { ConfigError, FileFormatError, InvalidArgumentError } from '@flexmoe/shared';
