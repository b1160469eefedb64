/**
 * The fitness matrix Q keyed by client id: optimistic start q0 for new clients, EMA update
 * Q = (1 - beta) Q + beta s for the pairs scored this round only, and plain-JSON checkpoints.
 *
 * Two rules keep Q about fit rather than recency:
 * - normalisation: a client's scores of one round are divided by their mean over the experts it
 *   scored that round, so the round-on-round fall of the loss (common to all of a client's
 *   experts) cancels and Q records how each expert compares with the client's others (mean 1,
 *   the same scale as q0 = 1);
 * - exploration: a pair the client has not been assigned for `exploreAfter` of its rounds gets its
 *   Q raised back to at least q0, so an expert written off early is retried instead of frozen out.
 * An expert with no routed samples is not scored at all (its Q keeps its value).
 */
import { FileFormatError, InvalidArgumentError } from '@flexmoe/shared';

/** The fitness signals, in `--fitness-signal` order. */
export const FITNESS_SIGNALS = ['loss', 'accuracy', 'expert-loss', 'expert-accuracy'] as const;

/**
 * Which round statistic becomes the fitness signal s: the mixed model's loss or accuracy on the
 * samples routed to e, or the expert's own (`expert-*`: its own logits on those samples).
 */
export type FitnessSignal = (typeof FITNESS_SIGNALS)[number];

/** Options of the fitness matrix (SPEC defaults). */
export interface FitnessOptions {
  readonly experts: number;
  /** EMA weight of the new signal (default 0.5). */
  readonly beta?: number;
  /** Starting fitness of a new client for every expert (default 1: optimism tries every expert). */
  readonly q0?: number;
  /** Default `expert-loss`: s = exp(-alphaL * own loss). See `FitnessSignal`. */
  readonly signal?: FitnessSignal;
  /** Scale of the loss signals (default 1). */
  readonly alphaL?: number;
  /** Divide a client's scores of a round by their mean (default true). */
  readonly normalize?: boolean;
  /** Rounds of a client without an expert before that pair's Q is raised back to q0; 0 = never (default 10). */
  readonly exploreAfter?: number;
}

/** One assigned (client, expert) pair's statistics from a round report. */
export interface ExpertReport {
  readonly expert: number;
  /** Mean loss of the mixed model on the samples routed to the expert. */
  readonly loss: number;
  /** Accuracy of the mixed model on the samples routed to the expert. */
  readonly accuracy: number;
  /** Samples routed to the expert; 0 means no score (absent: counted as routed). */
  readonly usage?: number;
  /** The expert's own loss on its routed samples (needed by `expert-loss`). */
  readonly ownLoss?: number;
  /** The expert's own accuracy on its routed samples (needed by `expert-accuracy`). */
  readonly ownAccuracy?: number;
}

/** Plain-JSON form for checkpoints. */
export interface FitnessJSON {
  readonly experts: number;
  readonly beta: number;
  readonly q0: number;
  readonly signal: FitnessSignal;
  readonly alphaL: number;
  readonly normalize?: boolean;
  readonly exploreAfter?: number;
  readonly rows: Record<string, number[]>;
  /** Per client: rounds since each expert was last assigned. */
  readonly ages?: Record<string, number[]>;
}

/** Q per client id. */
export class FitnessMatrix {
  readonly experts: number;
  readonly beta: number;
  readonly q0: number;
  readonly signal: FitnessSignal;
  readonly alphaL: number;
  readonly normalize: boolean;
  readonly exploreAfter: number;
  private readonly rows = new Map<string, number[]>();
  private readonly ages = new Map<string, number[]>();

