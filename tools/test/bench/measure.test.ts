import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureInterleaved } from '../../src/bench/measure';

test('interleaved measurement runs every case in every window and reports best >= median', async () => {
  const order: string[] = [];
  const m = await measureInterleaved({ a: () => order.push('a'), b: async () => order.push('b') }, { warmupMs: 1, measureMs: 8, windows: 4 });
  for (const k of ['a', 'b'] as const) {
    assert.ok(m[k].calls >= 4, `${k} ran ${m[k].calls} times`);
    assert.ok(m[k].callsPerSecond >= m[k].medianCallsPerSecond && m[k].medianCallsPerSecond > 0);
    assert.ok(m[k].cpuCallsPerSecond > 0 && Number.isFinite(m[k].cpuCallsPerSecond));
  }
  // Windows alternate between the cases: after the warm-ups, a run of a's is followed by b's, four times.
  const switches = order.slice(1).filter((c, i) => c !== order[i]).length;
  assert.ok(switches >= 2 * 4 - 1, `only ${switches} switches between cases`);
});
