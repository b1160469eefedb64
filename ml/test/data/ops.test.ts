import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, ShapeError } from '@flexmoe/shared';
import { concat, holdOut, subset } from '../../src/data/ops';
import { parseDataSpec, loadDataSpec } from '../../src/data/spec';
import { seededShuffle } from '@flexmoe/shared';
import { labelledDataset } from './test-fixtures';

const ds = labelledDataset(
  Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 1 : 0)),
  2,
);

test('hold-out is seeded, stratified and a disjoint cover', () => {
  const a = holdOut(ds, 0.25, 5);
  const b = holdOut(ds, 0.25, 5);
  assert.deepEqual([...a.test.x], [...b.test.x]);
  assert.notDeepEqual([...holdOut(ds, 0.25, 6).test.x], [...a.test.x]);
  const ones = (y: Uint8Array): number => y.reduce((s, v) => s + v, 0);
  // 29 of class 1 and 171 of class 0 -> round(7.25) = 7 and round(42.75) = 43 held out
  assert.equal(ones(a.test.y), 7);
  assert.equal(a.test.n, 50);
  const ids = [...a.train.x, ...a.test.x].map((v) => Math.round(v * 200)).sort((p, q) => p - q);
  assert.deepEqual(
    ids,
    Array.from({ length: 200 }, (_, i) => i),
  );
  assert.throws(() => holdOut(ds, 1, 0), InvalidArgumentError);
});

test('subset and concat keep samples and labels together', () => {
  const s = subset(ds, [7, 3, 7]);
  assert.deepEqual([...s.y], [1, 0, 1]);
  assert.deepEqual([...s.x], [7 / 200, 3 / 200, 7 / 200].map(Math.fround));
  const c = concat([s, subset(ds, [14])]);
  assert.equal(c.n, 4);
  assert.deepEqual([...c.y], [1, 0, 1, 1]);
  assert.throws(() => subset(ds, [200]), InvalidArgumentError);
  const other = { ...s, shape: [1, 1, 2] as [number, number, number], x: new Float32Array(6) };
  assert.throws(() => concat([s, other]), ShapeError);
});

test('seeded shuffle is a deterministic permutation', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = seededShuffle(items, 1);
  assert.deepEqual(a, seededShuffle(items, 1));
  assert.notDeepEqual(a, seededShuffle(items, 2));
  assert.deepEqual(
    [...a].sort((p, q) => p - q),
    items,
  );
});

test('data specs are parsed, with clear errors for bad ones', async () => {
  assert.deepEqual(parseDataSpec('fashion-mnist'), { kind: 'fashion-mnist' });
  const idx = parseDataSpec('idx:/a/i,/a/l');
  assert.equal(idx.kind === 'idx' && idx.images, '/a/i');
  assert.throws(() => parseDataSpec('mnist'), /unknown kind 'mnist'/);
  assert.throws(() => parseDataSpec('idx:/a/i'), /idx takes 2 or 4 paths, got 1/);
  assert.throws(() => parseDataSpec('csv:'), /empty path/);
  await assert.rejects(loadDataSpec('csv:/x.csv', { testFraction: 0 }), /testFraction must be between 0 and 1/);
});
