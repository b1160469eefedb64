/**
 * The coordinator's fitness state (SPEC section 1, step 5): Q per client with its optimistic
 * start q0 and EMA update, historical load deficits with per-round decay, and the load bounds
 * of server/src/fitness built from them.
 */
import { loadBounds } from '../fitness/bounds';
import type { FitnessPort, FitnessSnapshot } from '../rounds/ports';

/** Parameters of Q and the deficits. */
export interface FitnessOptions {
  readonly experts: number;
  /** EMA weight of the new signal (default 0.5). */
  readonly beta: number;
  /** Q of a client for an expert it never trained (default 1). */
  readonly q0: number;
  /** Slack around the balanced share (default 0.1). */
  readonly delta: number;
  /** Weight of the deficits in the bounds (default 0.1). */
  readonly gamma: number;
  /** Factor applied to the deficits each round before adding the new one (default 0.9). */
  readonly deficitDecay: number;
}

/** Q and deficits, mutable across rounds, serialisable for the checkpoint. */
export class FitnessState implements FitnessPort {
  private readonly q = new Map<string, number[]>();
  private deficits: number[];

  constructor(private readonly options: FitnessOptions, snapshot?: FitnessSnapshot) {
    this.deficits = new Array<number>(options.experts).fill(0);
    if (snapshot) {
      for (const [id, row] of Object.entries(snapshot.q)) this.q.set(id, [...row]);
      if (snapshot.deficits.length === options.experts) this.deficits = [...snapshot.deficits];
    }
  }

  /** Q rows of these clients; a new client's row is q0 everywhere. */
  rows(clientIds: readonly string[]): number[][] {
    return clientIds.map((id) => [...(this.q.get(id) ?? new Array<number>(this.options.experts).fill(this.options.q0))]);
  }

  /** L(e), U(e) from the balanced share, delta and the deficits. */
  bounds(samples: readonly number[], capacity: readonly number[]): { lower: number[]; upper: number[] } {
    const b = loadBounds(samples, capacity, this.options.experts, {
      delta: this.options.delta,
      gamma: this.options.gamma,
      deficits: this.deficits,
    });
    return { lower: b.lower, upper: b.upper };
  }

  /** Q(c,e) = (1 - beta) Q(c,e) + beta s(c,e) for each trained pair; other pairs keep their Q. */
  update(scores: ReadonlyArray<{ clientId: string; expert: number; signal: number }>): void {
    const beta = this.options.beta;
    for (const s of scores) {
      if (!Number.isFinite(s.signal) || s.expert < 0 || s.expert >= this.options.experts) continue;
      const row = this.q.get(s.clientId) ?? new Array<number>(this.options.experts).fill(this.options.q0);
      row[s.expert] = (1 - beta) * row[s.expert]! + beta * s.signal;
      this.q.set(s.clientId, row);
    }
  }

  /** d(e) = decay * d(e) + (T - load(e)) / T. */
  recordLoad(load: readonly number[], share: number): void {
    if (!(share > 0)) return;
    this.deficits = this.deficits.map((d, e) => this.options.deficitDecay * d + (share - load[e]!) / share);
  }

  /** Q rows by client and deficits. */
  snapshot(): FitnessSnapshot {
    return { q: Object.fromEntries([...this.q.entries()].map(([id, row]) => [id, [...row]])), deficits: [...this.deficits] };
  }
}
