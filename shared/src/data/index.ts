/**
 * The data layer: dataset type, loaders for every data spec, seeded splits and partitions.
 */
export * from './types';
export { SeededRandom, seededShuffle, shuffleInPlace } from './random';
export { loadFashionMnist, defaultCacheDir, fashionCachePath, FASHION_CLASSES } from './fashion-mnist';
export { loadDataSpec, parseDataSpec } from './spec';
export type { DataSpec } from './spec';
export { subset, concat, holdOut, indicesByClass, classHistogram, DEFAULT_TEST_FRACTION } from './ops';
