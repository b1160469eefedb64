import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusBytes, readResidentMemory, peakResidentBytes, currentResidentBytes } from '../src/proc-memory';

test('statusBytes reads kB fields of /proc/<pid>/status as bytes, 0 when absent', () => {
  const status = 'Name:\tnode\nVmHWM:\t  409456 kB\nVmRSS:\t   1024 kB\n';
  assert.equal(statusBytes(status, 'VmHWM'), 409456 * 1024);
  assert.equal(statusBytes(status, 'VmRSS'), 1024 * 1024);
  assert.equal(statusBytes(status, 'VmSwap'), 0);
});

test('the peak covers a short-lived allocation that is gone before anyone samples', () => {
  const before = readResidentMemory();
  assert.ok(before.rssBytes > 10e6 && before.peakRssBytes >= before.rssBytes);
  const spike = 96 * 2 ** 20;
  // Touch every page (filled, not just reserved), then drop it: only the high-water mark remembers.
  let block: Buffer | undefined = Buffer.allocUnsafeSlow(spike).fill(7);
  assert.equal(block[spike - 1], 7);
  // eslint-disable-next-line no-useless-assignment -- drops the only reference on purpose
  block = undefined;
  const peak = peakResidentBytes();
  assert.ok(peak >= before.rssBytes + spike * 0.95, `peak ${peak} after a ${spike}-byte spike over ${before.rssBytes}`);
  const now = currentResidentBytes();
  assert.ok(peakResidentBytes() >= now, 'the peak is never below a resident size read before it');
});
