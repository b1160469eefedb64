/**
 * The class-balanced global test set: a seeded subset of the dataset's own test split with the
 * same number of samples of every class. Every client of a run loads the same one, so the models
 * of different clients (and strategies) are scored on identical, unskewed data.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { datasetFromByteIndices } from './convert';
import { loadFashionImages } from './fashion-mnist';
import { indicesByClass, subset } from './ops';
import { SeededRandom, shuffleInPlace } from '@flexmoe/shared';
import { loadDataSpec, parseDataSpec } from './spec';
import type { Dataset, LabelledSet, LoadOptions } from './types';

/**
 * Indices of `size` test samples, size / classes of each class (seeded, ascending); a class with
 * fewer samples gives all it has.
 */
export function balancedIndices(test: LabelledSet, size: number, seed: number): number[] {
  if (!(Number.isInteger(size) && size >= 1)) throw new InvalidArgumentError(`global test size must be an integer >= 1 (got ${size})`);
  const rng = new SeededRandom(seed, 'global-test');
  const perClass = Math.ceil(size / test.classes);
  const out: number[] = [];
  for (const group of indicesByClass(test)) out.push(...shuffleInPlace(group, rng).slice(0, perClass));
  return out.sort((a, b) => a - b);
}

/** Loads the balanced global test set of data spec `spec` (Fashion-MNIST without materialising the rest). */
export async function loadGlobalTest(spec: string, size: number, seed: number, opts: LoadOptions = {}): Promise<Dataset> {
  if (parseDataSpec(spec).kind === 'fashion-mnist') {
    const images = await loadFashionImages(opts.cacheDir, opts.logger);
    const labels = images.labels.subarray(images.nTrain, images.n);
    const test: LabelledSet = { name: 'fashion-mnist:test', y: labels, n: images.n - images.nTrain, classes: images.classes };
    const pixels = images.pixels.subarray(images.nTrain * images.shape.reduce((a, b) => a * b, 1));
    return datasetFromByteIndices('fashion-mnist:test[global]', pixels, labels, [...images.shape], images.classes, balancedIndices(test, size, seed));
  }
  const all = await loadDataSpec(spec, opts);
  return subset(all.test, balancedIndices(all.test, size, seed), `${all.test.name}[global]`);
}
