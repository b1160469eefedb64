/**
 * The data layer: dataset type, loaders for every data spec, seeded splits and partitions.
 */
export * from './types';
export { SeededRandom, seededShuffle, shuffleInPlace } from '@flexmoe/shared';
export { loadFashionMnist, loadFashionImages, defaultCacheDir, fashionCachePath, FASHION_CLASSES } from './fashion-mnist';
export { loadDataSpec, parseDataSpec } from './spec';
export type { DataSpec } from './spec';
export { subset, concat, holdOut, indicesByClass, classHistogram, DEFAULT_TEST_FRACTION } from './ops';
export { partition, DIRICHLET_MIN_SAMPLES } from './partition';
export { parsePartitionSpec, parseShard, formatPartitionSpec } from './partition-spec';
export type { PartitionSpec, ShardRef } from './partition-spec';
export { clientShard } from './shard';
export type { ShardOptions } from './shard';
export { partitionSummary, formatPartitionTable, histogramEntropy } from './summary';
export type { PartitionSummary, ClientShareSummary } from './summary';
export { shardIndices } from './shard';
export type { ShardIndices } from './shard';
export { loadDataShard } from './load-shard';
export type { DataShardOptions } from './load-shard';
export { loadGlobalTest, balancedIndices } from './global-test';
