/**
 * One simulated client's share of a partitioned train/test pair.
 */
import { InvalidArgumentError } from '../errors';
import { classHistogram, indicesByClass, subset } from './ops';
import { partition } from './partition';
import type { PartitionSpec, ShardRef } from './partition-spec';
import { formatPartitionSpec, parsePartitionSpec } from './partition-spec';
import { SeededRandom, shuffleInPlace } from './random';
import type { Dataset, TrainTest } from './types';

/** Options of `clientShard`. */
export interface ShardOptions {
  /** Cap on the client's train samples (a seeded random subset); its test split shrinks in step. */
  maxSamples?: number;
}

/**
 * Per class, the global test samples are shuffled once (seeded) and cut in proportion to every
 * client's share of that class in train, so client test splits are disjoint, cover the test set,
 * and follow each client's own train class mix.
 */
function testIndicesFor(test: Dataset, trainHists: readonly number[][], index: number, seed: number): number[] {
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
  return shuffleInPlace(indices.slice(), rng).slice(0, count).sort((a, b) => a - b);
}

/** A test sample of the client's most common train class, for shares too small to get one. */
function fallbackTest(tt: TrainTest, hist: readonly number[]): number[] {
  const top = hist.indexOf(Math.max(...hist));
  const candidate = indicesByClass(tt.test)[top]?.[0];
  return candidate === undefined ? [] : [candidate];
}

/**
 * Client `shard.index`'s share of `tt` under the partition `spec` over `shard.count` clients
 * (seeded). Train is the client's partition of `tt.train`; test is drawn from `tt.test` with the
 * same class distribution (held out, same distribution), disjoint between clients. With
 * `maxSamples`, train is capped to a seeded random subset and test shrinks by the same factor.
 */
export function clientShard(
  tt: TrainTest,
  spec: string | PartitionSpec,
  shard: ShardRef,
  seed: number,
  opts: ShardOptions = {},
): TrainTest {
  if (!(Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new InvalidArgumentError(`shard ${shard.index}/${shard.count}: index must be in 0..${shard.count - 1}`);
  }
  const parsed = typeof spec === 'string' ? parsePartitionSpec(spec) : spec;
  const parts = partition(tt.train, parsed, shard.count, seed);
  const hists = parts.map((p) => classHistogram(tt.train, p));
  let trainIdx = parts[shard.index]!;
  let testIdx = testIndicesFor(tt.test, hists, shard.index, seed).sort((a, b) => a - b);
  if (testIdx.length === 0 && trainIdx.length > 0) testIdx = fallbackTest(tt, hists[shard.index]!);
  const cap = opts.maxSamples;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1)) {
    throw new InvalidArgumentError(`maxSamples must be an integer >= 1, got ${cap}`);
  }
  if (cap !== undefined && trainIdx.length > cap) {
    const rng = new SeededRandom(seed, `shard-cap:${shard.index}`);
    const keepTest = Math.max(1, Math.round((testIdx.length * cap) / trainIdx.length));
    trainIdx = sample(trainIdx, cap, rng);
    testIdx = sample(testIdx, Math.min(keepTest, testIdx.length), rng);
  }
  const tag = `[${formatPartitionSpec(parsed)} ${shard.index}/${shard.count}]`;
  return { train: subset(tt.train, trainIdx, `${tt.train.name}${tag}`), test: subset(tt.test, testIdx, `${tt.test.name}${tag}`) };
}
