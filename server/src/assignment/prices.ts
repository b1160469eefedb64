/**
 * Expert prices for the Lagrangian relaxation of the load bounds. Each step clears one expert's
 * market exactly: given the other prices, it moves p_e to where the load of the clients choosing e
 * crosses U(e) (price up) or L(e) (price down), which is the exact minimiser of the dual along p_e.
 * Sweeps of these steps converge quickly at scale, where the dual is nearly smooth.
 */
import type { Instance } from './instance';
import type { Ranking } from './ranking';
import { crossingValue } from './select';

/** Scratch buffers and limits for the price steps of one instance. */
export class PriceStepper {
  private readonly breakpoints: Float64Array;
  private readonly weights: Float64Array;
  /** |p_e| never exceeds this: beyond it no client's choice changes, so only infeasible bounds would push further. */
  readonly cap: number;

  constructor(
    private readonly inst: Instance,
    private readonly ranking: Ranking,
  ) {
    this.breakpoints = new Float64Array(inst.clients);
    this.weights = new Float64Array(inst.clients);
    this.cap = priceCap(inst);
  }

  /** Clears expert e's market; returns the absolute price change. */
  clear(e: number): number {
    const { lower, upper } = this.inst;
    const { len, fixed, positive: atZero } = this.ranking.breakpoints(e, this.breakpoints, this.weights);
    const old = this.ranking.prices[e];
    let price = 0;
    if (fixed + atZero > upper[e]) {
      // The crossing lies among the positive breakpoints; the rest cannot matter.
      const n = this.keep(len, true);
      const b = crossingValue(this.breakpoints, this.weights, n, upper[e] - fixed, false);
      price = Number.isNaN(b) ? this.cap : Math.min(this.cap, b + nudge(b));
    } else if (fixed + atZero < lower[e]) {
      const n = this.keep(len, false);
      const b = crossingValue(this.breakpoints, this.weights, n, lower[e] - fixed - atZero, true);
      price = Number.isNaN(b) ? -this.cap : Math.max(-this.cap, Math.min(0, b - nudge(b)));
    }
    if (price !== old) this.ranking.setPrice(e, price);
    return Math.abs(price - old);
  }

  /** Compacts the breakpoints to the positive ones (or the others); returns how many remain. */
  private keep(len: number, positive: boolean): number {
    const { breakpoints: b, weights: w } = this;
    let n = 0;
    for (let i = 0; i < len; i++) {
      if (b[i] > 0 === positive) {
        b[n] = b[i];
        w[n++] = w[i];
      }
    }
    return n;
  }

  /** One Gauss-Seidel sweep over all experts; returns the largest price change. */
  sweep(): number {
    let largest = 0;
    for (let e = 0; e < this.inst.experts; e++) largest = Math.max(largest, this.clear(e));
    this.ranking.recomputeLoad();
    return largest;
  }
}

/** A step just past a breakpoint, so the tied client lands on the intended side. */
function nudge(b: number): number {
  return 1e-12 * Math.max(1e-6, Math.abs(b));
}

function priceCap(inst: Instance): number {
  let minN = Infinity;
  for (const n of inst.samples) if (n > 0 && n < minN) minN = n;
  let lo = Infinity;
  let hi = -Infinity;
  const q = inst.q;
  for (let i = 0; i < q.length; i++) {
    const v = q[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(minN) ? (2 * (hi - lo) + 1) / minN : 1;
}
