import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrayBufferBudget, collectGarbage } from './gc';

const MB = 2 ** 20;

/** Allocates `count` buffers of 1 MB that die at once (but, unreferenced, wait for a collection). */
function litter(count: number): void {
  const keep: Float32Array[] = [];
  for (let i = 0; i < count; i++) keep.push(new Float32Array(MB / 4).fill(i));
  keep.length = 0;
}

/** ArrayBuffer bytes once the concurrent sweeper has caught up (polls up to 2 s for `below`). */
async function arrayBuffersSettling(below: number): Promise<number> {
  for (let i = 0; i < 100 && process.memoryUsage().arrayBuffers >= below; i++) await new Promise((r) => setTimeout(r, 20));
  return process.memoryUsage().arrayBuffers;
}

test('collectGarbage frees unreferenced ArrayBuffers and leaves no global gc behind', async () => {
  litter(24);
  collectGarbage();
  const left = await arrayBuffersSettling(16 * MB);
  assert.ok(left < 16 * MB, `arrayBuffers ${left}`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('ArrayBufferBudget collects only once the garbage exceeds its slack', async () => {
  const budget = new ArrayBufferBudget(8 * MB);
  collectGarbage();
  await arrayBuffersSettling(4 * MB);
  assert.equal(budget.settle(), false, 'nothing to collect right after a collection');
  litter(2);
  assert.equal(budget.settle(), false, '2 MB of garbage is within an 8 MB slack');
  litter(16);
  assert.equal(budget.settle(), true, '18 MB of garbage is over the slack');
  const left = await arrayBuffersSettling(8 * MB);
  assert.ok(left < 8 * MB, `arrayBuffers ${left} after settle`);
});
