/**
 * Realistic random assignment problems for tests and benchmarks: skewed data sizes (log-normal
 * n_c), clustered fitness (clients of a cluster like the same few experts, clusters of Zipf-skewed
 * size, so popular experts are wanted by many) and mixed capacities.
 */
import { Rng } from './rng';
import type { AssignmentProblem } from './types';

/** Shape of a generated problem. */
export interface GeneratorOptions {
  readonly clients: number;
  readonly experts: number;
  readonly seed: number;
  /** Capacities are drawn uniformly from 1..maxCapacity (capped at E; default 4). */
  readonly maxCapacity?: number;
  /** Median n_c (default 600); log-normal with sigma 1. */
  readonly medianSamples?: number;
}

/** A seeded problem with skewed n_c and clustered Q in [0, 1]. */
export function generateProblem(o: GeneratorOptions): AssignmentProblem {
  const rng = new Rng(o.seed);
  const E = o.experts;
  const clusters = Math.max(2, Math.round(E / 4));
  const favourites = Array.from({ length: clusters }, () => rng.sample(E, Math.min(E, 3)));
  const clusterWeight = Array.from({ length: clusters }, (_, g) => 1 / (g + 1));
  const totalWeight = clusterWeight.reduce((a, b) => a + b, 0);
  const maxK = Math.min(E, o.maxCapacity ?? 4);
  const clients = [];
  const q: number[][] = [];
  for (let c = 0; c < o.clients; c++) {
    const g = pickWeighted(rng, clusterWeight, totalWeight);
    const samples = Math.max(10, Math.round((o.medianSamples ?? 600) * Math.exp(rng.normal())));
    clients.push({ id: `client-${c}`, samples, capacity: 1 + rng.int(maxK) });
    q.push(
      Array.from({ length: E }, (_, e) => {
        const base = favourites[g].includes(e) ? 0.75 : 0.35;
        return Math.min(1, Math.max(0, base + 0.12 * rng.normal()));
      }),
    );
  }
  return { clients, experts: E, q, round: 0, seed: o.seed };
}

function pickWeighted(rng: Rng, weights: number[], total: number): number {
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}
