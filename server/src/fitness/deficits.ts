/**
 * Historical load deficits: d(e) = sum over past rounds of (T_t - load_t(e)) / T_t, decayed by a
 * factor per round. A positive d(e) means e carried less than its share, so its bounds rise.
 */
import { FileFormatError, InvalidArgumentError } from '@flexmoe/shared';

/** Plain-JSON form for checkpoints. */
export interface DeficitJSON {
  readonly decay: number;
  readonly deficits: number[];
}

/** d(e) per expert with per-round decay. */
export class DeficitTracker {
  private values: number[];

  /** `decay` (default 0.9) multiplies the old deficits before each round's term is added. */
  constructor(
    readonly experts: number,
    readonly decay = 0.9,
  ) {
    if (!Number.isInteger(experts) || experts < 1) throw new InvalidArgumentError(`experts must be an integer >= 1 (got ${experts})`);
    if (!(decay >= 0 && decay <= 1)) throw new InvalidArgumentError(`deficit decay must be in [0, 1] (got ${decay})`);
    this.values = new Array<number>(experts).fill(0);
  }

  /** Current d(e); a copy. */
  get deficits(): number[] {
    return [...this.values];
  }

  /** Adds one round: d = decay * d + (T - load) / T, with T the mean load. */
  record(load: readonly number[]): void {
    if (load.length !== this.experts || !load.every((l) => Number.isFinite(l) && l >= 0)) {
      throw new InvalidArgumentError(`deficit update needs ${this.experts} finite loads >= 0`);
    }
    const share = load.reduce((a, b) => a + b, 0) / this.experts;
    if (share <= 0) return;
    this.values = this.values.map((d, e) => this.decay * d + (share - load[e]) / share);
  }

  /** Plain JSON for the checkpoint (`JSON.stringify` calls this). */
  toJSON(): DeficitJSON {
    return { decay: this.decay, deficits: this.deficits };
  }

  /** Restores a checkpoint; throws `FileFormatError` naming the bad field. */
  static fromJSON(json: unknown): DeficitTracker {
    const j = (json ?? {}) as Partial<DeficitJSON>;
    if (!Array.isArray(j.deficits) || j.deficits.length === 0 || !j.deficits.every((d) => typeof d === 'number' && Number.isFinite(d))) {
      throw new FileFormatError('deficits: deficits must be a non-empty array of finite numbers');
    }
    let tracker: DeficitTracker;
    try {
      tracker = new DeficitTracker(j.deficits.length, j.decay);
    } catch (err) {
      throw new FileFormatError(`deficits: ${(err as Error).message}`, { cause: err });
    }
    tracker.values = [...j.deficits];
    return tracker;
  }
}
