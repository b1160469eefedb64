import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleClients } from '../../src/rounds/sampling';

const ids = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);

test('sampling takes ceil(fraction * n), at least min-clients, reproducibly per seed, round and attempt', () => {
  const a = sampleClients(ids, 0.3, 2, 7, 1, 0);
  assert.equal(a.length, 6);
  assert.deepEqual(a, sampleClients([...ids].reverse(), 0.3, 2, 7, 1, 0), 'input order does not matter');
  assert.notDeepEqual(a, sampleClients(ids, 0.3, 2, 7, 2, 0), 'another round, another sample');
  assert.equal(new Set(a).size, a.length);
  assert.equal(sampleClients(ids, 0.01, 4, 7, 1, 0).length, 4);
  assert.deepEqual(sampleClients(ids.slice(0, 3), 0.5, 5, 7, 1, 0), ids.slice(0, 3));
});
