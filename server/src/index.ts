/**
 * The coordinator's public surface: `createCoordinator` and its options, the strategy lifecycle
 * (the `Strategy` interface, `BaseStrategy`, the built-in strategies and their registry), the
 * aggregation building blocks a strategy may reuse, and the types a strategy sees (the assignment
 * problem, client updates, round records). Everything else under src/ is internal.
 */
export { createCoordinator, CoordinatorService } from './api/create-coordinator';
export type { CreateCoordinatorOptions } from './api/options';
export type { BoundAddresses, GrpcListenOptions, HttpListenOptions } from './api/listen';
export type { CoordinatorPhase } from './coordinator/coordinator';
export type { ClientStatus, CoordinatorStatus } from './coordinator/status';
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
export type { AssignmentClient, AssignmentProblem, AssignmentResult } from './assignment/types';
export type { RoundRecord } from './rounds/history';
export type { ClientUpdate, ExpertReport, MetricReport } from './rounds/types';
export { RobustAggregator } from './aggregation/robust';
export { StreamingAggregator } from './aggregation/streaming';
export type { AggregatableUpdate } from './aggregation/streaming';
export type { AggregationRule } from './aggregation/rules';
export type { ExpertWeighting } from './aggregation/aggregate';
export { NormHistory, type Group, type NormPolicy } from './aggregation/norms';
export { solveAssignment } from './assignment/solve';
/** Errors a strategy throws for bad input (`restore` of a malformed snapshot, bad options). */
export { ConfigError, FileFormatError, InvalidArgumentError } from '@flexmoe/shared';
