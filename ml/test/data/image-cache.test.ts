import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '@flexmoe/shared';
import type { CachedImages } from '../../src/data/image-cache';
import { readImageCache, writeImageCache } from '../../src/data/image-cache';
import { tempDir } from './test-fixtures';

const images: CachedImages = {
  n: 5,
  shape: [1, 2, 2],
  classes: 3,
  nTrain: 3,
  labels: Uint8Array.from([0, 1, 2, 1, 0]),
  pixels: Uint8Array.from({ length: 20 }, (_, i) => (i * 37) % 256),
};

test('image cache round-trips and leaves no temporary file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'sub', 'c.bin');
    await writeImageCache(path, images);
    const back = await readImageCache(path);
    assert.deepEqual({ ...back, labels: [...back.labels], pixels: [...back.pixels] }, { ...images, labels: [...images.labels], pixels: [...images.pixels] });
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['c.bin']);
  } finally {
    cleanup();
  }
});

test('image cache rejects a flipped byte, a truncated file and a foreign file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'c.bin');
    await writeImageCache(path, images);
    const good = readFileSync(path);
    const expectBroken = async (bytes: Buffer, problem: RegExp): Promise<void> => {
      writeFileSync(path, bytes);
      await assert.rejects(readImageCache(path), (err: unknown) => err instanceof FileFormatError && err.message.includes(path) && problem.test(err.message));
    };
    const flipped = Buffer.from(good);
    flipped[good.length - 3]! ^= 0xff;
    await expectBroken(flipped, /checksum mismatch/);
    await expectBroken(good.subarray(0, good.length - 1), /truncated/);
    await expectBroken(good.subarray(0, 10), /truncated cache header/);
    await expectBroken(Buffer.concat([Buffer.from('JUNK'), good.subarray(4)]), /wrong magic number/);
  } finally {
    cleanup();
  }
});
