import { Mulberry32 } from '@flexmoe/shared';

/** A seeded generator (mulberry32) so ties, baselines and generated instances are reproducible. */

/** Mixes integers into one well-spread 32-bit seed. */
export function mixSeeds(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h = Math.imul(h ^ Math.floor(p / 0x100000000), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  }
  return (h ^ (h >>> 13)) >>> 0;
}

/** The solver's seeded generator (ties, baselines, generated instances). */
export class Rng extends Mulberry32 {
  constructor(seed: number) {
    super(mixSeeds(seed));
  }

  /** k distinct integers from [0, n), ascending. */
  sample(n: number, k: number): number[] {
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, k).sort((a, b) => a - b);
  }
}
