/**
 * Adapts server/src/fitness's FitnessMatrix (Q with optimistic start and EMA) to the round
 * engine's FitnessPort, with plain-JSON checkpoints.
 */
import { FitnessMatrix, type ExpertReport, type FitnessSignal } from '../fitness/fitness-matrix';
import type { FitnessPort } from '../rounds/ports';

/** Parameters of Q (defaults: beta 0.5, q0 1, expert-loss signal, alpha_L 1, normalised, explore after 10). */
export interface FitnessOptions {
  readonly experts: number;
  readonly beta: number;
  readonly q0: number;
  readonly signal: FitnessSignal;
  readonly alphaL: number;
  readonly normalize?: boolean;
  readonly exploreAfter?: number;
}

/** Q across rounds, restorable from a checkpoint. */
export class FitnessState implements FitnessPort {
  private readonly q: FitnessMatrix;

  /** A fresh matrix, or the checkpointed one (FileFormatError when malformed). */
  constructor(options: FitnessOptions, snapshot?: unknown) {
    this.q = snapshot ? FitnessMatrix.fromJSON(snapshot) : new FitnessMatrix(options);
  }

  /** Q rows of these clients. */
  matrix(clientIds: readonly string[]): number[][] {
    return this.q.matrix(clientIds);
  }

  /** EMA update for one client's assigned experts (unrouted ones are not scored). */
  update(clientId: string, reports: readonly ExpertReport[]): void {
    this.q.update(clientId, reports);
  }

  /** Client id -> Q row (for the status page). */
  rows(clientIds: readonly string[]): Record<string, number[]> {
    return Object.fromEntries(clientIds.map((id) => [id, this.q.row(id)]));
  }

  /** Plain JSON for the checkpoint. */
  snapshot(): unknown {
    return this.q.toJSON();
  }
}
