import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { sleep } from '../../src/util/sleep';

test('sleep ends early when its signal aborts, and at once when it already has', async () => {
  const controller = new AbortController();
  const pending = sleep(60_000, controller.signal);
  controller.abort(new Error('stop'));
  await pending; // a 60 s timer would keep the test running; resolving is the assertion
  await sleep(60_000, controller.signal);
  assert.equal(controller.signal.aborted, true);
});

test('sleep leaves no listener on the signal once its timer fired', async () => {
  const controller = new AbortController();
  for (let i = 0; i < 20; i++) await sleep(0, controller.signal);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});
