// `flexmoe train` as a user runs it: a real process on a small Fashion-MNIST subset, one progress
// line per epoch, the JSON results and an exported model that a fresh ONNX Runtime session runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

const bin = path.join(__dirname, '..', '..', '..', 'bin', 'flexmoe.js');

test('flexmoe train writes per-epoch progress, JSON results and a runnable model', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-train-cli-'));
  try {
    const json = path.join(dir, 'out', 'train.json');
    const model = path.join(dir, 'out', 'model.onnx');
    const args = [
      'train',
      '--data',
      'fashion-mnist',
      '--backbone',
      'mlp',
      '--epochs',
      '2',
      '--experts',
      '4',
      '--batch-size',
      '32',
      '--max-samples',
      '2000',
      '--max-test-samples',
      '500',
      '--json',
      json,
      '--export',
      model,
    ];
    const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const epochLines = run.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    assert.equal(epochLines.length, 2);
    assert.match(epochLines[1], /^epoch 2\/2 +loss [\d.]+ +train acc [\d.]+ +test acc [\d.]+ +\d+ samples\/s$/);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(out.epochs.length, 2);
    assert.ok(out.testAccuracy > 0.5 && out.testAccuracy <= 1, `testAccuracy ${out.testAccuracy}`);
    assert.equal(out.testAccuracy, out.epochs[1].testAccuracy);
    assert.ok(out.samplesPerSecond > 0);
    for (const e of out.epochs) for (const key of ['epoch', 'loss', 'accuracy', 'testAccuracy']) assert.equal(typeof e[key], 'number');
    const session = await ort.InferenceSession.create(model);
    const res = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 784).fill(0.5), [3, 1, 28, 28]) });
    assert.deepEqual(res.probabilities.dims, [3, 10]);
    assert.deepEqual(res.label.dims, [3]);
    await session.release();

    const bad = spawnSync(process.execPath, [bin, 'train', '--data', `idx:${path.join(dir, 'missing')},x`], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
