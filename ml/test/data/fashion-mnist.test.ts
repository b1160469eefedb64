import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { fashionCachePath } from '../../src/data/fashion-mnist';
import { readImageCache } from '../../src/data/image-cache';
import { loadDataSpec } from '../../src/data/spec';
import { floatValues } from '../../src/data/types';
import { tempDir } from './test-fixtures';

// Uses the shared cache in <repo>/.cache/ (built on first use, then reused by every run).
test('fashion-mnist: 60,000 train / 10,000 test, 10 balanced classes, pixel bytes read as 0..1', async () => {
  const { train, test: held } = await loadDataSpec('fashion-mnist');
  assert.equal(train.n, 60000);
  assert.equal(held.n, 10000);
  for (const ds of [train, held]) {
    assert.deepEqual(ds.shape, [1, 28, 28]);
    assert.equal(ds.classes, 10);
    assert.ok(ds.x instanceof Uint8Array, 'pixels stay bytes (a quarter of the memory of floats)');
    assert.equal(ds.x.length, ds.n * 784);
    const counts = new Array<number>(10).fill(0);
    for (const label of ds.y) counts[label]! += 1;
    assert.deepEqual(counts, new Array(10).fill(ds.n / 10));
    let min = Infinity;
    let max = -Infinity;
    for (const v of floatValues(ds)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.equal(min, 0);
    assert.equal(max, 1);
  }
});

test('fashion-mnist: a corrupt cache is rebuilt once by concurrent loads and rewritten valid', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = fashionCachePath(dir);
    writeFileSync(path, 'not a cache');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const [a, b] = await Promise.all([loadDataSpec('fashion-mnist', { cacheDir: dir, logger }), loadDataSpec('fashion-mnist', { cacheDir: dir, logger })]);
    assert.equal(a.train.n + a.test.n, 70000);
    assert.deepEqual(b.train.y, a.train.y);
    assert.equal(lines.filter((l) => l.includes('fashion-mnist cache written')).length, 1);
    const rebuilt = await readImageCache(path);
    assert.equal(rebuilt.n, 70000);
    assert.deepEqual([...rebuilt.labels.subarray(0, 20)], [...a.train.y.subarray(0, 20)]);
    assert.deepEqual(readdirSync(dir), ['fashion-mnist-v1.bin']);
  } finally {
    cleanup();
  }
});
