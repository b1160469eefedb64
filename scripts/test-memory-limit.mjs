#!/usr/bin/env node
// The client daemon under a real kernel memory limit (run by .ci/run after `npm test`; needs root
// and a cgroup memory controller, v2 or v1): a coordinator and one daemon training one round on a
// 60,000-sample Fashion-MNIST shard inside a fresh memory cgroup of 256 MiB (no swap). Asserts
// the kernel did not OOM-kill it, the round finished, and its VmHWM stayed under 256 MiB; then a
// control run under 128 MiB must be OOM-killed, proving the limit is enforced and not ignored.
// A third run loads the same 60,000 images from gzipped IDX files, as a device with its own data
// does (the Kubernetes and systemd examples).
//
//   npm run build && node scripts/test-memory-limit.mjs      (or: npm run test:memory)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const { measureClientMemory, memoryCgroupSupport } = require('@flexmoe/tools');
const { loadFashionImages } = require('@flexmoe/ml/data');

const MiB = 2 ** 20;
const GOAL = 256 * MiB;
const support = memoryCgroupSupport();
const skip = 'unavailable' in support ? support.unavailable : false;
// CI sets FLEXMOE_REQUIRE_TOOLS: there a missing memory controller fails instead of skipping.
if (skip && process.env.FLEXMOE_REQUIRE_TOOLS) throw new Error(`memory limit test cannot run: ${skip}`);

function summary(r) {
  const { log, ...rest } = r;
  return JSON.stringify({ ...rest, peakMiB: +(r.peakRssBytes / MiB).toFixed(1), tail: log.split('\n').slice(-4).join('\n') });
}

test('a daemon on a 60,000-sample shard trains a round under a 256 MiB kernel limit, VmHWM < 256 MiB', { skip }, async () => {
  // The cache is built by this process first: the daemon of a real deployment finds it ready
  // (the image build writes it), and building it is not what this limit is about.
  await loadFashionImages();
  const r = await measureClientMemory({ samples: 60000, rounds: 1, limitBytes: GOAL });
  console.log(`# ${support.version} cgroup, 256 MiB: ${summary(r)}`);
  assert.equal(r.oomKills, 0, 'the kernel OOM-killed the daemon');
  assert.equal(r.signal, null);
  assert.equal(r.exitCode, 0);
  assert.equal(r.roundsTrained, 1);
  assert.ok(r.testAccuracy > 0.6, `test accuracy ${r.testAccuracy}`);
  assert.ok(r.peakRssBytes > 64 * MiB && r.peakRssBytes < GOAL, `VmHWM ${r.peakRssBytes / MiB} MiB`);
  // What the daemon reports itself is the same high-water mark (read at its exit, so not below).
  assert.ok(r.reportedPeakRssBytes >= r.peakRssBytes * 0.98 && r.reportedPeakRssBytes < GOAL, `reported ${r.reportedPeakRssBytes}`);
});

/** The 60,000 Fashion-MNIST train images and labels as gzipped IDX files in `dir`. */
async function writeIdxFiles(dir) {
  const im = await loadFashionImages();
  const n = im.nTrain;
  const header = (dims) => {
    const h = Buffer.alloc(4 + 4 * dims.length);
    h.writeUInt32BE(0x800 + dims.length, 0);
    dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return h;
  };
  const images = path.join(dir, 'train-images-idx3-ubyte.gz');
  const labels = path.join(dir, 'train-labels-idx1-ubyte.gz');
  writeFileSync(images, gzipSync(Buffer.concat([header([n, 28, 28]), im.pixels.subarray(0, n * 784)])));
  writeFileSync(labels, gzipSync(Buffer.concat([header([n]), im.labels.subarray(0, n)])));
  return `idx:${images},${labels}`;
}

test('a daemon loading 60,000 images from gzipped IDX files trains a round under 256 MiB', { skip }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-idx-'));
  try {
    const r = await measureClientMemory({ samples: 60000, rounds: 1, limitBytes: GOAL, data: await writeIdxFiles(dir) });
    console.log(`# ${support.version} cgroup, 256 MiB, idx.gz: ${summary(r)}`);
    assert.equal(r.oomKills, 0, 'the kernel OOM-killed the daemon');
    assert.equal(r.exitCode, 0);
    assert.equal(r.roundsTrained, 1);
    assert.ok(r.testAccuracy > 0.6, `test accuracy ${r.testAccuracy}`);
    assert.ok(r.peakRssBytes > 64 * MiB && r.peakRssBytes < GOAL, `VmHWM ${r.peakRssBytes / MiB} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('control: the same daemon under a 128 MiB limit is OOM-killed (the limit is real)', { skip }, async () => {
  const r = await measureClientMemory({ samples: 60000, rounds: 1, limitBytes: 128 * MiB, timeoutMs: 5 * 60_000 });
  console.log(`# ${support.version} cgroup, 128 MiB: ${summary(r)}`);
  assert.ok(r.oomKills >= 1, 'no OOM kill recorded by the cgroup');
  assert.equal(r.signal, 'SIGKILL');
  assert.equal(r.roundsTrained, 0);
});
