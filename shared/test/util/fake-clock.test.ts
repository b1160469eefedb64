import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FakeClock } from '../../src/util/fake-clock';
import { realClock } from '../../src/util/clock';

test('timers fire in time order, ties in the order set, and only when time is advanced past them', async () => {
  const clock = new FakeClock(1000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('b@300'), 300);
  clock.setTimeout(() => fired.push('a@100'), 100);
  clock.setTimeout(() => fired.push('c@300'), 300);
  const cleared = clock.setTimeout(() => fired.push('never'), 200);
  clock.clearTimeout(cleared);
  await clock.advance(99);
  assert.deepEqual(fired, []);
  assert.equal(clock.now(), 1099);
  await clock.advance(201);
  assert.deepEqual(fired, ['a@100', 'b@300', 'c@300']);
  assert.equal(clock.now(), 1300);
  assert.equal(clock.pending, 0);
});

test('an interval fires once per period advanced, and a timer set by a timer fires in the same advance', async () => {
  const clock = new FakeClock(0);
  const at: number[] = [];
  const interval = clock.setInterval(() => at.push(clock.now()), 250);
  clock.setTimeout(() => clock.setTimeout(() => at.push(-clock.now()), 10), 600);
  await clock.advance(1000);
  clock.clearInterval(interval);
  assert.deepEqual(at, [250, 500, -610, 750, 1000]);
  await clock.advance(1000);
  assert.equal(at.length, 5);
});

test('promise chains started by a timer run before the next timer fires', async () => {
  const clock = new FakeClock(0);
  const order: string[] = [];
  let chain: Promise<void> | undefined;
  clock.setTimeout(() => {
    chain = (async () => {
      await Promise.resolve();
      await readFile(__filename);
      order.push('after file read started at 100');
    })();
  }, 100);
  clock.setTimeout(() => order.push('timer at 101'), 101);
  await clock.advance(200);
  await chain;
  assert.deepEqual(order, ['after file read started at 100', 'timer at 101']);
});

test('sleep resolves after fake time passes or when its signal aborts; runNext jumps to the next timer', async () => {
  const clock = new FakeClock(0);
  let woke = false;
  const sleeping = clock.sleep(5000).then(() => (woke = true));
  await clock.advance(4999);
  assert.equal(woke, false);
  assert.equal(await clock.runNext(), true);
  await sleeping;
  assert.equal(clock.now(), 5000);
  const abort = new AbortController();
  const aborted = clock.sleep(60_000, abort.signal);
  abort.abort();
  await aborted;
  assert.equal(clock.pending, 0, 'the aborted sleep cleared its timer');
  assert.equal(await clock.runNext(), false);
});

test('the real clock is Date.now and real timers', async () => {
  const before = Date.now();
  assert.ok(realClock.now() >= before);
  await realClock.sleep(1);
  let fired = false;
  const t = realClock.setTimeout(() => (fired = true), 0);
  await new Promise((r) => setTimeout(r, 5));
  realClock.clearTimeout(t);
  assert.equal(fired, true);
});
