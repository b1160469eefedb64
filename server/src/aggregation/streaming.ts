/**
 * Streaming aggregation, as the round engine runs it: the same result as `aggregate.ts`
 * (backbone weighted by n_c, expert e by u_{c,e} or n_c over the clients that trained it, equal
 * weights when they sum to zero, untrained experts unchanged), but each update is folded into
 * running float64 sums as it arrives and can be dropped at once, so a round holds O(model)
 * memory instead of O(clients x model).
 */
import { InvalidArgumentError, type ParamMap } from '@flexmoe/shared';
import type { AggregationResult, ExpertWeighting } from './aggregate';
import type { ClientUpdate } from '../rounds/types';
import { groupOf } from './norms';

/** The parts of an update aggregation reads. */
export type AggregatableUpdate = Pick<ClientUpdate, 'samples' | 'experts' | 'params'>;

/** Running sums of one group (the backbone or one expert). */
interface GroupSums {
  totalWeight: number;
  contributors: number;
  /** sum_k w_k x_k per tensor name */
  readonly weighted: Map<string, Float64Array>;
  /**
   * sum_k x_k per tensor name, for the equal-weights fallback; kept only while every weight so
   * far was zero (weights are non-negative, so one positive weight makes it unnecessary).
   */
  plain: Map<string, Float64Array> | undefined;
}

/** Folds updates into running sums; `result()` gives the new global parameters. */
export class StreamingAggregator {
  private readonly groups = new Map<string | number, GroupSums>();
  /** Tensor names per group, from the current parameters. */
  private readonly names = new Map<string | number, string[]>();
  private count = 0;

  constructor(
    private readonly current: Readonly<ParamMap>,
    private readonly experts: number,
    private readonly weighting: ExpertWeighting,
  ) {
    for (const name of Object.keys(current)) {
      const group = groupOf(name);
      if (group === undefined) continue;
      const list = this.names.get(group) ?? [];
      list.push(name);
      this.names.set(group, list);
    }
  }

  /** Updates folded in so far. */
  get updates(): number {
    return this.count;
  }

  /**
   * Folds one update in; the caller may drop it afterwards. The whole update is checked first
   * (every tensor of the backbone and of each reported expert present and of the global length,
   * experts in range and reported once, weights finite and >= 0): a malformed one throws
   * `InvalidArgumentError` before any running sum moves, so what was folded before stands.
   */
  add(u: AggregatableUpdate): void {
    const parts = this.check(u);
    this.count++;
    for (const [group, weight] of parts) this.addGroup(group, weight, u.params);
  }

  /**
   * Checks an update as `add` would, without folding it (for callers that hold an update before
   * folding it); returns the groups it contributes to, with their weights.
   */
  check(u: AggregatableUpdate): Array<[group: string | number, weight: number]> {
    const parts: Array<[string | number, number]> = [['backbone', u.samples]];
    const seen = new Set<number>();
    for (const r of u.experts) {
      if (!Number.isInteger(r.expert) || r.expert < 0 || r.expert >= this.experts) {
        throw new InvalidArgumentError(`update reports expert ${r.expert}, outside 0..${this.experts - 1}`);
      }
      if (seen.has(r.expert)) throw new InvalidArgumentError(`update reports expert ${r.expert} twice`);
      seen.add(r.expert);
      parts.push([r.expert, this.weighting === 'usage' ? r.usage : u.samples]);
    }
    for (const [group, weight] of parts) this.checkGroup(group, weight, u.params);
    return parts;
  }

  private checkGroup(group: string | number, weight: number, params: Readonly<ParamMap>): void {
    const what = group === 'backbone' ? 'backbone' : `expert ${group}`;
    if (!Number.isFinite(weight) || weight < 0) throw new InvalidArgumentError(`update's ${what} weight must be finite and >= 0 (got ${weight})`);
    for (const name of this.names.get(group) ?? []) {
      const x = params[name];
      if (!x) throw new InvalidArgumentError(`update lacks tensor ${name}`);
      const want = this.current[name]!.length;
      if (x.length !== want) throw new InvalidArgumentError(`update tensor ${name} has length ${x.length}, the global one ${want}`);
    }
  }

  /** Folds a group of an update that `checkGroup` accepted. */
  private addGroup(group: string | number, weight: number, params: Readonly<ParamMap>): void {
    let g = this.groups.get(group);
    if (!g) {
      g = { totalWeight: 0, contributors: 0, weighted: new Map(), plain: new Map() };
      this.groups.set(group, g);
    }
    g.totalWeight += weight;
    g.contributors++;
    if (g.totalWeight > 0) g.plain = undefined;
    for (const name of this.names.get(group) ?? []) {
      const x = params[name]!;
      accumulate(g.weighted, name, x, weight);
      if (g.plain) accumulate(g.plain, name, x, 1);
    }
  }

  /** The aggregated parameters (the current ones where nobody contributed). */
  result(): AggregationResult {
    const params: ParamMap = { ...this.current };
    for (const g of this.groups.values()) {
      const useWeights = g.totalWeight > 0;
      const sums = useWeights ? g.weighted : g.plain!;
      const divisor = useWeights ? g.totalWeight : g.contributors;
      for (const [name, sum] of sums) {
        const out = new Float32Array(sum.length);
        for (let i = 0; i < out.length; i++) out[i] = sum[i]! / divisor;
        params[name] = out;
      }
    }
    const trained: number[] = [];
    for (let e = 0; e < this.experts; e++) if (this.groups.has(e)) trained.push(e);
    return { params, trainedExperts: trained };
  }
}

function accumulate(sums: Map<string, Float64Array>, name: string, x: Float32Array, weight: number): void {
  let acc = sums.get(name);
  if (!acc) {
    acc = new Float64Array(x.length);
    sums.set(name, acc);
  }
  foldInto(acc, x, weight);
}

/** acc += weight * x, unrolled by four (same per-element arithmetic, fewer loop checks). */
function foldInto(acc: Float64Array, x: Float32Array, weight: number): void {
  const n = x.length;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    acc[i] += weight * x[i]!;
    acc[i + 1] += weight * x[i + 1]!;
    acc[i + 2] += weight * x[i + 2]!;
    acc[i + 3] += weight * x[i + 3]!;
  }
  for (; i < n; i++) acc[i] += weight * x[i]!;
}
