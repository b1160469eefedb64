import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileFormatError } from '@flexmoe/shared';
import { sharedBytes } from '../../src/data/convert';
import { readIdx } from '../../src/data/idx';
import { loadDataSpec } from '../../src/data/spec';
import type { Dataset } from '../../src/data/types';
import { floatValues } from '../../src/data/types';
import { idxBytes, tempDir } from './test-fixtures';

const N = 10;
/** Pixel j of image i is 20*i + j (so the first pixel identifies the image); label i % 3. */
const pixelOf = (i: number, j: number): number => 20 * i + j;
const labelOf = (i: number): number => i % 3;

function writePair(dir: string, gzip: boolean, tag = ''): { images: string; labels: string } {
  const pixels = Array.from({ length: N * 6 }, (_, k) => pixelOf(Math.floor(k / 6), k % 6));
  const wrap = (b: Buffer): Buffer => (gzip ? gzipSync(b) : b);
  const images = join(dir, `images${tag}.idx${gzip ? '.gz' : ''}`);
  const labels = join(dir, `labels${tag}.idx${gzip ? '.gz' : ''}`);
  writeFileSync(images, wrap(idxBytes([N, 2, 3], pixels)));
  writeFileSync(
    labels,
    wrap(
      idxBytes(
        [N],
        Array.from({ length: N }, (_, i) => labelOf(i)),
      ),
    ),
  );
  return { images, labels };
}

/** Recovers each sample's source image from its first pixel and checks all its values. */
function sourceIds(ds: Dataset): number[] {
  const x = floatValues(ds);
  return Array.from({ length: ds.n }, (_, s) => {
    const id = Math.round((x[s * 6]! * 255) / 20);
    for (let j = 0; j < 6; j++) assert.ok(Math.abs(x[s * 6 + j]! - pixelOf(id, j) / 255) < 1e-6);
    assert.equal(ds.y[s], labelOf(id));
    return id;
  });
}

async function expectFileError(spec: string, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(loadDataSpec(spec), (err: unknown) => {
    assert.ok(err instanceof FileFormatError, `expected FileFormatError, got ${String(err)}`);
    assert.ok(err.message.includes(file), `message should name ${file}: ${err.message}`);
    assert.match(err.message, problem);
    return true;
  });
}

for (const gzip of [false, true]) {
  test(`idx ${gzip ? 'gzipped' : 'plain'}: every image loaded once, scaled to 0..1, seeded stratified hold-out`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const f = writePair(dir, gzip);
      const tt = await loadDataSpec(`idx:${f.images},${f.labels}`, { seed: 3 });
      assert.deepEqual(tt.train.shape, [1, 2, 3]);
      assert.equal(tt.train.classes, 3);
      const ids = [...sourceIds(tt.train), ...sourceIds(tt.test)].sort((a, b) => a - b);
      assert.deepEqual(
        ids,
        Array.from({ length: N }, (_, i) => i),
      );
      // classes hold 4, 3, 3 images; 20% of each rounds to 1
      assert.deepEqual([...tt.test.y].sort(), [0, 1, 2]);
    } finally {
      cleanup();
    }
  });
}

test('idx with four paths keeps the given train/test split', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = writePair(dir, false, 'a');
    const b = writePair(dir, true, 'b');
    const tt = await loadDataSpec(`idx:${a.images},${a.labels},${b.images},${b.labels}`);
    assert.equal(tt.train.n, N);
    assert.equal(tt.test.n, N);
    assert.deepEqual(
      sourceIds(tt.test),
      Array.from({ length: N }, (_, i) => i),
    );
  } finally {
    cleanup();
  }
});

test('idx errors name the file and the problem', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = writePair(dir, false);
    const missing = join(dir, 'nope.idx');
    await expectFileError(`idx:${missing},${f.labels}`, missing, /not found/);

    const notIdx = join(dir, 'text.idx');
    writeFileSync(notIdx, 'hello world');
    await expectFileError(`idx:${notIdx},${f.labels}`, notIdx, /wrong magic number/);

    const truncated = join(dir, 'trunc.idx');
    writeFileSync(truncated, idxBytes([N, 2, 3], new Array(N * 6).fill(1)).subarray(0, 40));
    await expectFileError(`idx:${truncated},${f.labels}`, truncated, /truncated/);

    const badGzip = join(dir, 'bad.gz');
    writeFileSync(badGzip, gzipSync(idxBytes([N], new Array(N).fill(0))).subarray(0, 15));
    await expectFileError(`idx:${f.images},${badGzip}`, badGzip, /gzip/);

    const fewLabels = join(dir, 'few.idx');
    writeFileSync(fewLabels, idxBytes([N - 1], new Array(N - 1).fill(0)));
    await expectFileError(`idx:${f.images},${fewLabels}`, f.images, /image count 10 != label count 9/);

    await expectFileError(`idx:${f.labels},${f.labels}`, f.labels, /images need 2 or 3 IDX dimensions/);
  } finally {
    cleanup();
  }
});

test('idx labels at or above a declared class count are rejected', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = writePair(dir, false);
    await assert.rejects(loadDataSpec(`idx:${f.images},${f.labels}`, { classes: 2 }), (err: unknown) => {
      assert.ok(err instanceof FileFormatError);
      assert.ok(err.message.includes(f.labels));
      assert.match(err.message, /label 2 of sample 2 out of range 0\.\.1/);
      return true;
    });
  } finally {
    cleanup();
  }
});

test('idx streams many gzip chunks into one array of exactly its size, in shared memory when asked', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const n = 300; // 300 images of 28x28: 235 kB, many gunzip chunks
    const pixels = Array.from({ length: n * 784 }, (_, k) => (k * 7 + (k >> 10)) % 256);
    const plain = join(dir, 'i.idx');
    const zipped = join(dir, 'i.idx.gz');
    writeFileSync(plain, idxBytes([n, 28, 28], pixels));
    writeFileSync(zipped, gzipSync(idxBytes([n, 28, 28], pixels)));
    const a = await readIdx(plain);
    const b = await readIdx(zipped, sharedBytes);
    assert.deepEqual(a.dims, [n, 28, 28]);
    assert.deepEqual(b.dims, a.dims);
    assert.ok(b.data.buffer instanceof SharedArrayBuffer && b.data.byteLength === b.data.buffer.byteLength);
    assert.deepEqual(Buffer.from(b.data), Buffer.from(pixels));
    assert.deepEqual(Buffer.from(a.data), Buffer.from(pixels));
    const trailing = join(dir, 't.idx.gz');
    writeFileSync(trailing, gzipSync(Buffer.concat([idxBytes([n, 28, 28], pixels), Buffer.alloc(5)])));
    await assert.rejects(readIdx(trailing), /5 unexpected trailing bytes/);
  } finally {
    cleanup();
  }
});
