import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitEvenly } from '../../src/loadgen/worker-pool';

test('sessions split into contiguous groups whose sizes differ by at most one', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const groups = splitEvenly(items, 3);
  assert.deepEqual(groups, [
    [0, 1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  assert.deepEqual(splitEvenly(items.slice(0, 2), 4), [[0], [1]], 'no empty groups');
  assert.deepEqual(splitEvenly(items, 1), [items]);
});