  constructor(options: FitnessOptions) {
    this.experts = options.experts;
    this.beta = options.beta ?? 0.5;
    this.q0 = options.q0 ?? 1;
    this.signal = options.signal ?? 'expert-loss';
    this.alphaL = options.alphaL ?? 1;
    this.normalize = options.normalize ?? true;
    this.exploreAfter = options.exploreAfter ?? 10;
    if (!Number.isInteger(this.experts) || this.experts < 1) throw new InvalidArgumentError(`experts must be an integer >= 1 (got ${this.experts})`);
    if (!(this.beta >= 0 && this.beta <= 1)) throw new InvalidArgumentError(`beta must be in [0, 1] (got ${this.beta})`);
    if (!Number.isFinite(this.q0)) throw new InvalidArgumentError(`q0 must be finite (got ${this.q0})`);
    if (!FITNESS_SIGNALS.includes(this.signal)) throw new InvalidArgumentError(`signal must be one of ${FITNESS_SIGNALS.join(', ')} (got ${this.signal})`);
    if (!(this.alphaL > 0) || !Number.isFinite(this.alphaL)) throw new InvalidArgumentError(`alphaL must be a finite number > 0 (got ${this.alphaL})`);
    if (!Number.isInteger(this.exploreAfter) || this.exploreAfter < 0)
      throw new InvalidArgumentError(`exploreAfter must be an integer >= 0 (got ${this.exploreAfter})`);
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

  /** The raw signal s for one report, or null when the report carries nothing to score. */
  score(report: ExpertReport): number | null {
    if (report.usage === 0) return null;
    switch (this.signal) {
      case 'accuracy':
        return report.accuracy;
      case 'loss':
        return Math.exp(-this.alphaL * report.loss);
      case 'expert-accuracy':
        return report.ownAccuracy ?? null;
      case 'expert-loss':
        return report.ownLoss === undefined ? null : Math.exp(-this.alphaL * report.ownLoss);
    }
  }

  /**
   * One round's reports of one client (the experts it was assigned): EMA update of the scored
   * pairs, normalised over them; every report is validated before any change, so a bad report
   * leaves Q untouched.
   */
  update(clientId: string, reports: readonly ExpertReport[]): void {
    const raw = reports.map((r) => this.checkedScore(clientId, r));
    const scored = raw.filter((s): s is number => s !== null);
    const mean = scored.reduce((a, b) => a + b, 0) / Math.max(1, scored.length);
    const row = this.row(clientId);
    reports.forEach((r, i) => {
      const s = raw[i];
      if (s === null) return;
      const signal = this.normalize ? (mean > 0 ? s / mean : 1) : s;
      row[r.expert] = (1 - this.beta) * row[r.expert] + this.beta * signal;
    });
    this.explore(
      clientId,
      row,
      reports.map((r) => r.expert),
    );
    this.rows.set(clientId, row);
  }

  /** Ages every pair not assigned this round; a pair reaching `exploreAfter` is raised to q0. */
  private explore(clientId: string, row: number[], assigned: readonly number[]): void {
    const ages = this.ages.get(clientId) ?? new Array<number>(this.experts).fill(0);
    const mine = new Set(assigned);
    for (let e = 0; e < this.experts; e++) {
      ages[e] = mine.has(e) ? 0 : ages[e] + 1;
      if (this.exploreAfter > 0 && ages[e] >= this.exploreAfter) {
        row[e] = Math.max(row[e], this.q0);
        ages[e] = 0;
      }
    }
    this.ages.set(clientId, ages);
  }

  private checkedScore(clientId: string, r: ExpertReport): number | null {
    if (!Number.isInteger(r.expert) || r.expert < 0 || r.expert >= this.experts) {
      throw new InvalidArgumentError(`fitness report for client ${clientId}: expert ${r.expert} is not in 0..${this.experts - 1}`);
    }
    const s = this.score(r);
    if (s !== null && !Number.isFinite(s))
      throw new InvalidArgumentError(`fitness report for client ${clientId}, expert ${r.expert}: ${this.signal} is not finite`);
    return s;
  }

  /** Forgets a client (it starts again from q0). */
  remove(clientId: string): void {
    this.rows.delete(clientId);
    this.ages.delete(clientId);
  }

  /** Plain JSON for the checkpoint (`JSON.stringify` calls this). */
  toJSON(): FitnessJSON {
    return {
      experts: this.experts,
      beta: this.beta,
      q0: this.q0,
      signal: this.signal,
      alphaL: this.alphaL,
      normalize: this.normalize,
      exploreAfter: this.exploreAfter,
      rows: Object.fromEntries(this.rows),
      ages: Object.fromEntries(this.ages),
    };
  }

  /** Restores a checkpoint; throws `FileFormatError` naming the bad field. */
  static fromJSON(json: unknown): FitnessMatrix {
    if (json === null || typeof json !== 'object') throw new FileFormatError('fitness: expected an object');
    const j = json as Partial<FitnessJSON>;
    let matrix: FitnessMatrix;
    try {
      // Checkpoints from before normalisation and exploration keep their old behaviour.
      const legacy = j.normalize === undefined;
      matrix = new FitnessMatrix({
        experts: j.experts as number,
        beta: j.beta,
        q0: j.q0,
        signal: j.signal ?? 'loss',
        alphaL: j.alphaL,
        normalize: legacy ? false : j.normalize,
        exploreAfter: legacy ? 0 : j.exploreAfter,
      });
    } catch (err) {
      throw new FileFormatError(`fitness: ${(err as Error).message}`, { cause: err });
    }
    readRows(matrix.rows, j.rows, matrix.experts, 'rows', true);
    if (j.ages !== undefined) readRows(matrix.ages, j.ages, matrix.experts, 'ages', false);
    return matrix;
  }
}

function readRows(into: Map<string, number[]>, rows: unknown, experts: number, field: string, required: boolean): void {
  if (rows === null || typeof rows !== 'object') {
    if (required || rows !== undefined) throw new FileFormatError(`fitness: ${field} must be an object of client id -> number[]`);
    return;
  }
  for (const [id, row] of Object.entries(rows)) {
    if (!Array.isArray(row) || row.length !== experts || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new FileFormatError(`fitness: ${field}.${id} must be ${experts} finite numbers`);
    }
    into.set(id, (row as number[]).slice());
  }
}
