/**
 * The coordinator's public surface: the coordinator itself and its options, the assignment
 * solver, fitness signals and strategies, aggregation, checkpoints, the status document, and the
 * `flexmoe server` command. Tooling (fleets, benchmarks, the load generator) and embedders import
 * from here; everything else under src/ is internal.
 */
export { Coordinator, DEFAULT_NORM_POLICY, globalParameters } from './coordinator/coordinator';
export type { CoordinatorDeps, CoordinatorOptions, CoordinatorPhase } from './coordinator/coordinator';
export type { ClientStatus, CoordinatorStatus } from './coordinator/status';
export { SERVER_COMMAND, coordinatorOptions } from './cli/server';
export * from './assignment';
export { withoutTimings } from './assignment/result';
export { GLP, buildModel, readAssignment } from './assignment/glpk-model';
export * from './fitness';
export * from './strategies';
export { aggregate, weightedMean } from './aggregation/aggregate';
export type { AggregationResult, ExpertWeighting } from './aggregation/aggregate';
export { StreamingAggregator } from './aggregation/streaming';
export type { AggregatableUpdate } from './aggregation/streaming';
export type { RoundRecord } from './rounds/history';
export type { ClientUpdate, ClientProxy, ExpertReport, MetricReport, RoundTaskSpec } from './rounds/types';
export { checkpointFileName, decodeCheckpoint, encodeCheckpoint, listCheckpoints, loadLatestCheckpoint, writeCheckpoint } from './state/checkpoint';
export type { Checkpoint, CheckpointState } from './state/checkpoint';
export { readTokensFile, readSecretFile } from './transport/auth';
export type { TokenTable } from './transport/auth';
