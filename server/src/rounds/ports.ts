/**
 * What the round engine needs from the strategy and the fitness matrix, as narrow interfaces; the
 * coordinator wires them to server/src/strategies and server/src/fitness. A round's lifecycle, in
 * the spirit of Flower's Strategy: `assign` configures the round (which experts each sampled
 * client trains), `aggregator` folds the updates into the next global parameters, and
 * `roundCompleted` sees the aggregated round (the built-in strategies update Q there).
 */
import type { ParamMap } from '@flexmoe/shared';
import type { Group, NormHistory } from '../aggregation/norms';
import type { AssignmentProblem } from '../assignment/types';
import type { RoundRecord } from './history';
import type { ClientUpdate, ExpertReport } from './types';

/** The part of an assignment answer the round engine uses. */
export interface AssignmentAnswer {
  /** Expert ids per client, rows following `problem.clients`. */
  readonly assignment: readonly (readonly number[])[];
  readonly objective?: number;
  readonly upperBound?: number;
  readonly gap?: number;
  readonly status?: string;
  readonly solver?: string;
  readonly seconds?: number;
  readonly violation?: number;
  /** True when the solver's wall-clock safety net cut the search (the answer depends on timing). */
  readonly timedOut?: boolean;
}

/** Assigns experts to the sampled clients (bounds and deficits are the strategy's business). */
export interface AssignPort {
  assign(problem: AssignmentProblem, signal?: AbortSignal): Promise<AssignmentAnswer>;
}

/** What one round attempt's aggregator is built from. */
export interface AggregationContext {
  readonly round: number;
  readonly attempt: number;
  /** The global parameters the round started from (backbone and experts; never modified). */
  readonly params: Readonly<ParamMap>;
  /** E, the number of experts. */
  readonly experts: number;
  /**
   * Median accepted update distances of recent rounds per group, kept by the coordinator (reset
   * after a rollback): robust clipping takes its bounds from it.
   */
  readonly norms: NormHistory;
}

/** A client that delivered but whose update the aggregator refused. */
export interface RefusedUpdate {
  readonly clientId: string;
  readonly reason: string;
}

/** What a closed round attempt aggregates to. */
export interface AggregationOutcome {
  /** The next global parameters (backbone and experts). */
  readonly params: ParamMap;
  /** Updates refused when the round closed (outliers); they count as failures of the round. */
  readonly rejected: readonly RefusedUpdate[];
  /** Clients whose update was scaled down before it was folded in. */
  readonly clipped?: readonly string[];
  /** Distances of the accepted updates per group; recorded into the norm history once the round is aggregated. */
  readonly accepted?: ReadonlyMap<Group, number[]>;
}

/** Folds one round attempt's updates into the next global parameters. */
export interface RoundAggregator {
  /**
   * Takes one delivered update as it arrives (its tensors may be dropped afterwards). Throwing
   * refuses it: the client counts as failed this round and nothing else changes.
   */
  add(update: ClientUpdate): void;
  /** Closes the attempt: the next parameters and the refused updates. */
  result(): AggregationOutcome;
  /** The clipping bound of a group this attempt, when the aggregator clips (logged). */
  bound?(group: Group): number;
}

/** What `roundCompleted` is told about an aggregated round. */
export interface RoundCompletedEvent {
  readonly round: number;
  readonly attempt: number;
  /** The accepted updates, tensors dropped (metrics and expert reports only). */
  readonly updates: readonly Omit<ClientUpdate, 'params'>[];
  /** The round as it goes into the history. */
  readonly record: RoundRecord;
  /** The fitness matrix Q: the built-in strategies fold the expert reports into it. */
  readonly fitness: FitnessPort;
}

/** The strategy as the round engine calls it, once per round attempt and round. */
export interface StrategyPort extends AssignPort {
  /** A fresh aggregator for one round attempt. */
  aggregator(context: AggregationContext): RoundAggregator;
  /** Called once per aggregated round, before the coordinator checkpoints it. */
  roundCompleted(event: RoundCompletedEvent): void;
}

/** The fitness matrix Q across rounds. */
export interface FitnessPort {
  /** Q rows of these clients (new clients start at q0). */
  matrix(clientIds: readonly string[]): number[][];
  /** EMA update of Q for the experts a client trained this round. */
  update(clientId: string, reports: readonly ExpertReport[]): void;
}
