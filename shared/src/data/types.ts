/**
 * The in-memory dataset every loader produces and every consumer (trainer, CLI, daemon) reads.
 */
import type { Logger } from '../logging';

/** A labelled image set held in memory, NCHW, pixel values normalised to 0..1. */
export interface Dataset {
  /** Human-readable origin, e.g. `fashion-mnist:train`. */
  name: string;
  /** `n * C * H * W` values, NCHW, normalised to 0..1 whatever the source scale. */
  x: Float32Array;
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
}

/** Number of values in one sample of the given shape. */
export function sampleSize(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}
