/**
 * Weighted selection: the breakpoint at which a descending cumulative weight first crosses a
 * target, in expected linear time (quickselect with a three-way partition).
 */

/**
 * Among values `v[0..len)` with weights `w`, ordered descending, returns the value of the first
 * element whose cumulative weight exceeds `target` (`inclusive`: reaches it). NaN when the total
 * never does. Reorders `v` and `w` in place.
 */
export function crossingValue(v: Float64Array, w: Float64Array, len: number, target: number, inclusive: boolean): number {
  let lo = 0;
  let hi = len;
  let acc = 0;
  const crosses = (x: number): boolean => (inclusive ? x >= target : x > target);
  while (hi > lo) {
    const pivot = medianOfThree(v[lo], v[lo + ((hi - lo) >> 1)], v[hi - 1]);
    // Three-way partition of [lo, hi) into  > pivot | == pivot | < pivot.
    let gt = lo;
    let i = lo;
    let lt = hi;
    let wGt = 0;
    let wEq = 0;
    while (i < lt) {
      const x = v[i];
      if (x > pivot) {
        wGt += w[i];
        const t = w[i];
        v[i] = v[gt];
        w[i] = w[gt];
        v[gt] = x;
        w[gt] = t;
        i++;
        gt++;
      } else if (x < pivot) {
        lt--;
        const t = w[i];
        v[i] = v[lt];
        w[i] = w[lt];
        v[lt] = x;
        w[lt] = t;
      } else {
        wEq += w[i++];
      }
    }
    if (crosses(acc + wGt)) {
      hi = gt;
    } else if (crosses(acc + wGt + wEq)) {
      return pivot;
    } else {
      acc += wGt + wEq;
      lo = lt;
    }
  }
  return NaN;
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}
