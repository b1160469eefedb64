/**
 * Seeded minibatching: a fresh permutation per epoch (of sample indices; the data never moves),
 * copied into reusable batch buffers (inputs NCHW float32 and one-hot targets) so a step
 * allocates nothing. Byte datasets are converted to floats here, one minibatch at a time.
 */
import { SeededRandom, shuffleInPlace } from '@flexmoe/shared';
import type { Dataset } from '../data/types';
import { copyAsFloats } from '../data/types';

/** One minibatch: `n` samples, `x` of `n * C*H*W` values, `target` one-hot `n * classes`. */
export interface Batch {
  n: number;
  x: Float32Array;
  target: Float32Array;
  labels: Uint8Array;
}

/** The order samples are visited in `epoch` (0-based): a seeded permutation, the same for the same seed. */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  // Typed in place: the same Fisher-Yates draws as on a plain array, without a boxed copy.
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  return shuffleInPlace(order, new SeededRandom(seed, `epoch:${epoch}`));
}

/** Reusable batch buffers of capacity `size` samples for datasets shaped like `data`. */
export function allocBatch(data: Dataset, size: number): Batch {
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  return {
    n: size,
    x: new Float32Array(size * per),
    target: new Float32Array(size * data.classes),
    labels: new Uint8Array(size),
  };
}

/**
 * Copies samples `order[start .. start+count)` of `data` into `out` (its first `count` slots) and
 * returns a view of exactly `count` samples sharing `out`'s memory.
 */
export function fillBatch(data: Dataset, order: ArrayLike<number>, start: number, count: number, out: Batch): Batch {
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  const k = data.classes;
  out.target.fill(0, 0, count * k);
  for (let i = 0; i < count; i++) {
    const s = order[start + i];
    copyAsFloats(data.x, s * per, per, out.x, i * per);
    const label = data.y[s];
    out.labels[i] = label;
    out.target[i * k + label] = 1;
  }
  return {
    n: count,
    x: out.x.subarray(0, count * per),
    target: out.target.subarray(0, count * k),
    labels: out.labels.subarray(0, count),
  };
}

/** Batch sizes of one pass over `n` samples: full batches, then the remainder (if any). */
export function batchSizes(n: number, batchSize: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < n; start += batchSize) out.push(Math.min(batchSize, n - start));
  return out;
}
