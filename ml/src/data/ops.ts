/**
 * Dataset operations: subsets, concatenation, per-class indexing and the seeded held-out split.
 */
import { InvalidArgumentError, ShapeError } from '@flexmoe/shared';
import { SeededRandom, shuffleInPlace } from '@flexmoe/shared';
import type { ByteAllocator, Dataset, LabelledSet, SampleValues, TrainTest } from './types';
import { allocLike, floatValues, sampleSize } from './types';

/** Default fraction of user data held out as the test split. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** A new Dataset holding the samples at `indices` (in that order; repeats allowed), values of the same kind. */
export function subset(ds: Dataset, indices: readonly number[], name = `${ds.name}[subset]`, alloc?: ByteAllocator): Dataset {
  const size = sampleSize(ds.shape);
  const x = allocLike(ds.x, indices.length * size, alloc);
  const y = new Uint8Array(indices.length);
  indices.forEach((idx, i) => {
    if (!Number.isInteger(idx) || idx < 0 || idx >= ds.n) {
      throw new InvalidArgumentError(`subset of ${ds.name}: index ${idx} outside 0..${ds.n - 1}`);
    }
    x.set(ds.x.subarray(idx * size, (idx + 1) * size), i * size);
    y[i] = ds.y[idx] as number;
  });
  return { name, x, y, n: indices.length, shape: [...ds.shape], classes: ds.classes };
}

/**
 * Concatenates datasets of the same sample shape; the class count is the largest of them. Values
 * stay bytes when every part holds bytes, else all become floats.
 */
export function concat(parts: readonly Dataset[], name?: string): Dataset {
  const first = parts[0];
  if (!first) throw new InvalidArgumentError('concat: no datasets given');
  for (const p of parts) {
    if (p.shape.join('x') !== first.shape.join('x')) {
      throw new ShapeError(`concat: ${p.name} has shape [${p.shape.join(',')}], ${first.name} has [${first.shape.join(',')}]`);
    }
  }
  const n = parts.reduce((s, p) => s + p.n, 0);
  const bytes = parts.every((p) => p.x instanceof Uint8Array);
  const x: SampleValues = bytes ? new Uint8Array(n * sampleSize(first.shape)) : new Float32Array(n * sampleSize(first.shape));
  const y = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    x.set(bytes ? p.x : floatValues(p), at * sampleSize(first.shape));
    y.set(p.y, at);
    at += p.n;
  }
  const classes = Math.max(...parts.map((p) => p.classes));
  return { name: name ?? parts.map((p) => p.name).join('+'), x, y, n, shape: [...first.shape], classes };
}

/** Sample indices grouped by label: `result[c]` lists the indices of class c, ascending. */
export function indicesByClass(ds: LabelledSet): number[][] {
  const groups: number[][] = Array.from({ length: ds.classes }, () => []);
  for (let i = 0; i < ds.n; i++) groups[ds.y[i] as number]?.push(i);
  return groups;
}

/** Count of samples per class among `indices` (all samples when omitted). */
export function classHistogram(ds: LabelledSet, indices?: readonly number[]): number[] {
  const counts = new Array<number>(ds.classes).fill(0);
  if (indices) for (const i of indices) counts[ds.y[i] as number]! += 1;
  else for (let i = 0; i < ds.n; i++) counts[ds.y[i] as number]! += 1;
  return counts;
}

/** Throws unless `fraction` is strictly between 0 and 1. */
export function checkTestFraction(fraction: number): void {
  if (!(fraction > 0 && fraction < 1)) {
    throw new InvalidArgumentError(`testFraction must be between 0 and 1 (exclusive), got ${fraction}`);
  }
}

/**
 * Holds out a seeded, stratified `testFraction` of `ds` as its test split: within each class a
 * seeded shuffle picks round(count * fraction) samples, so both splits keep the class mix.
 * `alloc` provides the splits' sample memory.
 */
export function holdOut(ds: Dataset, testFraction: number, seed: number, alloc?: ByteAllocator): TrainTest {
  checkTestFraction(testFraction);
  if (ds.n < 2) throw new InvalidArgumentError(`${ds.name}: ${ds.n} sample(s), need at least 2 to hold out a test split`);
  const rng = new SeededRandom(seed, 'holdout');
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (const group of indicesByClass(ds)) {
    shuffleInPlace(group, rng);
    const take = Math.round(group.length * testFraction);
    testIdx.push(...group.slice(0, take));
    trainIdx.push(...group.slice(take));
  }
  // Never leave either side empty on tiny inputs.
  if (testIdx.length === 0) testIdx.push(trainIdx.pop() as number);
  if (trainIdx.length === 0) trainIdx.push(testIdx.pop() as number);
  const byIndex = (a: number, b: number): number => a - b;
  return {
    train: subset(ds, trainIdx.sort(byIndex), `${ds.name}:train`, alloc),
    test: subset(ds, testIdx.sort(byIndex), `${ds.name}:test`, alloc),
  };
}
