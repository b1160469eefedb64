/**
 * Datasets from raw sample bytes. The bytes are kept as they are (`Dataset.x` a `Uint8Array`,
 * read as byte / 255): converting 60,000 images to float32 up front would take 188 MB where the
 * bytes take 47 MB; the trainer converts one minibatch at a time instead.
 */
import type { ByteAllocator, Dataset, LoadOptions } from './types';
import { sampleSize } from './types';

export type { ByteAllocator } from './types';

/** Plain `ArrayBuffer` memory. */
export const plainBytes: ByteAllocator = (bytes) => new ArrayBuffer(bytes);
/** `SharedArrayBuffer` memory: a worker thread reads it in place. */
export const sharedBytes: ByteAllocator = (bytes) => new SharedArrayBuffer(bytes);

/** The allocator `opts` asks for (`sharedMemory`). */
export function allocatorFor(opts: Pick<LoadOptions, 'sharedMemory'>): ByteAllocator {
  return opts.sharedMemory ? sharedBytes : plainBytes;
}

/** A Dataset of samples `start..end-1` of uint8 pixels 0..255 (copied; values read as byte / 255). */
export function datasetFromBytes(
  name: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  shape: [number, number, number],
  classes: number,
  start = 0,
  end = labels.length,
  alloc: ByteAllocator = plainBytes,
): Dataset {
  const size = sampleSize(shape);
  const x = new Uint8Array(alloc((end - start) * size));
  x.set(pixels.subarray(start * size, end * size));
  return { name, x, y: labels.slice(start, end), n: end - start, shape: [...shape], classes };
}

/** A Dataset of the samples at `indices` (in that order) of a uint8 image set (values read as byte / 255). */
export function datasetFromByteIndices(
  name: string,
  pixels: Uint8Array,
  labels: Uint8Array,
  shape: [number, number, number],
  classes: number,
  indices: readonly number[],
  alloc: ByteAllocator = plainBytes,
): Dataset {
  const size = sampleSize(shape);
  const x = new Uint8Array(alloc(indices.length * size));
  const y = new Uint8Array(indices.length);
  indices.forEach((idx, i) => {
    x.set(pixels.subarray(idx * size, (idx + 1) * size), i * size);
    y[i] = labels[idx] as number;
  });
  return { name, x, y, n: indices.length, shape: [...shape], classes };
}
