import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '@flexmoe/shared';
import { partition, DIRICHLET_MIN_SAMPLES } from '../../src/data/partition';
import { parsePartitionSpec, parseShard } from '../../src/data/partition-spec';
import { clientShard } from '../../src/data/shard';
import { formatPartitionTable, partitionSummary } from '../../src/data/summary';
import { labelledDataset } from './test-fixtures';
import type { Dataset } from '../../src/data/types';

const CLASSES = 10;
/** 3,000 samples, 300 per class, labels interleaved. */
const data = labelledDataset(
  Array.from({ length: 3000 }, (_, i) => i % CLASSES),
  CLASSES,
);

function assertExactCover(parts: number[][], n: number): void {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const i of p) seen[i]! += 1;
  assert.ok(
    seen.every((count) => count === 1),
    'every sample assigned exactly once',
  );
}

function classCounts(ds: Dataset, indices: readonly number[]): number[] {
  const counts = new Array<number>(ds.classes).fill(0);
  for (const i of indices) counts[ds.y[i]!]! += 1;
  return counts;
}

/** Mean over clients of the Shannon entropy (bits) of the client's class mix. */
function meanClassEntropy(ds: Dataset, parts: number[][]): number {
  const entropies = parts.map((p) => {
    const counts = classCounts(ds, p).filter((c) => c > 0);
    return -counts.reduce((h, c) => h + (c / p.length) * Math.log2(c / p.length), 0);
  });
  return entropies.reduce((a, b) => a + b, 0) / entropies.length;
}

test('every partitioner assigns every sample exactly once and is seeded', () => {
  for (const spec of ['iid', 'dirichlet:0.1', 'dirichlet:1', 'dirichlet:100', 'classes:2', 'classes:3']) {
    const clients = spec === 'classes:3' ? 4 : 10;
    const parts = partition(data, spec, clients, 7);
    assert.equal(parts.length, clients);
    assertExactCover(parts, data.n);
    assert.deepEqual(partition(data, spec, clients, 7), parts, `${spec}: same seed, same split`);
    assert.notDeepEqual(partition(data, spec, clients, 8), parts, `${spec}: other seed, other split`);
  }
});

