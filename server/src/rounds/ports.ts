/**
 * What the round engine needs from the assignment strategy and the fitness matrix, as narrow
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
  /** True when the solver's wall-clock safety net cut the search (the answer depends on timing). */
  readonly timedOut?: boolean;
}

/** A strategy: assigns experts to the sampled clients (bounds and deficits are its business). */
export interface AssignPort {
  assign(problem: AssignmentProblem, signal?: AbortSignal): Promise<AssignmentAnswer>;
}

/** The fitness matrix Q across rounds. */
export interface FitnessPort {
  /** Q rows of these clients (new clients start at q0). */
  matrix(clientIds: readonly string[]): number[][];
  /** EMA update of Q for the experts a client trained this round. */
  update(clientId: string, reports: ReadonlyArray<{ expert: number; loss: number; accuracy: number }>): void;
}
