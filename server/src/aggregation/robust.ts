/**
 * Robust aggregation of one round. Each update's distance from the global parameters is measured
 * per group (backbone, each expert it trained) as it arrives. Under FedAvg an update within every
 * group's bound is folded into running sums at once (O(model) memory for an honest round); an
 * update beyond a bound is held until the round closes, then either rejected as an outlier (its
 * distance exceeds `rejectMultiplier` x the round's reference distance) or clipped to the bound
 * and folded. Median and trimmed mean hold every update (O(clients x model)) and combine the
 * clipped tensors coordinate-wise per group.
 */
import type { ParamMap } from '@flexmoe/shared';
import type { ExpertWeighting } from './aggregate';
import { distance, groupNames, groupNorm, median, type Group, type NormHistory } from './norms';
import { coordinateWise, type AggregationRule } from './rules';
import { StreamingAggregator, type AggregatableUpdate } from './streaming';

/** An update as the aggregator takes it. */
export type RobustUpdate = AggregatableUpdate & { readonly clientId: string };

/** What a closed round aggregates to. */
export interface RobustResult {
  readonly params: ParamMap;
  /** Updates refused as outliers, with the reason. */
  readonly rejected: ReadonlyArray<{ readonly clientId: string; readonly reason: string }>;
  /** Clients whose update was scaled down to the bound in at least one group. */
  readonly clipped: readonly string[];
  /** Distances of the accepted updates per group, after clipping (the next round's bound comes from them). */
  readonly accepted: ReadonlyMap<Group, number[]>;
}

interface Seen {
  readonly update: RobustUpdate;
  readonly distances: ReadonlyMap<Group, number>;
  /** Kept until the round closes (beyond a bound, or a rule that needs every update). */
  readonly held: boolean;
}

/** Aggregates one round robustly; create one per round attempt. */
export class RobustAggregator {
  private readonly names: Map<Group, string[]>;
  private readonly bounds = new Map<Group, number>();
  private readonly seen: Seen[] = [];
  private readonly streaming: StreamingAggregator;

  constructor(
    private readonly current: Readonly<ParamMap>,
    experts: number,
    private readonly rule: AggregationRule,
    weighting: ExpertWeighting,
    private readonly history: NormHistory,
  ) {
    this.names = groupNames(current);
    for (const [g, names] of this.names) this.bounds.set(g, history.bound(g, groupNorm(current, names)));
    this.streaming = new StreamingAggregator(current, experts, weighting);
  }

  /** The clipping bound of a group this round. */
  bound(group: Group): number {
    return this.bounds.get(group)!;
  }

  /**
   * Measures an update and folds it in or holds it; the caller may drop its copy. A malformed
   * update throws `InvalidArgumentError` here, before anything is recorded, not when the round closes.
   */
  add(u: RobustUpdate): void {
    this.streaming.check(u);
    const distances = new Map<Group, number>();
    for (const g of groupsOf(u)) distances.set(g, distance(this.current, u.params, this.names.get(g) ?? []));
    const within = [...distances].every(([g, d]) => d <= this.bound(g));
    const held = this.rule.kind !== 'fedavg' || !within;
    if (!held) this.streaming.add(u);
    this.seen.push({ update: held ? u : { ...u, params: {} }, distances, held });
  }

  /** Decides on held updates and returns the new global parameters. */
  result(): RobustResult {
    const reference = this.references();
    const rejected: { clientId: string; reason: string }[] = [];
    const clipped: string[] = [];
    const acceptedDistances = new Map<Group, number[]>();
    const keep: RobustUpdate[] = [];
    for (const s of this.seen) {
      const reason = s.held ? this.outlierReason(s, reference) : undefined;
      if (reason) {
        rejected.push({ clientId: s.update.clientId, reason });
        continue;
      }
      // The next bound comes from what was let through (clipped), so a lone attacker cannot raise it.
      for (const [g, d] of s.distances) acceptedDistances.set(g, [...(acceptedDistances.get(g) ?? []), Math.min(d, this.bound(g))]);
      if (!s.held) continue;
      const c = this.clip(s);
      if (c.scaled) clipped.push(s.update.clientId);
      keep.push(c.update);
    }
    const params = this.rule.kind === 'fedavg' ? this.foldAll(keep) : this.coordinateWise(keep);
    return { params, rejected, clipped, accepted: acceptedDistances };
  }

  /**
   * Per group: the round's median distance; with fewer than three contributors and some history,
   * at most the bound (so one attacker alone, or one of two, on an expert cannot set it).
   */
  private references(): Map<Group, number> {
    const all = new Map<Group, number[]>();
    for (const s of this.seen) for (const [g, d] of s.distances) all.set(g, [...(all.get(g) ?? []), d]);
    const out = new Map<Group, number>();
    for (const [g, ds] of all) {
      const m = median(ds);
      out.set(g, ds.length < 3 && this.history.last(g) !== undefined ? Math.min(m, this.bound(g)) : m);
    }
    return out;
  }

  private outlierReason(s: Seen, reference: ReadonlyMap<Group, number>): string | undefined {
    const k = this.history.policy.rejectMultiplier;
    for (const [g, d] of s.distances) {
      const r = reference.get(g)!;
      if (d > this.bound(g) && d > k * r) {
        const what = g === 'backbone' ? 'backbone' : `expert ${g}`;
        return `rejected: outlier: ${what} moved ${d.toPrecision(3)} from the global parameters, over ${k} x the round's reference ${r.toPrecision(3)}`;
      }
    }
    return undefined;
  }

  /** Scales each group beyond its bound back onto it: g + (bound / d) (x - g). */
  private clip(s: Seen): { update: RobustUpdate; scaled: boolean } {
    const params: ParamMap = { ...s.update.params };
    let scaled = false;
    for (const [g, d] of s.distances) {
      const b = this.bound(g);
      if (d <= b) continue;
      scaled = true;
      const f = b / d;
      for (const name of this.names.get(g) ?? []) {
        const base = this.current[name]!;
        const x = params[name]!;
        params[name] = Float32Array.from(x, (v, i) => base[i]! + f * (v - base[i]!));
      }
    }
    return { update: { ...s.update, params }, scaled };
  }

  private foldAll(keep: readonly RobustUpdate[]): ParamMap {
    for (const u of keep) this.streaming.add(u);
    return this.streaming.result().params;
  }

  private coordinateWise(keep: readonly RobustUpdate[]): ParamMap {
    const params: ParamMap = { ...this.current };
    const fraction = this.rule.kind === 'trimmed-mean' ? this.rule.fraction : undefined;
    for (const [g, names] of this.names) {
      const trainers = keep.filter((u) => g === 'backbone' || u.experts.some((r) => r.expert === g));
      if (trainers.length === 0) continue;
      for (const name of names)
        params[name] = coordinateWise(
          trainers.map((u) => u.params[name]!),
          fraction,
        );
    }
    return params;
  }
}

function groupsOf(u: AggregatableUpdate): Group[] {
  return ['backbone', ...u.experts.map((r) => r.expert)];
}
