/**
 * What the round engine needs from the assignment strategy and the fitness state, as narrow
 * interfaces; the coordinator wires them to server/src/strategies and server/src/fitness.
 */
import type { AssignmentProblem } from '../assignment/types';

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
}

/** A strategy: assigns experts to the sampled clients. */
export interface AssignPort {
  assign(problem: AssignmentProblem): AssignmentAnswer | Promise<AssignmentAnswer>;
}

/** Q, deficits and load bounds across rounds. */
export interface FitnessPort {
  /** Q rows of these clients (new clients start at q0). */
  rows(clientIds: readonly string[]): number[][];
  /** Load bounds for this round's participants. */
  bounds(samples: readonly number[], capacity: readonly number[]): { lower: number[]; upper: number[] };
  /** EMA update of Q for the pairs trained this round (signal already computed). */
  update(scores: ReadonlyArray<{ clientId: string; expert: number; signal: number }>): void;
  /** Folds this round's assigned load into the historical deficits. */
  recordLoad(load: readonly number[], share: number): void;
  /** Serialisable state for the checkpoint. */
  snapshot(): FitnessSnapshot;
}

/** Serialised fitness state. */
export interface FitnessSnapshot {
  readonly q: Readonly<Record<string, readonly number[]>>;
  readonly deficits: readonly number[];
}
