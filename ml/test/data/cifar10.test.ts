import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '@flexmoe/shared';
import { loadDataSpec } from '../../src/data/spec';
import { floatValues } from '../../src/data/types';
import { cifarBytes, tempDir } from './test-fixtures';

test('cifar10 with data and test batches keeps the given split, NCHW, 0..1', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const nested = join(dir, 'cifar-10-batches-bin');
    mkdirSync(nested);
    writeFileSync(join(nested, 'data_batch_1.bin'), cifarBytes([0, 1, 2, 3]));
    writeFileSync(join(nested, 'data_batch_3.bin'), cifarBytes([9, 8]));
    writeFileSync(join(nested, 'test_batch.bin'), cifarBytes([5, 6, 7]));
    const tt = await loadDataSpec(`cifar10:${dir}`);
    assert.deepEqual(tt.train.shape, [3, 32, 32]);
    assert.equal(tt.train.classes, 10);
    assert.deepEqual([...tt.train.y], [0, 1, 2, 3, 9, 8]);
    assert.deepEqual([...tt.test.y], [5, 6, 7]);
    // record 1 of data_batch_3 (train sample 5): value j is (1 + j) % 256 / 255
    const x = floatValues(tt.train);
    for (const j of [0, 1023, 1024, 3071]) assert.equal(x[5 * 3072 + j], Math.fround(((1 + j) % 256) / 255));
  } finally {
    cleanup();
  }
});

test('cifar10 with only data batches holds out a seeded test fraction', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'data_batch_2.bin'), cifarBytes([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]));
    const tt = await loadDataSpec(`cifar10:${dir}`, { seed: 4 });
    assert.equal(tt.train.n, 8);
    assert.deepEqual([...tt.test.y].sort(), [0, 1]);
  } finally {
    cleanup();
  }
});

test('cifar10 errors name the file and the problem', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const expectError = async (target: string, problem: RegExp): Promise<void> => {
      await assert.rejects(loadDataSpec(`cifar10:${dir}`), (err: unknown) => {
        assert.ok(err instanceof FileFormatError, String(err));
        assert.ok(err.message.includes(target), err.message);
        assert.match(err.message, problem);
        return true;
      });
    };
    await expectError(dir, /no CIFAR-10 batch files/);
    const batch = join(dir, 'data_batch_1.bin');
    writeFileSync(batch, cifarBytes([1, 2]).subarray(0, 5000));
    await expectError(batch, /truncated/);
    writeFileSync(batch, cifarBytes([1, 12]));
    await expectError(batch, /record 1: label 12 out of range 0\.\.9/);
    await assert.rejects(loadDataSpec(`cifar10:${join(dir, 'absent')}`), /absent: CIFAR-10 directory not found/);
  } finally {
    cleanup();
  }
});
