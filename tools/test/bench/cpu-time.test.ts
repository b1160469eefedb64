import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadCpuMicros } from '../../src/bench/cpu-time';

test('thread CPU time advances while computing and not while sleeping', async () => {
  const beforeSleep = threadCpuMicros();
  await sleep(300);
  const slept = threadCpuMicros() - beforeSleep;
  const start = threadCpuMicros();
  const wallStart = Date.now();
  let x = 0;
  while (threadCpuMicros() - start < 100_000 && Date.now() - wallStart < 20_000) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
  assert.ok(x > 0);
  assert.ok(threadCpuMicros() - start >= 100_000, 'CPU time did not advance while computing');
  assert.ok(slept < 100_000, `300 ms of sleep counted as ${slept} us of CPU time`);
});
