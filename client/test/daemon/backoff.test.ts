import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackoff, seededRandom } from '../../src/daemon/backoff';

test('delays grow exponentially up to the cap, each within its jitter band', () => {
  const backoff = createBackoff({ initialMs: 100, maxMs: 2000, factor: 2, jitter: 0.5, seed: 7 });
  const delays = Array.from({ length: 10 }, () => backoff.next());
  delays.forEach((delay, n) => {
    const base = Math.min(2000, 100 * 2 ** n);
    assert.ok(delay <= base && delay >= base * 0.5, `attempt ${n}: ${delay} outside [${base / 2}, ${base}]`);
  });
  assert.ok(Math.max(...delays) <= 2000);
  assert.equal(backoff.attempts, 10);
});

test('jitter is real: delays at the cap are not all equal', () => {
  const backoff = createBackoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, seed: 3 });
  const delays = new Set(Array.from({ length: 8 }, () => backoff.next()));
  assert.ok(delays.size > 1);
});

test('same seed gives the same schedule, another seed another one', () => {
  const run = (seed: number): number[] => {
    const backoff = createBackoff({ seed });
    return Array.from({ length: 6 }, () => backoff.next());
  };
  assert.deepEqual(run(42), run(42));
  assert.notDeepEqual(run(42), run(43));
});

test('reset starts over from the initial delay', () => {
  const backoff = createBackoff({ initialMs: 100, maxMs: 10_000, jitter: 0, seed: 1 });
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [100, 200, 400]);
  backoff.reset();
  assert.equal(backoff.attempts, 0);
  assert.equal(backoff.next(), 100);
});

test('bad options are refused with the field named', () => {
  assert.throws(() => createBackoff({ initialMs: 0 }), /initialMs/);
  assert.throws(() => createBackoff({ initialMs: 500, maxMs: 100 }), /maxMs/);
  assert.throws(() => createBackoff({ jitter: 2 }), /jitter/);
});

test('seeded random stays in [0, 1) and is roughly uniform', () => {
  const random = seededRandom(9);
  const values = Array.from({ length: 10_000 }, random);
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});
