/**
 * Row-major matrix kernels for the plain-TypeScript step: straightforward loops ordered so the
 * innermost loop walks contiguous memory (i-k-j), which is what a careful hand-written baseline does.
 */
import type { FloatArray } from './params';

/** c[m,p] = a[m,n] * b[n,p] + bias[p] (bias broadcast over rows). */
export function matmulBias(a: FloatArray, b: FloatArray, bias: FloatArray, c: FloatArray, m: number, n: number, p: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * p;
    for (let j = 0; j < p; j++) c[ci + j] = bias[j];
    const ai = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ai + k];
      if (aik === 0) continue; // ReLU outputs are often zero
      const bk = k * p;
      for (let j = 0; j < p; j++) c[ci + j] += aik * b[bk + j];
    }
  }
}

/** c[n,p] = a[m,n]^T * b[m,p] (weight gradient: inputs^T times output gradient). */
export function matmulTransA(a: FloatArray, b: FloatArray, c: FloatArray, m: number, n: number, p: number): void {
  c.fill(0, 0, n * p);
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    const bi = i * p;
    for (let k = 0; k < n; k++) {
      const aik = a[ai + k];
      if (aik === 0) continue;
      const ck = k * p;
      for (let j = 0; j < p; j++) c[ck + j] += aik * b[bi + j];
    }
  }
}

/** c[m,n] (+)= a[m,p] * b[n,p]^T (input gradient: output gradient times weights^T). */
export function matmulTransB(a: FloatArray, b: FloatArray, c: FloatArray, m: number, n: number, p: number, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    const ai = i * p;
    const ci = i * n;
    for (let j = 0; j < n; j++) {
      const bj = j * p;
      let s = 0;
      for (let k = 0; k < p; k++) s += a[ai + k] * b[bj + k];
      c[ci + j] = accumulate ? c[ci + j] + s : s;
    }
  }
}

/** out[p] = column sums of a[m,p] (bias gradient). */
export function columnSums(a: FloatArray, out: FloatArray, m: number, p: number): void {
  out.fill(0, 0, p);
  for (let i = 0; i < m; i++) {
    const ai = i * p;
    for (let j = 0; j < p; j++) out[j] += a[ai + j];
  }
}

/** In place: x = max(x, 0). */
export function reluInPlace(x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) if (x[i] < 0) x[i] = 0;
}

/** In place: grad = 0 where the ReLU output was 0. */
export function reluBackwardInPlace(grad: FloatArray, activation: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) if (activation[i] <= 0) grad[i] = 0;
}

/** In place: param -= lr * grad. */
export function sgdUpdate(param: FloatArray, grad: FloatArray, lr: number): void {
  for (let i = 0; i < param.length; i++) param[i] -= lr * grad[i];
}
