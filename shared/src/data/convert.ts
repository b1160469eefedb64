/**
 * Conversions from raw sample bytes to the normalised float `Dataset` form.
 */
import type { Dataset } from './types';
import { sampleSize } from './types';

/** Builds a Dataset from uint8 pixels 0..255 (scaled to 0..1) for samples `start..end-1`. */
export function datasetFromBytes(
  name: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  shape: [number, number, number],
  classes: number,
  start = 0,
  end = labels.length,
): Dataset {
  const size = sampleSize(shape);
  const n = end - start;
  const src = pixels.subarray(start * size, end * size);
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = (src[i] as number) / 255;
  return { name, x, y: labels.slice(start, end), n, shape: [...shape], classes };
}

/** Builds a Dataset of the samples at `indices` of a uint8 image set, scaled to 0..1. */
export function datasetFromByteIndices(
  name: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  shape: [number, number, number],
  classes: number,
  indices: readonly number[],
): Dataset {
  const size = sampleSize(shape);
  const x = new Float32Array(indices.length * size);
  const y = new Uint8Array(indices.length);
  indices.forEach((idx, i) => {
    const src = pixels.subarray(idx * size, (idx + 1) * size);
    for (let j = 0; j < size; j++) x[i * size + j] = (src[j] as number) / 255;
    y[i] = labels[idx] as number;
  });
  return { name, x, y, n: indices.length, shape: [...shape], classes };
}
