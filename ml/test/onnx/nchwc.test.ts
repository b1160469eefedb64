/**
 * Blocked-layout (NCHWc) convolutions: the probe's answer, why it is needed (a block size other than
 * the CPU's gives wrong numbers without any error), and where the blocked ops may and may not appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultModelConfig, initParameters } from '@flexmoe/shared';
import { GraphBuilder } from '../../src/onnx/builder';
import { relativeError, seededRandom } from '../../src/onnx/gradcheck';
import { runModelOnce } from '../../src/onnx/runtime';
import { buildEvalGraph, buildInferenceModel } from '../../src/model/graphs';
import { nchwcBlockSize } from '../../src/training/nchwc-probe';

const DOMAIN = 'com.microsoft.nchwc';
const hasBlocked = (bytes: Uint8Array): boolean => Buffer.from(bytes).includes(DOMAIN);

function convModel(block: number): Uint8Array {
  const g = new GraphBuilder({ dtype: 'float32', nchwcBlock: block });
  const x = g.input('x', 'float', ['N', 16, 7, 7]);
  const w = g.input('w', 'float', [32, 16, 3, 3]);
  g.output(g.conv(x, w, null, { pads: [1, 1, 1, 1] }), 'y');
  return g.build();
}

function feeds(): Record<string, { data: Float32Array; dims: number[] }> {
  const r = seededRandom(11);
  const fill = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  return { x: { data: fill(3 * 16 * 49), dims: [3, 16, 7, 7] }, w: { data: fill(32 * 16 * 9), dims: [32, 16, 3, 3] } };
}

test('the probe answers once per process, with 0 or a block size, and FLEXMOE_NCHWC=0 turns it off', async () => {
  const block = await nchwcBlockSize();
  assert.ok([0, 4, 8, 16].includes(block), `block ${block}`);
  assert.equal(nchwcBlockSize(), nchwcBlockSize(), 'cached');
  process.env.FLEXMOE_NCHWC = '0';
  try {
    assert.equal(await nchwcBlockSize(), 0);
  } finally {
    delete process.env.FLEXMOE_NCHWC;
  }
  assert.equal(await nchwcBlockSize(), block);
});

test('a blocked Conv with the probed block size matches the plain Conv; other block sizes do not, silently', async () => {
  const block = await nchwcBlockSize();
  const plain = await runModelOnce(convModel(0), feeds());
  if (block > 0) {
    const blocked = await runModelOnce(convModel(block), feeds());
    assert.deepEqual(blocked.y.dims, plain.y.dims);
    assert.ok(relativeError(blocked.y.data as Float32Array, plain.y.data as Float32Array) < 1e-5);
  }
  // Without NCHWc kernels (arm64) the session cannot be created; with them, the wrong block runs.
  for (const other of [4, 8, 16].filter((b) => b !== block)) {
    const run = await runModelOnce(convModel(other), feeds()).catch(() => null);
    if (run) assert.ok(relativeError(run.y.data as Float32Array, plain.y.data as Float32Array) > 1e-2, `block ${other} went unnoticed`);
  }
});

test('blocked ops appear only where they fit and never in portable or float64 graphs', () => {
  assert.ok(hasBlocked(convModel(16)));
  assert.ok(!hasBlocked(convModel(0)));
  const narrow = new GraphBuilder({ dtype: 'float32', nchwcBlock: 16 });
  // 24 input channels, not a multiple of the block: a plain Conv (so is a one-channel image).
  narrow.output(narrow.conv(narrow.input('x', 'float', ['N', 24, 5, 5]), narrow.input('w', 'float', [16, 24, 3, 3])), 'y');
  narrow.output(narrow.conv(narrow.input('img', 'float', ['N', 1, 5, 5]), narrow.input('w1', 'float', [16, 1, 3, 3])), 'y1');
  assert.ok(!hasBlocked(narrow.build()));
  const portable = new GraphBuilder({ dtype: 'float32', nchwcBlock: 16, portable: true });
  portable.output(portable.conv(portable.input('x', 'float', ['N', 16, 5, 5]), portable.input('w', 'float', [16, 16, 3, 3])), 'y');
  assert.ok(!hasBlocked(portable.build()));
  const f64 = new GraphBuilder({ dtype: 'float64', nchwcBlock: 16 });
  f64.output(f64.conv(f64.input('x', 'float', ['N', 16, 5, 5]), f64.input('w', 'float', [16, 16, 3, 3])), 'y');
  assert.ok(!hasBlocked(f64.build()));
});

test('the evaluation graph is blocked on request; the exported inference model never is', () => {
  const cfg = defaultModelConfig({ backbone: 'resnet', experts: 3 });
  assert.ok(hasBlocked(buildEvalGraph(cfg, 2, { dtype: 'float32', nchwcBlock: 16 })));
  assert.ok(!hasBlocked(buildEvalGraph(cfg, 2, { dtype: 'float32' })));
  assert.ok(!hasBlocked(buildInferenceModel(cfg, initParameters(cfg, 1), [0, 2])));
});
