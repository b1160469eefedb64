/**
 * A mutable assignment with its loads, kept consistent under single moves (client c swaps one of
 * its experts for another). Shared by the repair and improvement passes.
 */
import type { Instance } from './instance';

/** X as per-client expert lists plus a membership table and the expert loads. */
export class AssignmentState {
  /** Experts of client c live in `experts[start[c] .. start[c] + k_c)`. */
  readonly start: Int32Array;
  readonly experts: Int32Array;
  /** has[c * E + e] = 1 when client c holds expert e. */
  readonly has: Uint8Array;
  readonly load: Float64Array;

  constructor(
    readonly inst: Instance,
    choose: (c: number) => ArrayLike<number>,
  ) {
    const { clients: C, experts: E, capacity, samples } = inst;
    this.start = new Int32Array(C + 1);
    for (let c = 0; c < C; c++) this.start[c + 1] = this.start[c] + capacity[c];
    this.experts = new Int32Array(this.start[C]);
    this.has = new Uint8Array(C * E);
    this.load = new Float64Array(E);
    for (let c = 0; c < C; c++) {
      const chosen = choose(c);
      for (let i = 0; i < capacity[c]; i++) {
        const e = chosen[i];
        this.experts[this.start[c] + i] = e;
        this.has[c * E + e] = 1;
        this.load[e] += samples[c];
      }
    }
  }

  /** A copy of the assignment part (experts, membership, loads) to restore later. */
  save(): { experts: Int32Array; has: Uint8Array; load: Float64Array } {
    return { experts: this.experts.slice(), has: this.has.slice(), load: this.load.slice() };
  }

  /** Goes back to a `save()`d assignment. */
  restore(saved: { experts: Int32Array; has: Uint8Array; load: Float64Array }): void {
    this.experts.set(saved.experts);
    this.has.set(saved.has);
    this.load.set(saved.load);
  }

  /** Client c gives up expert `from` (held) for `to` (not held). */
  move(c: number, from: number, to: number): void {
    const E = this.inst.experts;
    for (let i = this.start[c]; i < this.start[c + 1]; i++) {
      if (this.experts[i] === from) {
        this.experts[i] = to;
        break;
      }
    }
    this.has[c * E + from] = 0;
    this.has[c * E + to] = 1;
    this.load[from] -= this.inst.samples[c];
    this.load[to] += this.inst.samples[c];
  }

  /** Bound violation of expert e at load l, in samples. */
  violationAt(e: number, l: number): number {
    const { lower, upper } = this.inst;
    return l > upper[e] ? l - upper[e] : l < lower[e] ? lower[e] - l : 0;
  }

  /** Violation removed by moving n samples from expert a to expert b (> 0 is an improvement; n may be < 0). */
  relief(a: number, b: number, n: number): number {
    const la = this.load[a];
    const lb = this.load[b];
    return this.violationAt(a, la) + this.violationAt(b, lb) - this.violationAt(a, la - n) - this.violationAt(b, lb + n);
  }

  /** Total bound violation in samples. */
  violation(): number {
    let total = 0;
    for (let e = 0; e < this.load.length; e++) total += this.violationAt(e, this.load[e]);
    return total;
  }

  /** Objective on the given fitness (jittered for search, raw for reporting). */
  objective(q: Float64Array): number {
    const E = this.inst.experts;
    let total = 0;
    for (let c = 0; c < this.inst.clients; c++) {
      for (let i = this.start[c]; i < this.start[c + 1]; i++) total += q[c * E + this.experts[i]];
    }
    return total;
  }

  /** The assignment as sorted expert-id lists. */
  toLists(): number[][] {
    const out: number[][] = [];
    for (let c = 0; c < this.inst.clients; c++) {
      out.push(Array.from(this.experts.subarray(this.start[c], this.start[c + 1])).sort((a, b) => a - b));
    }
    return out;
  }
}
