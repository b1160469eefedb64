/**
 * What a simulated client sends instead of the result of real training: the downloaded weights
 * nudged by a cheap deterministic perturbation, and per-expert statistics that are plausible
 * (usage sums to n_c x r, accuracies in [0, 1], loss = -ln(accuracy)) and differ between clients
 * and experts, so that the fitness matrix and the solver see a non-trivial problem.
 */
import type { ExpertStats, Metrics } from '@flexmoe/proto';

/** 32-bit FNV-1a of a string mixed with a number: a stable per-(client, round, ...) seed. */
export function mixHash(text: string, n: number): number {
  let h = 0x811c9dc5 ^ (n >>> 0);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * Writes `base` plus `scale` x a deterministic pseudo-random value in [-0.5, 0.5) per weight into
 * `out` (may be `base` itself): an xorshift stream seeded by `seed`, a few ns per value, and the
 * same inputs always give the same update.
 */
export function perturbInto(out: Float32Array, base: Float32Array, seed: number, scale: number): void {
  let s = seed | 1;
  for (let i = 0; i < base.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = base[i]! + scale * ((s >>> 0) / 4294967296 - 0.5);
  }
}

/** `perturbInto` in place. */
export function perturbInPlace(values: Float32Array, seed: number, scale: number): void {
  perturbInto(values, values, seed, scale);
}

/**
 * A perturbed copy of `base` written into `reuse` when it has the right length (a session's
 * buffer from its previous round: fresh memory costs page faults and GC), else a new array.
 * `base` (possibly shared by every session) stays untouched.
 */
export function perturbedCopy(base: Float32Array, seed: number, scale: number, reuse?: Float32Array): Float32Array {
  const out = reuse?.length === base.length ? reuse : new Float32Array(base.length);
  perturbInto(out, base, seed, scale);
  return out;
}

/** Accuracy the simulated client "reaches" on expert e: a fixed affinity per (client, expert). */
export function expertAccuracy(clientId: string, expert: number): number {
  return 0.3 + 0.65 * (mixHash(clientId, expert + 1) / 4294967296);
}

/**
 * Per-expert statistics for a task: each of n samples goes to r of the k assigned experts, split
 * evenly (remainder to the first experts), so sum(usage) = n x r and usage <= n.
 */
export function expertStats(clientId: string, experts: readonly number[], samples: number, topK: number): ExpertStats[] {
  const routed = samples * Math.max(1, Math.min(topK, experts.length));
  const base = Math.floor(routed / experts.length);
  const extra = routed - base * experts.length;
  return experts.map((expert, i) => {
    const accuracy = expertAccuracy(clientId, expert);
    return { expert, usage: Math.min(samples, base + (i < extra ? 1 : 0)), accuracy, loss: -Math.log(accuracy) };
  });
}

/** Train / test metrics consistent with the expert statistics (usage-weighted means). */
export function summaryMetrics(stats: readonly ExpertStats[], samples: number): Metrics {
  const total = stats.reduce((s, e) => s + (e.usage ?? 0), 0);
  const acc = total > 0 ? stats.reduce((s, e) => s + Number(e.accuracy ?? 0) * (e.usage ?? 0), 0) / total : 0;
  return { accuracy: acc, loss: -Math.log(Math.max(1e-6, acc)), numSamples: samples };
}
