/**
 * mulberry32: a small, fast 32-bit pseudo-random generator. FlexMoE never uses `Math.random`:
 * the same seed must give the same split, partition, tie-break and shuffle on every machine.
 * Subclasses decide how a seed becomes the initial state.
 */
export class Mulberry32 {
  private state: number;

  /** `state` is the already-mixed 32-bit initial state. */
  constructor(state: number) {
    this.state = state >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** A seeded uniform [0, 1) source as a plain function (state `seed >>> 0`, no seed mixing). */
export function seededUniform(seed: number): () => number {
  const generator = new Mulberry32(seed);
  return () => generator.next();
}
