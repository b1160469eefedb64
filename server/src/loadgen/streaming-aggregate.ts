/**
 * Prototype of streaming aggregation for the coordinator: the same result as
 * `aggregation/aggregate.ts` (backbone weighted by n_c, expert e by u_{c,e} or n_c over the
 * clients that trained it, equal weights when they sum to zero, untrained experts unchanged), but
 * each update is folded into running float64 sums as it arrives and can be dropped at once, so
 * a round holds O(model) memory instead of O(clients x model). Measured in the scale benchmark
 * against holding every update; see docs/scale.md for how the round engine would use it.
 */
import type { ParamMap } from '@flexmoe/shared/dist/src/model/params';
import type { AggregationResult, ExpertWeighting } from '../aggregation/aggregate';
import type { ClientUpdate } from '../rounds/types';

/** The parts of an update aggregation reads. */
export type AggregatableUpdate = Pick<ClientUpdate, 'samples' | 'experts' | 'params'>;

interface Accumulator {
  /** sum_k w_k x_k */
  readonly weighted: Float64Array;
  /** sum_k x_k, for the equal-weights fallback when sum_k w_k = 0 */
  readonly plain: Float64Array;
}

/** Folds updates into running sums; `result()` gives the new global parameters. */
export class StreamingAggregator {
  private readonly sums = new Map<string, Accumulator>();
  /** Group ('backbone' or expert index) -> [total weight, contributors]. */
  private readonly totals = new Map<string | number, [number, number]>();
  private count = 0;

  constructor(
    private readonly current: Readonly<ParamMap>,
    private readonly experts: number,
    private readonly weighting: ExpertWeighting,
  ) {}

  /** Updates folded in so far. */
  get updates(): number {
    return this.count;
  }

  /** Folds one validated update in; the caller may drop it afterwards. */
  add(u: AggregatableUpdate): void {
    this.count++;
    this.addGroup('backbone', 'backbone.', u.samples, u.params);
    for (const r of u.experts) {
      const w = this.weighting === 'usage' ? r.usage : u.samples;
      this.addGroup(r.expert, `expert.${r.expert}.`, w, u.params);
    }
  }

  private addGroup(group: string | number, prefix: string, weight: number, params: Readonly<ParamMap>): void {
    const t = this.totals.get(group) ?? [0, 0];
    this.totals.set(group, [t[0] + weight, t[1] + 1]);
    for (const name of Object.keys(this.current)) {
      if (!name.startsWith(prefix)) continue;
      const x = params[name];
      if (!x) throw new Error(`update lacks tensor ${name}`);
      let acc = this.sums.get(name);
      if (!acc) {
        acc = { weighted: new Float64Array(x.length), plain: new Float64Array(x.length) };
        this.sums.set(name, acc);
      }
      const { weighted, plain } = acc;
      for (let i = 0; i < x.length; i++) {
        weighted[i] += weight * x[i]!;
        plain[i] += x[i]!;
      }
    }
  }

  /** The aggregated parameters (the current ones where nobody contributed). */
  result(): AggregationResult {
    const params: ParamMap = { ...this.current };
    const trained: number[] = [];
    for (const [name, acc] of this.sums) {
      const group = name.startsWith('backbone.') ? 'backbone' : Number(name.split('.')[1]);
      const [total, n] = this.totals.get(group)!;
      const out = new Float32Array(acc.weighted.length);
      for (let i = 0; i < out.length; i++) out[i] = total > 0 ? acc.weighted[i]! / total : acc.plain[i]! / n;
      params[name] = out;
    }
    for (let e = 0; e < this.experts; e++) if (this.totals.has(e)) trained.push(e);
    return { params, trainedExperts: trained };
  }
}
