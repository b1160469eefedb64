/**
 * The baseline assignments the experiments compare against: greedy top-k (ignores balance),
 * uniform random k_c experts, and dense (every client holds every expert).
 */
import type { Instance } from './instance';
import { mixSeeds, Rng } from './rng';

/** Each client takes its top k_c experts by (jittered) Q. */
export function greedyAssignment(inst: Instance): number[][] {
  const { clients: C, experts: E, q, capacity } = inst;
  const out: number[][] = [];
  for (let c = 0; c < C; c++) {
    const order = Array.from({ length: E }, (_, e) => e).sort((a, b) => q[c * E + b] - q[c * E + a] || a - b);
    out.push(order.slice(0, capacity[c]).sort((a, b) => a - b));
  }
  return out;
}

/** Each client takes k_c experts uniformly at random (seeded by seed and round). */
export function randomAssignment(inst: Instance, seed: number, round: number): number[][] {
  const rng = new Rng(mixSeeds(seed, round, 0x5eed));
  return Array.from({ length: inst.clients }, (_, c) => rng.sample(inst.experts, inst.capacity[c]));
}

/** Every client holds all E experts (the capacity-free reference). */
export function denseAssignment(inst: Instance): number[][] {
  const all = Array.from({ length: inst.experts }, (_, e) => e);
  return Array.from({ length: inst.clients }, () => [...all]);
}
