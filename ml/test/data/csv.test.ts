import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileFormatError } from '@flexmoe/shared';
import { loadDataSpec } from '../../src/data/spec';
import { concat } from '../../src/data/ops';
import { tempDir } from './test-fixtures';

/** Rows `label,v1..vF` with label i % 2 and value j of row i = scale * (i + j) / 20. */
function csvText(rows: number, features: number, scale: number, header: boolean): string {
  const lines = header ? [['label', ...Array.from({ length: features }, (_, j) => `p${j}`)].join(',')] : [];
  for (let i = 0; i < rows; i++) {
    lines.push([i % 2, ...Array.from({ length: features }, (_, j) => (scale * (i + j)) / 20)].join(','));
  }
  return lines.join('\n') + '\n';
}

async function withFile<T>(name: string, content: string | Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, name);
    writeFileSync(file, content);
    return await fn(file);
  } finally {
    cleanup();
  }
}

for (const [scale, header] of [
  [1, false],
  [1, true],
  [255, true],
  [255, false],
] as const) {
  test(`csv scale 0..${scale} ${header ? 'with' : 'without'} header loads to 0..1`, async () => {
    await withFile('d.csv', csvText(10, 3, scale, header), async (file) => {
      const tt = await loadDataSpec(`csv:${file}`, { testFraction: 0.4, seed: 1 });
      const all = concat([tt.train, tt.test]);
      assert.equal(all.n, 10);
      assert.deepEqual(tt.train.shape, [1, 1, 3]);
      assert.equal(tt.train.classes, 2);
      assert.equal(tt.test.n, 4); // 40% of 5 per class = 2 each
      for (let s = 0; s < all.n; s++) {
        const row = Math.round(all.x[s * 3]! * 20); // value 0 of row i is i/20 after scaling
        assert.equal(all.y[s], row % 2);
        for (let j = 0; j < 3; j++) assert.ok(Math.abs(all.x[s * 3 + j]! - (row + j) / 20) < 1e-6);
      }
    });
  });
}

test('csv shape is inferred from the row width', async () => {
  const cases: Array<[number, number[]]> = [
    [784, [1, 28, 28]],
    [3072, [3, 32, 32]],
    [5, [1, 1, 5]],
  ];
  for (const [features, shape] of cases) {
    await withFile('w.csv', csvText(4, features, 255, false), async (file) => {
      const tt = await loadDataSpec(`csv:${file}`, { testFraction: 0.5 });
      assert.deepEqual(tt.train.shape, shape);
    });
  }
});

test('csv out-of-range values are min-max scaled; gzipped csv is read', async () => {
  await withFile('m.csv.gz', gzipSync('0,-10,0\n1,10,30\n0,5,5\n1,0,0\n'), async (file) => {
    const tt = await loadDataSpec(`csv:${file}`, { testFraction: 0.5, seed: 2 });
    const all = concat([tt.train, tt.test]);
    const values = [...all.x].sort((a, b) => a - b);
    assert.equal(values[0], 0);
    assert.equal(values[values.length - 1], 1);
    assert.ok(values.some((v) => Math.abs(v - 0.5) < 1e-6)); // 10 of -10..30 maps to 0.5
  });
});

async function expectCsvError(content: string, problem: RegExp): Promise<void> {
  await withFile('bad.csv', content, async (file) => {
    await assert.rejects(loadDataSpec(`csv:${file}`), (err: unknown) => {
      assert.ok(err instanceof FileFormatError, `expected FileFormatError, got ${String(err)}`);
      assert.ok(err.message.includes(file), `message should name ${file}: ${err.message}`);
      assert.match(err.message, problem);
      return true;
    });
  });
}

test('csv errors name the file, line and problem', async () => {
  await expectCsvError('0,1,2\n1,3\n', /line 2: inconsistent row length 2, expected 3/);
  await expectCsvError('0,1,2\n1,3,x\n', /line 2, column 3: non-numeric value 'x'/);
  await expectCsvError('0,1,2\n1,3,\n', /line 2, column 3: non-numeric value ''/);
  await expectCsvError('0,1,2\n300,3,4\n', /line 2: label 300 out of range/);
  await expectCsvError('0,1,2\n-1,3,4\n', /line 2: label -1 out of range/);
  await expectCsvError('0,1,2\n1.5,3,4\n', /line 2: label 1.5 out of range/);
  await expectCsvError('label,a,b\n', /no data rows/);
  await expectCsvError('0,1,oops\n1,3,4\n', /line 1, column 3: non-numeric value 'oops'/);
  const { dir, cleanup } = tempDir();
  const missing = join(dir, 'missing.csv');
  cleanup();
  await assert.rejects(loadDataSpec(`csv:${missing}`), new RegExp(`${missing}: file not found`));
});
