/**
 * The in-memory dataset every loader produces and every consumer (trainer, CLI, daemon) reads.
 */
import type { Logger } from '@flexmoe/shared';

/**
 * Sample values, NCHW: floats already normalised to 0..1, or raw pixel bytes 0..255 that every
 * reader scales by 1/255 (see `copyAsFloats`). Image sources stay bytes, a quarter of the memory:
 * 47 MB instead of 188 MB for 60,000 Fashion-MNIST images; training converts one minibatch at a time.
 */
export type SampleValues = Float32Array | Uint8Array;

/** A labelled image set held in memory, NCHW, values 0..1 (floats) or 0..255 (pixel bytes). */
export interface Dataset {
  /** Human-readable origin, e.g. `fashion-mnist:train`. */
  name: string;
  /** `n * C * H * W` values, NCHW: floats in 0..1, or pixel bytes meaning byte / 255. */
  x: SampleValues;
  /** Labels `0..classes-1`, one per sample. */
  y: Uint8Array;
  /** Number of samples. */
  n: number;
  /** Per-sample shape `[C, H, W]`, e.g. `[1, 28, 28]` or `[3, 32, 32]`. */
  shape: [number, number, number];
  /** Number of classes; every label is below it. */
  classes: number;
}

/** Just the labels of a dataset: all that partitioning and class statistics need. */
export type LabelledSet = Pick<Dataset, 'name' | 'y' | 'n' | 'classes'>;

/** A train split and its held-out test split (same shape and class count). */
export interface TrainTest {
  /** Samples to train on. */
  train: Dataset;
  /** Held-out samples to evaluate on. */
  test: Dataset;
}

/** Options shared by every data-spec loader. */
export interface LoadOptions {
  /** Directory for derived caches (Fashion-MNIST binary cache). Default `<repo>/.cache/`. */
  cacheDir?: string;
  /** Fraction of user data held out as test when the source gives no split. Default 0.2. */
  testFraction?: number;
  /** Seed of the held-out split. Default 0. */
  seed?: number;
  /** Declared class count; labels at or above it are rejected. Default: max label + 1. */
  classes?: number;
  /** Where to report cache rebuilds and the like (optional). */
  logger?: Logger;
  /**
   * Allocate the loaded samples in `SharedArrayBuffer`s (Fashion-MNIST shards, IDX files and
   * held-out splits), so a training worker thread reads them in place instead of receiving a
   * copy. Default false.
   */
  sharedMemory?: boolean;
}

/** Number of values in one sample of the given shape. */
export function sampleSize(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/** Float32 of byte / 255 for every byte: the exact value a float dataset built from the bytes holds. */
const BYTE_FLOATS = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Copies values `from..from+count` of `x` into `out` at `at`, as float32 0..1 (bytes scaled by 1/255). */
export function copyAsFloats(x: SampleValues, from: number, count: number, out: Float32Array, at: number): void {
  if (x instanceof Float32Array) {
    out.set(x.subarray(from, from + count), at);
    return;
  }
  for (let j = 0; j < count; j++) out[at + j] = BYTE_FLOATS[x[from + j] as number] as number;
}

/** All values of `ds` as float32 0..1 (a copy for bytes, the array itself for floats). */
export function floatValues(ds: Pick<Dataset, 'x'>): Float32Array {
  if (ds.x instanceof Float32Array) return ds.x;
  const out = new Float32Array(ds.x.length);
  copyAsFloats(ds.x, 0, ds.x.length, out, 0);
  return out;
}

/** Allocates the backing memory of a sample array (plain, or shared with worker threads). */
export type ByteAllocator = (bytes: number) => ArrayBuffer | SharedArrayBuffer;

/** An empty value array of the same kind (floats or bytes) as `x`, of `length` values, in memory from `alloc`. */
export function allocLike(x: SampleValues, length: number, alloc: ByteAllocator = (b) => new ArrayBuffer(b)): SampleValues {
  return x instanceof Float32Array ? new Float32Array(alloc(4 * length)) : new Uint8Array(alloc(length));
}
