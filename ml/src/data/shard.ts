/**
 * One simulated client's share of a partitioned train/test pair.
 */
import { InvalidArgumentError } from '@flexmoe/shared';
import { classHistogram, indicesByClass, subset } from './ops';
import { partition } from './partition';
import type { PartitionSpec, ShardRef } from './partition-spec';
import { formatPartitionSpec, parsePartitionSpec } from './partition-spec';
import { SeededRandom, shuffleInPlace } from '@flexmoe/shared';
import type { LabelledSet, TrainTest } from './types';

/** Options of `clientShard`. */
export interface ShardOptions {
  /** Cap on the client's train samples (a seeded random subset); its test split shrinks in step. */
  maxSamples?: number;
}

/** The sample indices of one client's share, and the tag naming it (e.g. `[iid 0/10]`). */
export interface ShardIndices {
  /** Indices into the global train set, ascending. */
  train: number[];
  /** Indices into the global test set, ascending. */
  test: number[];
  /** Suffix for dataset names, e.g. `[dirichlet:0.3 2/10]`. */
  tag: string;
}

/**
 * Per class, the global test samples are shuffled once (seeded) and cut in proportion to every
 * client's share of that class in train, so client test splits are disjoint, cover the test set,
 * and follow each client's own train class mix.
 */
function testIndicesFor(test: LabelledSet, trainHists: readonly number[][], index: number, seed: number): number[] {
  const rng = new SeededRandom(seed, 'shard-test');
  const mine: number[] = [];
  indicesByClass(test).forEach((group, cls) => {
    shuffleInPlace(group, rng); // always shuffle so every class consumes the stream alike
    const counts = trainHists.map((h) => h[cls] ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) return;
    const before = counts.slice(0, index).reduce((a, b) => a + b, 0);
    const from = Math.round((before / total) * group.length);
    const to = Math.round(((before + counts[index]!) / total) * group.length);
    mine.push(...group.slice(from, to));
  });
  return mine;
}

/** A seeded random subset of `count` of `indices`, sorted. */
function sample(indices: readonly number[], count: number, rng: SeededRandom): number[] {
  return shuffleInPlace(indices.slice(), rng)
    .slice(0, count)
    .sort((a, b) => a - b);
}

/** A test sample of the client's most common train class, for shares too small to get one. */
function fallbackTest(test: LabelledSet, hist: readonly number[]): number[] {
  const top = hist.indexOf(Math.max(...hist));
  const candidate = indicesByClass(test)[top]?.[0];
  return candidate === undefined ? [] : [candidate];
}

function checkShard(shard: ShardRef, maxSamples: number | undefined): void {
  if (!(Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new InvalidArgumentError(`shard ${shard.index}/${shard.count}: index must be in 0..${shard.count - 1}`);
  }
  if (maxSamples !== undefined && !(Number.isInteger(maxSamples) && maxSamples >= 1)) {
    throw new InvalidArgumentError(`maxSamples must be an integer >= 1, got ${maxSamples}`);
  }
}

/**
 * The indices of client `shard.index`'s share (see `clientShard`), computed from labels only so
 * a caller can materialise just those samples.
 */
export function shardIndices(
  train: LabelledSet,
  test: LabelledSet,
  spec: string | PartitionSpec,
  shard: ShardRef,
  seed: number,
  opts: ShardOptions = {},
): ShardIndices {
  checkShard(shard, opts.maxSamples);
  const parsed = typeof spec === 'string' ? parsePartitionSpec(spec) : spec;
  const parts = partition(train, parsed, shard.count, seed);
  const hists = parts.map((p) => classHistogram(train, p));
  let trainIdx = parts[shard.index]!;
  let testIdx = testIndicesFor(test, hists, shard.index, seed).sort((a, b) => a - b);
  if (testIdx.length === 0 && trainIdx.length > 0) testIdx = fallbackTest(test, hists[shard.index]!);
  const cap = opts.maxSamples;
  if (cap !== undefined && trainIdx.length > cap) {
    const rng = new SeededRandom(seed, `shard-cap:${shard.index}`);
    const keepTest = Math.max(1, Math.round((testIdx.length * cap) / trainIdx.length));
    trainIdx = sample(trainIdx, cap, rng);
    testIdx = sample(testIdx, Math.min(keepTest, testIdx.length), rng);
  }
  return { train: trainIdx, test: testIdx, tag: `[${formatPartitionSpec(parsed)} ${shard.index}/${shard.count}]` };
}

/**
 * Client `shard.index`'s share of `tt` under the partition `spec` over `shard.count` clients
 * (seeded). Train is the client's partition of `tt.train`; test is drawn from `tt.test` with the
 * same class distribution (held out, same distribution), disjoint between clients. With
 * `maxSamples`, train is capped to a seeded random subset and test shrinks by the same factor.
 */
export function clientShard(tt: TrainTest, spec: string | PartitionSpec, shard: ShardRef, seed: number, opts: ShardOptions = {}): TrainTest {
  const idx = shardIndices(tt.train, tt.test, spec, shard, seed, opts);
  return {
    train: subset(tt.train, idx.train, `${tt.train.name}${idx.tag}`),
    test: subset(tt.test, idx.test, `${tt.test.name}${idx.tag}`),
  };
}
