/**
 * Each client's best k_c + 1 experts under the current prices, kept exact as single prices move.
 * Reduced value r[c][e] = Q[c][e] - n_c p_e; the client's Lagrangian choice is its top k_c.
 * Position k_c (the (k_c+1)-th) tells how far an assigned expert's price may rise before the
 * client drops it, which is what the price updates need.
 */
import type { Instance } from './instance';

/** Exact top-(k_c + 1) lists per client with incremental price updates. */
export class Ranking {
  /** Length of each client's list: min(k_c + 1, E). */
  readonly size: Int32Array;
  /** Start of each client's list in `idx`/`val`. */
  readonly offset: Int32Array;
  /** Expert ids, best first. */
  readonly idx: Int32Array;
  /** Reduced values, descending. */
  readonly val: Float64Array;
  /** Upper bound on the reduced value of every expert outside the list. */
  private readonly outside: Float64Array;
  /** pos[e * C + c]: e's place in c's list, -1 when outside (expert-major: price steps walk a column). */
  private readonly pos: Int16Array;
  /** load(e) of the current top-k choice. */
  readonly load: Float64Array;

  constructor(
    private readonly inst: Instance,
    readonly prices: Float64Array,
  ) {
    const C = inst.clients;
    this.size = new Int32Array(C);
    this.offset = new Int32Array(C + 1);
    for (let c = 0; c < C; c++) {
      this.size[c] = Math.min(inst.capacity[c] + 1, inst.experts);
      this.offset[c + 1] = this.offset[c] + this.size[c];
    }
    this.idx = new Int32Array(this.offset[C]);
    this.val = new Float64Array(this.offset[C]);
    this.outside = new Float64Array(C);
    this.pos = new Int16Array(C * inst.experts).fill(-1);
    this.load = new Float64Array(inst.experts);
    for (let c = 0; c < C; c++) this.rebuild(c);
    this.recomputeLoad();
  }

  /** Full scan of one client: exact list and exact bound on the rest. */
  private rebuild(c: number): void {
    const { experts: E, clients: C, q, samples } = this.inst;
    const m = this.size[c];
    const start = this.offset[c];
    const n = samples[c];
    let filled = 0;
    let outside = -Infinity;
    // The list may hold stale ids from an earlier build: forget their places first.
    for (let i = 0; i < m; i++) if (this.pos[this.idx[start + i] * C + c] === i) this.pos[this.idx[start + i] * C + c] = -1;
    for (let e = 0; e < E; e++) {
      const r = q[c * E + e] - n * this.prices[e];
      let i: number;
      if (filled < m) {
        i = filled++;
      } else if (r > this.val[start + m - 1]) {
        outside = Math.max(outside, this.val[start + m - 1]);
        i = m - 1;
      } else {
        outside = Math.max(outside, r);
        continue;
      }
      while (i > 0 && this.val[start + i - 1] < r) {
        this.val[start + i] = this.val[start + i - 1];
        this.idx[start + i] = this.idx[start + i - 1];
        i--;
      }
      this.val[start + i] = r;
      this.idx[start + i] = e;
    }
    for (let i = 0; i < m; i++) this.pos[this.idx[start + i] * C + c] = i;
    this.outside[c] = outside;
  }

  /** Recomputes load(e) from the current lists. */
  recomputeLoad(): void {
    const { capacity, samples } = this.inst;
    this.load.fill(0);
    for (let c = 0; c < capacity.length; c++) {
      const start = this.offset[c];
      for (let i = 0; i < capacity[c]; i++) this.load[this.idx[start + i]] += samples[c];
    }
  }

  /**
   * The reduced value expert e must beat to be in client c's top k: the k-th best among the
   * other experts. -Infinity when the client holds every expert (k_c = E).
   */
  threshold(c: number, e: number): number {
    const k = this.inst.capacity[c];
    if (k >= this.inst.experts) return -Infinity;
    const start = this.offset[c];
    const at = this.pos[e * this.inst.clients + c];
    return at >= 0 && at < k ? this.val[start + k] : this.val[start + k - 1];
  }

  /**
   * For every client with samples, the price of e below which e is in its top k:
   * b_c = (Q[c][e] - threshold) / n_c, written to `b` with weights n_c in `w`. Clients holding every
   * expert are summed into `fixed`; `positive` is the weight of b_c > 0 (the load at price 0).
   */
  breakpoints(e: number, b: Float64Array, w: Float64Array): { len: number; fixed: number; positive: number } {
    const { experts: E, qT, samples, capacity, clients: C } = this.inst;
    const { offset, val, pos } = this;
    let len = 0;
    let fixed = 0;
    let positive = 0;
    for (let c = 0, ce = e * C; c < C; c++, ce++) {
      const n = samples[c];
      if (n === 0) continue;
      const k = capacity[c];
      if (k >= E) {
        fixed += n;
        continue;
      }
      const at = pos[ce];
      const theta = at >= 0 && at < k ? val[offset[c] + k] : val[offset[c] + k - 1];
      const x = (qT[ce] - theta) / n;
      if (x > 0) positive += n;
      b[len] = x;
      w[len++] = n;
    }
    return { len, fixed, positive };
  }

  /** Moves expert e's price to `price` and updates every list (call `recomputeLoad` after). */
  setPrice(e: number, price: number): void {
    const { clients: C, qT, samples } = this.inst;
    this.prices[e] = price;
    for (let c = 0, ce = e * C; c < C; c++, ce++) {
      if (samples[c] !== 0) this.update(c, e, qT[ce] - samples[c] * price);
    }
  }

  private update(c: number, e: number, r: number): void {
    const { experts: E, clients: C } = this.inst;
    const start = this.offset[c];
    const m = this.size[c];
    const { idx, val, pos } = this;
    let i = pos[e * C + c];
    if (i < 0) {
      const last = val[start + m - 1];
      if (r <= last) {
        if (r > this.outside[c]) this.outside[c] = r;
        return;
      }
      if (last > this.outside[c]) this.outside[c] = last;
      pos[idx[start + m - 1] * C + c] = -1;
      i = m - 1;
    }
    while (i > 0 && val[start + i - 1] < r) {
      val[start + i] = val[start + i - 1];
      idx[start + i] = idx[start + i - 1];
      pos[idx[start + i] * C + c] = i;
      i--;
    }
    while (i < m - 1 && val[start + i + 1] > r) {
      val[start + i] = val[start + i + 1];
      idx[start + i] = idx[start + i + 1];
      pos[idx[start + i] * C + c] = i;
      i++;
    }
    val[start + i] = r;
    idx[start + i] = e;
    pos[e * C + c] = i;
    if (i === m - 1 && m < E && r < this.outside[c]) this.rebuild(c);
  }

  /** Lagrangian dual value D(p) = sum_c top-k reduced values + sum_e (p+ U - p- L). */
  dualValue(): number {
    const { capacity, lower, upper } = this.inst;
    let total = 0;
    for (let c = 0; c < capacity.length; c++) {
      const start = this.offset[c];
      for (let i = 0; i < capacity[c]; i++) total += this.val[start + i];
    }
    for (let e = 0; e < this.prices.length; e++) {
      const p = this.prices[e];
      total += p > 0 ? p * upper[e] : p * lower[e];
    }
    return total;
  }

  /** The current top-k choice of client c (expert ids). */
  choice(c: number): number[] {
    const start = this.offset[c];
    return Array.from(this.idx.subarray(start, start + this.inst.capacity[c]));
  }
}
