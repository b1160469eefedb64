/**
 * Aggregation of one round (SPEC section 1, step 4): the backbone is the n_c-weighted mean over
 * reporting clients; expert e is the mean over the clients that trained it, weighted by routed
 * usage u_{c,e} ("usage", default) or by n_c ("samples"). An expert nobody trained keeps its
 * value. The gate never arrives here: it is personal.
 */
import type { ParamMap } from '@flexmoe/shared';
import type { ClientUpdate } from '../rounds/types';

/** How expert updates are weighted. */
export type ExpertWeighting = 'usage' | 'samples';

/** Result of aggregation: new global parameters and which experts changed. */
export interface AggregationResult {
  readonly params: ParamMap;
  /** Experts that at least one reporting client trained. */
  readonly trainedExperts: number[];
}

/**
 * Weighted mean of `tensors` with `weights`; equal weights when they sum to zero (e.g. an expert
 * no sample was routed to: its trainers' copies are averaged plainly).
 */
export function weightedMean(tensors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const w = total > 0 ? weights.map((x) => x / total) : weights.map(() => 1 / weights.length);
  const out = new Float64Array(tensors[0]!.length);
  tensors.forEach((t, k) => {
    const wk = w[k]!;
    for (let i = 0; i < out.length; i++) out[i] += wk * t[i]!;
  });
  return Float32Array.from(out);
}

/** Aggregates validated updates into new global parameters (the input is not modified). */
export function aggregate(current: Readonly<ParamMap>, updates: readonly ClientUpdate[], experts: number, weighting: ExpertWeighting): AggregationResult {
  const params: ParamMap = { ...current };
  if (updates.length === 0) return { params, trainedExperts: [] };
  for (const name of Object.keys(current).filter((n) => n.startsWith('backbone.'))) {
    params[name] = weightedMean(
      updates.map((u) => u.params[name]!),
      updates.map((u) => u.samples),
    );
  }
  const trained: number[] = [];
  for (let e = 0; e < experts; e++) {
    const trainers = updates.filter((u) => u.experts.some((r) => r.expert === e));
    if (trainers.length === 0) continue;
    trained.push(e);
    const weights = trainers.map((u) => (weighting === 'usage' ? u.experts.find((r) => r.expert === e)!.usage : u.samples));
    for (const name of Object.keys(current).filter((n) => n.startsWith(`expert.${e}.`))) {
      params[name] = weightedMean(
        trainers.map((u) => u.params[name]!),
        weights,
      );
    }
  }
  return { params, trainedExperts: trained };
}
