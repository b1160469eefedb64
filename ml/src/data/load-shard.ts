/**
 * Loading one simulated client's share directly. Same result as
 * `clientShard(await loadDataSpec(spec), ...)`, but for Fashion-MNIST only the client's sample
 * bytes are copied out of the cache (47 MB for all 60,000, 4.7 MB for a tenth), optionally
 * straight into shared memory, which keeps a daemon on a small device within its memory budget.
 */
import { allocatorFor, datasetFromByteIndices } from './convert';
import { loadFashionImages } from './fashion-mnist';
import type { PartitionSpec, ShardRef } from './partition-spec';
import { clientShard, shardIndices } from './shard';
import type { ShardOptions } from './shard';
import { loadDataSpec } from './spec';
import { parseDataSpec } from './spec';
import type { LabelledSet, LoadOptions, TrainTest } from './types';
import { sampleSize } from './types';

/** Which share to load: the partition, the client's shard, the seed and an optional cap. */
export interface DataShardOptions extends ShardOptions {
  /** `iid`, `dirichlet:ALPHA` or `classes:K`. */
  partition: string | PartitionSpec;
  /** This client's index and the client count. */
  shard: ShardRef;
  /** Seed of the partition, the test draw and the cap. */
  seed: number;
}

/** Fashion-MNIST shard built from the uint8 cache without materialising the whole set. */
async function fashionShard(sel: DataShardOptions, opts: LoadOptions): Promise<TrainTest> {
  const images = await loadFashionImages(opts.cacheDir, opts.logger);
  const { shape, classes, nTrain, n } = images;
  const size = sampleSize(shape);
  const trainLabels = images.labels.subarray(0, nTrain);
  const testLabels = images.labels.subarray(nTrain, n);
  const train: LabelledSet = { name: 'fashion-mnist:train', y: trainLabels, n: nTrain, classes };
  const test: LabelledSet = { name: 'fashion-mnist:test', y: testLabels, n: n - nTrain, classes };
  const idx = shardIndices(train, test, sel.partition, sel.shard, sel.seed, { maxSamples: sel.maxSamples });
  const testPixels = images.pixels.subarray(nTrain * size);
  const alloc = allocatorFor(opts);
  return {
    train: datasetFromByteIndices(`${train.name}${idx.tag}`, images.pixels, trainLabels, [...shape], classes, idx.train, alloc),
    test: datasetFromByteIndices(`${test.name}${idx.tag}`, testPixels, testLabels, [...shape], classes, idx.test, alloc),
  };
}

/**
 * Loads client `sel.shard.index`'s share of the data spec under partition `sel.partition`:
 * identical to `clientShard(await loadDataSpec(spec, opts), sel.partition, sel.shard, sel.seed,
 * { maxSamples })`, with less peak memory for Fashion-MNIST.
 */
export async function loadDataShard(spec: string, sel: DataShardOptions, opts: LoadOptions = {}): Promise<TrainTest> {
  if (parseDataSpec(spec).kind === 'fashion-mnist') return fashionShard(sel, opts);
  const all = await loadDataSpec(spec, opts);
  return clientShard(all, sel.partition, sel.shard, sel.seed, { maxSamples: sel.maxSamples });
}
