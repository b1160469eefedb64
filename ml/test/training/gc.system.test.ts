import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ArrayBufferBudget, collectGarbage } from '../../src/training/gc';

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

test('collectGarbage frees unreferenced ArrayBuffers (node started with --expose-gc, as npm test does)', async () => {
  litter(24);
  assert.equal(collectGarbage(), true);
  const left = await arrayBuffersSettling(16 * MB);
  assert.ok(left < 16 * MB, `arrayBuffers ${left}`);
});

test('without --expose-gc, collectGarbage reports false and turns on no V8 flag at run time', () => {
  const script = `
    const { collectGarbage } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'training', 'gc.js'))});
    const { runInNewContext } = require('node:vm');
    console.log(JSON.stringify({ collected: collectGarbage(), gcInNewContext: runInNewContext('typeof gc'), gc: typeof gc }));`;
  const env = { ...process.env, NODE_OPTIONS: '' };
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { collected: false, gcInNewContext: 'undefined', gc: 'undefined' });
});

test('ArrayBufferBudget collects only once the garbage exceeds its slack', async () => {
  const budget = new ArrayBufferBudget(8 * MB);
  assert.equal(collectGarbage(), true);
  await arrayBuffersSettling(4 * MB);
  assert.equal(budget.settle(), false, 'nothing to collect right after a collection');
  litter(2);
  assert.equal(budget.settle(), false, '2 MB of garbage is within an 8 MB slack');
  litter(16);
  assert.equal(budget.settle(), true, '18 MB of garbage is over the slack');
  const left = await arrayBuffersSettling(8 * MB);
  assert.ok(left < 8 * MB, `arrayBuffers ${left} after settle`);
});
