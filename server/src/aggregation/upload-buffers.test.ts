import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TensorBufferPool } from './upload-buffers';

const view = (b: Buffer) => new Float32Array(b.buffer, b.byteOffset, b.length / 4);

test('a returned buffer is handed out again for the same size, once, and never while out', () => {
  const pool = new TensorBufferPool();
  const a = pool.take(64);
  const b = pool.take(64);
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.length, 64);
  assert.equal(a.byteOffset, 0);
  pool.releaseParams({ x: view(a) });
  pool.releaseParams({ x: view(a) }); // a second return of the same memory is ignored
  assert.equal(pool.pooledBytes, 64);
  const c = pool.take(64);
  assert.equal(c.buffer, a.buffer);
  assert.notEqual(pool.take(64).buffer, a.buffer); // only one copy of it was pooled
  assert.notEqual(pool.take(32).length, 64);
  assert.equal(pool.pooledBytes, 0);
});

test('arrays the pool did not hand out are never taken (e.g. a client\'s own parameters)', () => {
  const pool = new TensorBufferPool();
  const own = new Float32Array(16).fill(3);
  pool.releaseParams({ own });
  assert.equal(pool.pooledBytes, 0);
  assert.notEqual(pool.take(64).buffer, own.buffer);
  assert.deepEqual([...own], new Array(16).fill(3));
});

test('the pool keeps at most maxFreeBytes for reuse', () => {
  const pool = new TensorBufferPool(100);
  const bufs = [pool.take(40), pool.take(40), pool.take(40)];
  pool.releaseParams({ a: view(bufs[0]!), b: view(bufs[1]!), c: view(bufs[2]!) });
  assert.equal(pool.pooledBytes, 80);
});
