/**
 * Distances of updates from the global parameters, per parameter group (the backbone, each
 * expert), and the adaptive clipping bound derived from the distances of recent accepted updates.
 *
 * The bound of a group for round t is `clipMultiplier` x the median distance of the updates
 * accepted for it in the last completed round; before any round completed (or after a restart)
 * it is `bootstrapRatio` x the norm of the group's global parameters. It never drops below
 * `FLOOR_RATIO` x that norm, so a round of still clients cannot pin it at zero.
 */
import type { ParamMap } from '@flexmoe/shared';

/** A parameter group: 'backbone' or an expert index. */
export type Group = 'backbone' | number;

/** The group a global tensor belongs to (undefined for the personal gate). */
export function groupOf(name: string): Group | undefined {
  if (name.startsWith('backbone.')) return 'backbone';
  if (name.startsWith('expert.')) return Number(name.split('.')[1]);
  return undefined;
}

/** Tensor names per group, from the global parameters. */
export function groupNames(current: Readonly<ParamMap>): Map<Group, string[]> {
  const names = new Map<Group, string[]>();
  for (const name of Object.keys(current)) {
    const g = groupOf(name);
    if (g === undefined) continue;
    const list = names.get(g) ?? [];
    list.push(name);
    names.set(g, list);
  }
  return names;
}

/** L2 distance between the update's tensors of a group and the global ones. */
export function distance(current: Readonly<ParamMap>, update: Readonly<ParamMap>, names: readonly string[]): number {
  let sum = 0;
  for (const name of names) {
    const g = current[name]!;
    const x = update[name];
    if (!x) throw new Error(`update lacks tensor ${name}`);
    for (let i = 0; i < g.length; i++) {
      const d = x[i]! - g[i]!;
      sum += d * d;
    }
  }
  return Math.sqrt(sum);
}

/** L2 norm of a group's global tensors. */
export function groupNorm(current: Readonly<ParamMap>, names: readonly string[]): number {
  let sum = 0;
  for (const name of names) for (const v of current[name]!) sum += v * v;
  return Math.sqrt(sum);
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const k = s.length;
  return k % 2 === 1 ? s[(k - 1) / 2]! : (s[k / 2 - 1]! + s[k / 2]!) / 2;
}

/** Tuning of the clipping bound and the outlier test (documented defaults in the server CLI). */
export interface NormPolicy {
  /** Bound = this x median accepted distance of the last round (default 3). */
  readonly clipMultiplier: number;
  /** Reject an update whose distance exceeds this x the round's reference distance (default 10). */
  readonly rejectMultiplier: number;
  /** Bound before any history = this x the group's global norm (default 0.5). */
  readonly bootstrapRatio: number;
}

/** The lowest bound, as a fraction of the group's global norm. */
export const FLOOR_RATIO = 1e-3;

/** Median accepted distance per group of the last completed round; kept by the coordinator. */
export class NormHistory {
  private readonly medians = new Map<Group, number>();

  constructor(readonly policy: NormPolicy) {}

  /** The previous round's median accepted distance of a group, if any. */
  last(group: Group): number | undefined {
    return this.medians.get(group);
  }

  /** The clipping bound of a group whose global norm is `norm`. */
  bound(group: Group, norm: number): number {
    const last = this.medians.get(group);
    const raw = last === undefined ? this.policy.bootstrapRatio * norm : this.policy.clipMultiplier * last;
    return Math.max(raw, FLOOR_RATIO * norm, Number.MIN_VALUE);
  }

  /** Records the accepted distances of a completed round (groups nobody trained keep theirs). */
  record(accepted: ReadonlyMap<Group, readonly number[]>): void {
    // A round in which a group did not move says nothing about the scale of its updates.
    for (const [g, ds] of accepted) if (ds.length > 0 && median(ds) > 0) this.medians.set(g, median(ds));
  }

  /** Forgets everything (after a rollback the scale of the poisoned rounds is meaningless). */
  reset(): void {
    this.medians.clear();
  }
}
