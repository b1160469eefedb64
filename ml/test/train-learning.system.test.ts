// Learning on a small Fashion-MNIST subset through the worker-thread Trainer, and the exported
// inference model run in a fresh ONNX Runtime session against the evaluation graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { subset } from '../src/data/ops';
import { range, seededShuffle } from '@flexmoe/shared';
import { loadDataSpec } from '../src/data/spec';
import type { Dataset } from '../src/data/types';
import { floatValues } from '../src/data/types';
import { defaultModelConfig } from '@flexmoe/shared';
import { initParameters, selectAssigned } from '@flexmoe/shared';
import { Trainer } from '../src/training/trainer';

async function smallFashion(): Promise<{ train: Dataset; test: Dataset }> {
  const { train, test } = await loadDataSpec('fashion-mnist');
  const pick = (ds: Dataset, n: number): number[] => seededShuffle(range(ds.n), 5, 'train-test-subset').slice(0, n);
  return { train: subset(train, pick(train, 3000)), test: subset(test, pick(test, 1000)) };
}

test('a 4-expert MLP MoE learns Fashion-MNIST far above chance in a few epochs (worker thread)', async () => {
  const { train, test: held } = await smallFashion();
  // Central training of all experts routes top-2 (the federated default is top-1).
  const model = defaultModelConfig({ experts: 4, topR: 2 });
  const trainer = await Trainer.create({ model });
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-train-'));
  try {
    const assigned = [0, 1, 2, 3];
    const before = initParameters(model, 3);
    const start = await trainer.evaluate({ params: before, assigned, data: held });
    const r = await trainer.train({ params: before, assigned, data: train, epochs: 4, lr: 0.1, batchSize: 32, seed: 3 });
    const ev = await trainer.evaluate({ params: r.params, assigned, data: held });
    assert.equal(r.samples, 4 * train.n);
    assert.equal(r.steps, 4 * Math.ceil(train.n / 32));
    assert.ok(start.accuracy < 0.3, `untrained accuracy ${start.accuracy}`);
    assert.ok(ev.accuracy > 0.7, `test accuracy after training ${ev.accuracy} (chance 0.1)`);
    assert.ok(r.loss < start.loss, `train loss ${r.loss} vs initial ${start.loss}`);
    // Top-2 routing counts every sample twice; no expert is left unused.
    assert.equal(
      ev.experts.reduce((s, e) => s + e.usage, 0),
      2 * held.n,
    );
    for (const e of ev.experts) assert.ok(e.usage > 0.02 * held.n, `expert ${e.expert} routed ${e.usage} of ${held.n}`);

    // A client's personalised model: 2 of the 4 experts, exported and run by a fresh session.
    const mine = [3, 1];
    const params = selectAssigned(r.params, mine);
    const file = path.join(dir, 'model.onnx');
    await trainer.exportInference({ params, assigned: mine, file });
    assert.deepEqual(readdirSync(dir), ['model.onnx'], 'no temp file left behind');
    const viaEval = await trainer.evaluate({ params, assigned: mine, data: held });
    const session = await ort.InferenceSession.create(file);
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual([...session.outputNames].sort(), ['label', 'probabilities']);
    const out = await session.run({ input: new ort.Tensor('float32', floatValues(held), [held.n, ...held.shape]) });
    const labels = Array.from(out.label.data as BigInt64Array, Number);
    assert.deepEqual(labels, [...viaEval.predictions]);
    const probs = out.probabilities.data as Float32Array;
    for (let i = 0; i < held.n; i += 97) {
      const row = probs.subarray(i * 10, (i + 1) * 10);
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
      assert.equal(row.indexOf(Math.max(...row)), labels[i]);
    }
    await session.release();
  } finally {
    await trainer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
