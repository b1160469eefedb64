/**
 * Adapts server/src/fitness's FitnessMatrix (Q with optimistic start and EMA) to the round
 * engine's FitnessPort, with plain-JSON checkpoints.
 */
import { FitnessMatrix, type FitnessSignal } from '../fitness/fitness-matrix';
import type { FitnessPort } from '../rounds/ports';

/** Parameters of Q (SPEC defaults: beta 0.5, q0 1, loss signal, alpha_L 1). */
export interface FitnessOptions {
  readonly experts: number;
  readonly beta: number;
  readonly q0: number;
  readonly signal: FitnessSignal;
  readonly alphaL: number;
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

  /** EMA update for one client's trained experts. */
  update(clientId: string, reports: ReadonlyArray<{ expert: number; loss: number; accuracy: number }>): void {
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
