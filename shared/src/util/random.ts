/**
 * Seeded randomness for everything in the data layer. `Math.random` is never used: the same seed
 * must give the same split, partition and shuffle on every machine.
 */
import { Mulberry32 } from '../util/mulberry32';

/** Mixes a 32-bit seed and a stream label into a well-spread 32-bit state (FNV-1a + avalanche). */
function mixSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  }
  h ^= Math.floor(seed / 0x100000000) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seeded generator of the data layer, with the samplers partitioning needs. */
export class SeededRandom extends Mulberry32 {
  /** `stream` separates independent uses of one seed (e.g. `'split'` vs `'partition'`). */
  constructor(seed: number, stream = '') {
    super(mixSeed(seed, stream));
  }

  /** Gamma(shape, 1) sample (Marsaglia-Tsang; shape < 1 via the u^(1/shape) boost). */
  gamma(shape: number): number {
    if (shape < 1) {
      const u = 1 - this.next();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Dirichlet(alpha, ..., alpha) sample of the given dimension, via normalised Gamma draws. */
  dirichlet(alpha: number, dim: number): number[] {
    const draws = Array.from({ length: dim }, () => this.gamma(alpha));
    const sum = draws.reduce((a, b) => a + b, 0);
    // Tiny alpha can underflow every draw to 0: fall back to one-hot on a random component.
    if (!(sum > 0)) {
      const hot = this.int(dim);
      return draws.map((_, i) => (i === hot ? 1 : 0));
    }
    return draws.map((g) => g / sum);
  }
}

/** Fisher-Yates shuffle of a copy of `items`, seeded. */
export function seededShuffle<T>(items: readonly T[], seed: number, stream = 'shuffle'): T[] {
  return shuffleInPlace(items.slice(), new SeededRandom(seed, stream));
}

/** Fisher-Yates shuffle in place with the given generator; returns the same (plain or typed) array. */
export function shuffleInPlace<A extends { length: number; [index: number]: unknown }>(items: A, rng: SeededRandom): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** `[0, 1, ..., n-1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
