/**
 * The fitness matrix Q keyed by client id: optimistic start q0 for new clients, EMA update
 * Q = (1 - beta) Q + beta s for the pairs trained this round only, and plain-JSON checkpoints.
 */
import { FileFormatError, InvalidArgumentError } from '@flexmoe/shared';

/** Which round statistic becomes the fitness signal s. */
export type FitnessSignal = 'loss' | 'accuracy';

/** Options of the fitness matrix (SPEC defaults). */
export interface FitnessOptions {
  readonly experts: number;
  /** EMA weight of the new signal (default 0.5). */
  readonly beta?: number;
  /** Starting fitness of a new client for every expert (default 1: optimism tries every expert). */
  readonly q0?: number;
  /** `loss` (default): s = exp(-alphaL * loss); `accuracy`: s = accuracy. */
  readonly signal?: FitnessSignal;
  /** Scale of the loss signal (default 1). */
  readonly alphaL?: number;
}

/** One trained (client, expert) pair's statistics from a round report. */
export interface ExpertReport {
  readonly expert: number;
  /** Mean loss on the samples routed to the expert. */
  readonly loss: number;
  /** Accuracy on the samples routed to the expert. */
  readonly accuracy: number;
}

/** Plain-JSON form for checkpoints. */
export interface FitnessJSON {
  readonly experts: number;
  readonly beta: number;
  readonly q0: number;
  readonly signal: FitnessSignal;
  readonly alphaL: number;
  readonly rows: Record<string, number[]>;
}

/** Q per client id. */
export class FitnessMatrix {
  readonly experts: number;
  readonly beta: number;
  readonly q0: number;
  readonly signal: FitnessSignal;
  readonly alphaL: number;
  private readonly rows = new Map<string, number[]>();

  constructor(options: FitnessOptions) {
    this.experts = options.experts;
    this.beta = options.beta ?? 0.5;
    this.q0 = options.q0 ?? 1;
    this.signal = options.signal ?? 'loss';
    this.alphaL = options.alphaL ?? 1;
    if (!Number.isInteger(this.experts) || this.experts < 1) throw new InvalidArgumentError(`experts must be an integer >= 1 (got ${this.experts})`);
    if (!(this.beta >= 0 && this.beta <= 1)) throw new InvalidArgumentError(`beta must be in [0, 1] (got ${this.beta})`);
    if (!Number.isFinite(this.q0)) throw new InvalidArgumentError(`q0 must be finite (got ${this.q0})`);
    if (this.signal !== 'loss' && this.signal !== 'accuracy') throw new InvalidArgumentError(`signal must be 'loss' or 'accuracy' (got ${String(this.signal)})`);
    if (!(this.alphaL > 0) || !Number.isFinite(this.alphaL)) throw new InvalidArgumentError(`alphaL must be a finite number > 0 (got ${this.alphaL})`);
  }

  /** Q row of a client (q0 everywhere for a client never seen); a copy. */
  row(clientId: string): number[] {
    return [...(this.rows.get(clientId) ?? new Array<number>(this.experts).fill(this.q0))];
  }

  /** Q rows for clients in order, as the solver's `q`. */
  matrix(clientIds: readonly string[]): number[][] {
    return clientIds.map((id) => this.row(id));
  }

  /** Whether the client has any trained pair yet. */
  has(clientId: string): boolean {
    return this.rows.has(clientId);
  }

  /** The signal s for one report. */
  score(report: ExpertReport): number {
    return this.signal === 'accuracy' ? report.accuracy : Math.exp(-this.alphaL * report.loss);
  }

  /**
   * EMA update for the experts the client trained; every report is validated before any change,
   * so a bad report leaves Q untouched.
   */
  update(clientId: string, reports: readonly ExpertReport[]): void {
    const scores = reports.map((r) => {
      if (!Number.isInteger(r.expert) || r.expert < 0 || r.expert >= this.experts) {
        throw new InvalidArgumentError(`fitness report for client ${clientId}: expert ${r.expert} is not in 0..${this.experts - 1}`);
      }
      const s = this.score(r);
      if (!Number.isFinite(s)) throw new InvalidArgumentError(`fitness report for client ${clientId}, expert ${r.expert}: ${this.signal} is not finite`);
      return s;
    });
    const row = this.row(clientId);
    reports.forEach((r, i) => {
      row[r.expert] = (1 - this.beta) * row[r.expert] + this.beta * scores[i];
    });
    this.rows.set(clientId, row);
  }

  /** Forgets a client (it starts again from q0). */
  remove(clientId: string): void {
    this.rows.delete(clientId);
  }

  /** Plain JSON for the checkpoint (`JSON.stringify` calls this). */
  toJSON(): FitnessJSON {
    return { experts: this.experts, beta: this.beta, q0: this.q0, signal: this.signal, alphaL: this.alphaL, rows: Object.fromEntries(this.rows) };
  }

  /** Restores a checkpoint; throws `FileFormatError` naming the bad field. */
  static fromJSON(json: unknown): FitnessMatrix {
    if (json === null || typeof json !== 'object') throw new FileFormatError('fitness: expected an object');
    const j = json as Partial<FitnessJSON>;
    let matrix: FitnessMatrix;
    try {
      matrix = new FitnessMatrix({ experts: j.experts as number, beta: j.beta, q0: j.q0, signal: j.signal, alphaL: j.alphaL });
    } catch (err) {
      throw new FileFormatError(`fitness: ${(err as Error).message}`, { cause: err });
    }
    if (j.rows === null || typeof j.rows !== 'object') throw new FileFormatError('fitness: rows must be an object of client id -> number[]');
    for (const [id, row] of Object.entries(j.rows)) {
      if (!Array.isArray(row) || row.length !== matrix.experts || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new FileFormatError(`fitness: rows.${id} must be ${matrix.experts} finite numbers`);
      }
      matrix.rows.set(id, [...row]);
    }
    return matrix;
  }
}
