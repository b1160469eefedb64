import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataShard } from '../../src/data/load-shard';
import { clientShard } from '../../src/data/shard';
import { loadDataSpec } from '../../src/data/spec';
import type { TrainTest } from '../../src/data/types';
import { idxBytes, tempDir } from './test-fixtures';

function assertSameShare(a: TrainTest, b: TrainTest): void {
  for (const split of ['train', 'test'] as const) {
    assert.equal(a[split].name, b[split].name);
    assert.equal(a[split].n, b[split].n);
    assert.deepEqual(a[split].shape, b[split].shape);
    assert.deepEqual(a[split].y, b[split].y);
    assert.deepEqual(a[split].x, b[split].x);
  }
}

test('loadDataShard on fashion-mnist equals clientShard of the full load', async () => {
  const sel = { partition: 'dirichlet:0.3', shard: { index: 4, count: 10 }, seed: 3, maxSamples: 400 };
  const direct = await loadDataShard('fashion-mnist', sel);
  const full = clientShard(await loadDataSpec('fashion-mnist'), sel.partition, sel.shard, sel.seed, { maxSamples: 400 });
  assert.equal(direct.train.n, 400);
  assertSameShare(direct, full);
});

test('loadDataShard on user data equals clientShard of the full load', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const n = 60;
    const images = join(dir, 'i.idx');
    const labels = join(dir, 'l.idx');
    writeFileSync(
      images,
      idxBytes(
        [n, 2, 2],
        Array.from({ length: n * 4 }, (_, k) => k % 251),
      ),
    );
    writeFileSync(
      labels,
      idxBytes(
        [n],
        Array.from({ length: n }, (_, i) => i % 4),
      ),
    );
    const spec = `idx:${images},${labels}`;
    const sel = { partition: 'classes:2', shard: { index: 1, count: 3 }, seed: 8 };
    const full = clientShard(await loadDataSpec(spec, { seed: 5 }), sel.partition, sel.shard, sel.seed);
    assertSameShare(await loadDataShard(spec, sel, { seed: 5 }), full);
  } finally {
    cleanup();
  }
});
