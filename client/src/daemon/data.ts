/**
 * The daemon's local data: a data spec, optionally cut to one simulated client's share
 * (`--partition P --shard I/N --seed S`), optionally capped to `--max-samples`.
 */
import { loadDataShard, loadDataSpec, loadGlobalTest, type Dataset, type TrainTest } from '@flexmoe/ml/data';
import type { ShardRef } from '@flexmoe/ml/data';
import type { Logger } from '@flexmoe/shared';

/** Where the daemon's data comes from. */
export interface LocalDataOptions {
  /** `fashion-mnist`, `idx:...`, `csv:...`, `cifar10:...`. */
  spec: string;
  /** Partition of a simulated fleet (default `iid` when a shard is given). */
  partition?: string;
  /** This client's share of the partition. */
  shard?: ShardRef;
  /** Seed of the held-out split, the partition and the cap. */
  seed: number;
  /** Fraction of user data held out as the test split (sources without their own split). */
  testFraction: number;
  /** Cap on training samples (seeded subset; the test split shrinks in step). */
  maxSamples?: number;
  /** Size of the class-balanced global test set drawn from the dataset's test split (0 or absent: none). */
  globalTest?: number;
  cacheDir?: string;
  logger?: Logger;
}

/**
 * The same dataset with its values in shared memory: the training worker then reads them in
 * place instead of receiving a structured-clone copy (half the daemon's data memory).
 */
export function inSharedMemory(ds: Dataset): Dataset {
  if (ds.x.buffer instanceof SharedArrayBuffer) return ds;
  const buffer = new SharedArrayBuffer(ds.x.byteLength);
  const x = ds.x instanceof Float32Array ? new Float32Array(buffer) : new Uint8Array(buffer);
  x.set(ds.x);
  return { ...ds, x };
}

/** The daemon's data: its train and held-out splits, and optionally the shared global test set. */
export interface LocalData extends TrainTest {
  /** Class-balanced test set shared by every client of a simulated fleet. */
  global?: Dataset;
}

/** Loads the train and test split this daemon uses (pixels in shared memory), and the global test set if asked. */
export async function loadLocalData(options: LocalDataOptions): Promise<LocalData> {
  const loaded = await loadSplits(options);
  const data: LocalData = { train: inSharedMemory(loaded.train), test: inSharedMemory(loaded.test) };
  if (options.globalTest) {
    const load = { cacheDir: options.cacheDir, logger: options.logger };
    data.global = inSharedMemory(await loadGlobalTest(options.spec, options.globalTest, options.seed, load));
  }
  return data;
}

async function loadSplits(options: LocalDataOptions): Promise<TrainTest> {
  // Fashion-MNIST shards land in shared memory directly; other sources are copied there once.
  const load = { testFraction: options.testFraction, seed: options.seed, cacheDir: options.cacheDir, logger: options.logger, sharedMemory: true };
  if (!options.shard && options.maxSamples === undefined) return loadDataSpec(options.spec, load);
  // Without a shard, client 0 of 1 is the whole set: the same seeded cap path as a real shard.
  // The shard loader converts only this client's samples, which keeps the daemon's memory small.
  return loadDataShard(
    options.spec,
    { partition: options.partition ?? 'iid', shard: options.shard ?? { index: 0, count: 1 }, seed: options.seed, maxSamples: options.maxSamples },
    load,
  );
}