test('iid shares differ in size by at most one and mix all classes', () => {
  const parts = partition(data, 'iid', 7, 1);
  const sizes = parts.map((p) => p.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  for (const p of parts) assert.ok(classCounts(data, p).every((c) => c > 0));
});

test('dirichlet label skew grows as alpha falls', () => {
  const entropyAt = (alpha: number): number => {
    const seeds = [1, 2, 3];
    return seeds.reduce((s, seed) => s + meanClassEntropy(data, partition(data, `dirichlet:${alpha}`, 10, seed)), 0) / 3;
  };
  const [high, mid, low] = [entropyAt(100), entropyAt(1), entropyAt(0.1)];
  assert.ok(high > Math.log2(CLASSES) - 0.1, `alpha 100 is near uniform: ${high}`);
  assert.ok(high > mid && mid > low, `entropy 100:${high} 1:${mid} 0.1:${low}`);
  assert.ok(low < 1.5, `alpha 0.1 is strongly skewed: ${low}`);
});

test('dirichlet gives every client at least the minimum even at tiny alpha', () => {
  const parts = partition(data, 'dirichlet:0.01', 40, 5);
  assertExactCover(parts, data.n);
  for (const p of parts) assert.ok(p.length >= DIRICHLET_MIN_SAMPLES, `client has ${p.length}`);
});

test('classes:K gives each client exactly K classes', () => {
  for (const [k, clients] of [
    [1, 10],
    [2, 10],
    [3, 7],
    [5, 4],
  ] as const) {
    const parts = partition(data, `classes:${k}`, clients, 11);
    for (const p of parts) assert.equal(classCounts(data, p).filter((c) => c > 0).length, k);
  }
});

test('client shard: test split matches the train class mix, disjoint across clients', () => {
  const train = data;
  const test = labelledDataset(
    Array.from({ length: 600 }, (_, i) => i % CLASSES),
    CLASSES,
  );
  const count = 6;
  const seen = new Uint8Array(test.n);
  for (let index = 0; index < count; index++) {
    const shard = clientShard({ train, test }, 'dirichlet:0.3', { index, count }, 9);
    const trainCounts = classCounts(
      shard.train,
      Array.from({ length: shard.train.n }, (_, i) => i),
    );
    const testCounts = classCounts(
      shard.test,
      Array.from({ length: shard.test.n }, (_, i) => i),
    );
    // the global test set holds 1/5 as many samples per class as train
    trainCounts.forEach((c, cls) => assert.ok(Math.abs(testCounts[cls]! - c / 5) <= 1, `class ${cls}: ${c} vs ${testCounts[cls]}`));
    // test values are i / n of the source: recover the source index to check disjointness
    for (let s = 0; s < shard.test.n; s++) seen[Math.round(shard.test.x[s]! * test.n)]! += 1;
  }
  assert.ok(
    seen.every((c) => c === 1),
    'client test splits are disjoint and cover the test set',
  );
});

test('client shard honours maxSamples and rejects a bad index', () => {
  const test = labelledDataset(
    Array.from({ length: 600 }, (_, i) => i % CLASSES),
    CLASSES,
  );
  const shard = clientShard({ train: data, test }, 'iid', { index: 1, count: 3 }, 2, { maxSamples: 100 });
  assert.equal(shard.train.n, 100);
  assert.equal(shard.test.n, 20);
  assert.throws(() => clientShard({ train: data, test }, 'iid', { index: 3, count: 3 }, 2), InvalidArgumentError);
});

test('partition summary counts samples and classes per client, table has totals', () => {
  const parts = partition(data, 'classes:2', 5, 3);
  const summary = partitionSummary(data, parts);
  summary.clients.forEach((c, i) => {
    assert.equal(c.samples, parts[i]!.length);
    assert.deepEqual(c.histogram, classCounts(data, parts[i]!));
    assert.ok(Math.abs(c.entropy - 1) < 1e-9); // two equal classes = 1 bit
  });
  const lines = formatPartitionTable(summary).split('\n');
  assert.equal(lines.length, 1 + 5 + 1 + 1);
  assert.deepEqual(lines[6]!.trim().split(/\s+/), ['total', '3000', ...new Array(CLASSES).fill('300')]);
});

test('partition and shard strings are parsed with clear errors', () => {
  assert.deepEqual(parsePartitionSpec('dirichlet:0.3'), { kind: 'dirichlet', alpha: 0.3 });
  assert.deepEqual(parsePartitionSpec('classes:2'), { kind: 'classes', k: 2 });
  assert.deepEqual(parsePartitionSpec('iid'), { kind: 'iid' });
  assert.deepEqual(parseShard('3/10'), { index: 3, count: 10 });
  const bad: Array<[() => unknown, RegExp]> = [
    [() => parsePartitionSpec('dirichlet:0'), /ALPHA must be a positive number/],
    [() => parsePartitionSpec('dirichlet:abc'), /ALPHA must be a positive number, got 'abc'/],
    [() => parsePartitionSpec('classes:0'), /K must be an integer >= 1/],
    [() => parsePartitionSpec('classes:1.5'), /K must be an integer >= 1/],
    [() => parsePartitionSpec('iid:2'), /iid takes no argument/],
    [() => parsePartitionSpec('shards:2'), /unknown partition kind 'shards'/],
    [() => parseShard('10/10'), /index I must be in 0\.\.9/],
    [() => parseShard('1-3'), /expected I\/N/],
    [() => parseShard('0/0'), /at least 1/],
    [() => partition(data, 'classes:11', 3, 1), /has only 10 classes/],
    [() => partition(data, 'iid', 0, 1), /client count must be an integer >= 1/],
  ];
  for (const [fn, message] of bad) assert.throws(fn, (err: unknown) => err instanceof InvalidArgumentError && message.test(err.message));
});
