// Per-expert statistics (usage, correct, loss sum), loss and predictions of the Trainer's train and
// evaluate graphs against the independent plain-TypeScript forward pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { SeededRandom } from '@flexmoe/shared';
import type { Dataset } from '../src/data/types';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { initParameters, selectAssigned, sizeOf } from '@flexmoe/shared';
import { referenceForward } from '../src/model/reference';
import { Trainer } from '../src/training/trainer';

function randomDataset(cfg: MoEConfig, n: number, seed: number): Dataset {
  const rng = new SeededRandom(seed, 'stats-data');
  const x = Float32Array.from({ length: n * sizeOf(cfg.inputShape) }, () => rng.next());
  const y = Uint8Array.from({ length: n }, () => rng.int(cfg.classes));
  return { name: 'random', x, y, n, shape: [...cfg.inputShape] as [number, number, number], classes: cfg.classes };
}

const cfg = defaultModelConfig({ inputShape: [1, 6, 6], classes: 5, experts: 6, featureDim: 12, expertHidden: 8, topR: 2 });
const assigned = [4, 1, 5];

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs reference ${b}`);
}

test('evaluate: loss, accuracy, predictions and per-expert stats equal the plain-TS reference', async () => {
  const trainer = await Trainer.create({ model: cfg, worker: false });
  try {
    const params = selectAssigned(initParameters(cfg, 11), assigned);
    const data = randomDataset(cfg, 40, 1);
    const ref = referenceForward(cfg, params, assigned, data.x, data.y, data.n);
    const ev = await trainer.evaluate({ params, assigned, data, batchSize: 16 });
    assert.deepEqual([...ev.predictions], ref.predictions);
    close(ev.loss, ref.loss, 1e-5, 'loss');
    close(ev.accuracy, ref.predictions.filter((p, i) => p === data.y[i]).length / data.n, 0, 'accuracy');
    assert.deepEqual(
      ev.experts.map((e) => e.expert),
      assigned,
    );
    assert.deepEqual(
      ev.experts.map((e) => e.usage),
      ref.usage,
    );
    assert.deepEqual(
      ev.experts.map((e) => e.correct),
      ref.correct,
    );
    ev.experts.forEach((e, j) => close(e.lossSum, ref.lossSum[j], 1e-5, `lossSum of expert ${e.expert}`));
    assert.deepEqual(
      ev.experts.map((e) => e.ownCorrect),
      ref.ownCorrect,
    );
    ev.experts.forEach((e, j) => close(e.ownLossSum, ref.ownLossSum[j], 1e-5, `ownLossSum of expert ${e.expert}`));
    // top-2 routing: every sample is counted by exactly two experts.
    assert.equal(
      ev.experts.reduce((s, e) => s + e.usage, 0),
      2 * data.n,
    );
  } finally {
    await trainer.close();
  }
});

test('train: statistics are taken before each step and match the reference at the starting weights', async () => {
  const trainer = await Trainer.create({ model: cfg });
  try {
    const params = selectAssigned(initParameters(cfg, 12), assigned);
    const data = randomDataset(cfg, 24, 2);
    const ref = referenceForward(cfg, params, assigned, data.x, data.y, data.n);
    // One epoch, one batch holding every sample: exactly one SGD step.
    const r = await trainer.train({ params, assigned, data, epochs: 1, lr: 0.1, batchSize: data.n, seed: 0 });
    assert.equal(r.steps, 1);
    assert.equal(r.samples, data.n);
    close(r.loss, ref.loss, 1e-5, 'loss');
    assert.deepEqual(
      r.experts.map((e) => e.usage),
      ref.usage,
    );
    assert.deepEqual(
      r.experts.map((e) => e.correct),
      ref.correct,
    );
    r.experts.forEach((e, j) => close(e.lossSum, ref.lossSum[j], 1e-5, `lossSum of expert ${e.expert}`));
    assert.deepEqual(
      r.experts.map((e) => e.ownCorrect),
      ref.ownCorrect,
    );
    r.experts.forEach((e, j) => close(e.ownLossSum, ref.ownLossSum[j], 1e-5, `ownLossSum of expert ${e.expert}`));
    assert.deepEqual(Object.keys(r.params).sort(), Object.keys(params).sort());
    assert.notDeepEqual(r.params['gate.weight'], params['gate.weight']);
    // Unassigned experts' gate columns get no gradient.
    for (let f = 0; f < cfg.featureDim; f++) {
      for (const e of [0, 2, 3]) assert.equal(r.params['gate.weight'][f * cfg.experts + e], params['gate.weight'][f * cfg.experts + e]);
    }
  } finally {
    await trainer.close();
  }
});

test('cnn on 32x32x3 inputs: evaluate and the exported model agree with the plain-TS reference', async () => {
  const cnn = defaultModelConfig({ backbone: 'cnn', inputShape: [3, 32, 32], classes: 10, experts: 4, featureDim: 32, expertHidden: 16 });
  const mine = [2, 0, 3];
  const trainer = await Trainer.create({ model: cnn, worker: false });
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-cnn-'));
  try {
    const params = selectAssigned(initParameters(cnn, 5), mine);
    const data = randomDataset(cnn, 12, 3);
    const ref = referenceForward(cnn, params, mine, data.x, data.y, data.n);
    const ev = await trainer.evaluate({ params, assigned: mine, data });
    assert.deepEqual([...ev.predictions], ref.predictions);
    close(ev.loss, ref.loss, 1e-4, 'loss');
    assert.deepEqual(
      ev.experts.map((e) => e.usage),
      ref.usage,
    );
    const file = path.join(dir, 'cnn.onnx');
    await trainer.exportInference({ params, assigned: mine, file });
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({ input: new ort.Tensor('float32', data.x, [data.n, 3, 32, 32]) });
    assert.deepEqual(Array.from(out.label.data as BigInt64Array, Number), ref.predictions);
    await session.release();
  } finally {
    await trainer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('default model, two experts: top-1 routing splits the samples and each expert gets its own feedback', async () => {
  const small = defaultModelConfig({ inputShape: [1, 6, 6], classes: 5, experts: 4, featureDim: 12, expertHidden: 8 });
  assert.equal(small.topR, 1, 'the default routes each sample to one expert');
  const pair = [3, 0];
  const trainer = await Trainer.create({ model: small, worker: false });
  try {
    const params = selectAssigned(initParameters(small, 21), pair);
    const data = randomDataset(small, 64, 4);
    const ref = referenceForward(small, params, pair, data.x, data.y, data.n);
    const ev = await trainer.evaluate({ params, assigned: pair, data });
    assert.deepEqual(
      ev.experts.map((e) => e.usage),
      ref.usage,
    );
    assert.equal(
      ev.experts.reduce((s, e) => s + e.usage, 0),
      data.n,
      'every sample counted once',
    );
    assert.ok(
      ev.experts.every((e) => e.usage > 0),
      `both experts receive samples: ${ev.experts.map((e) => e.usage).join(', ')}`,
    );
    ev.experts.forEach((e, j) => close(e.ownLossSum, ref.ownLossSum[j], 1e-5, `ownLossSum of expert ${e.expert}`));
    const meanOwnLoss = ev.experts.map((e) => e.ownLossSum / e.usage);
    assert.notEqual(meanOwnLoss[0], meanOwnLoss[1], 'the two experts report different losses');
  } finally {
    await trainer.close();
  }
});
