// Bad input to the Trainer fails with an error naming the problem, and never returns bad weights;
// the worker-thread Trainer keeps the caller's event loop live and honours abort signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '@flexmoe/shared';
import type { Dataset } from '../src/data/types';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '@flexmoe/shared';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { initParameters, selectAssigned, sizeOf } from '@flexmoe/shared';
import { TrainerClosedError } from '../src/training/errors';
import { Trainer } from '../src/training/trainer';

const cfg = defaultModelConfig({ inputShape: [1, 8, 8], classes: 4, experts: 3, featureDim: 16, expertHidden: 8 });
const assigned = [0, 2];

function dataset(model: MoEConfig, n: number, seed = 1): Dataset {
  const rng = new SeededRandom(seed, 'errors-data');
  const x = Float32Array.from({ length: n * sizeOf(model.inputShape) }, () => rng.next());
  const y = Uint8Array.from({ length: n }, (_, i) => i % model.classes);
  return { name: 'random', x, y, n, shape: [...model.inputShape] as [number, number, number], classes: model.classes };
}

const base = () => ({ params: selectAssigned(initParameters(cfg, 1), assigned), assigned, data: dataset(cfg, 64), epochs: 1, lr: 0.1, batchSize: 16, seed: 0 });

test('wrong, missing or extra tensors and bad datasets are ShapeErrors naming the tensor (from the worker)', async () => {
  const trainer = await Trainer.create({ model: cfg });
  try {
    const req = base();
    const reject = (change: object, pattern: RegExp, cls: abstract new (...args: never[]) => Error = ShapeError) =>
      assert.rejects(trainer.train({ ...req, ...change }), (e: Error) => e instanceof cls && pattern.test(e.message));
    const { ['gate.bias']: _dropped, ...missing } = req.params;
    await reject({ params: missing }, /missing parameter 'gate\.bias'/);
    await reject({ params: { ...req.params, 'expert.1.fc1.bias': new Float32Array(8) } }, /unexpected parameter 'expert\.1\.fc1\.bias'/);
    await reject({ params: { ...req.params, 'gate.weight': new Float32Array(5) } }, /'gate\.weight' has 5 values, expected 48/);
    await reject({ params: { ...req.params, 'gate.bias': new Float64Array(3) } }, /'gate\.bias' must be a Float32Array \(got Float64Array\)/);
    const nan = req.params['expert.2.fc2.bias'].slice();
    nan[1] = NaN;
    await reject({ params: { ...req.params, 'expert.2.fc2.bias': nan } }, /'expert\.2\.fc2\.bias' holds a non-finite value/, NonFiniteError);
    await reject({ data: { ...req.data, shape: [1, 4, 16] } }, /data\.shape \[1,4,16\] does not match the model input \[1,8,8\]/);
    await reject({ data: { ...req.data, x: req.data.x.subarray(1) } }, /data\.x has 4095 values/);
    await reject({ data: { ...req.data, y: Uint8Array.from(req.data.y, () => 7) } }, /data\.y\[0\] = 7 is not below classes = 4/);
    await reject({ assigned: [0, 3] }, /expert index 3 out of range/, InvalidArgumentError);
    await reject({ batchSize: 0 }, /batchSize must be a positive integer/, InvalidArgumentError);
    await reject({ lr: Number.NaN }, /lr must be a finite number/, InvalidArgumentError);
    await assert.rejects(trainer.evaluate({ params: missing, assigned, data: req.data }), /missing parameter 'gate\.bias'/);
    await assert.rejects(trainer.exportInference({ params: missing, assigned, file: '/tmp/never.onnx' }), ShapeError);
    // The trainer still works after every rejection.
    const ok = await trainer.train(req);
    assert.ok(Number.isFinite(ok.loss));
  } finally {
    await trainer.close();
  }
  await assert.rejects(trainer.train(base()), TrainerClosedError);
});

test('a diverging run stops with NonFiniteError naming epoch and step, and returns no weights', async () => {
  for (const worker of [true, false]) {
    const trainer = await Trainer.create({ model: cfg, worker, stepsPerCall: 1 });
    try {
      const req = { ...base(), lr: 1e30, epochs: 3 };
      await assert.rejects(
        trainer.train(req),
        (e: Error) => e instanceof NonFiniteError && /epoch 1, step \d+/.test(e.message) && /no weights/.test(e.message),
      );
    } finally {
      await trainer.close();
    }
  }
});

test('training in the worker keeps the event loop ticking, and an abort signal stops it', async () => {
  const trainer = await Trainer.create({ model: cfg });
  try {
    const req = { ...base(), data: dataset(cfg, 2048), epochs: 500, batchSize: 8 };
    let ticks = 0;
    let ticksAtResult = -1;
    const timer = setInterval(() => ticks++, 1);
    const controller = new AbortController();
    const running = trainer.train({ ...req, signal: controller.signal }).then(
      () => 'finished',
      (e: unknown) => (e as Error).name,
    );
    // Abort once the timer has demonstrably run while the worker trains.
    while (ticks < 5) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const outcome = await running;
    ticksAtResult = ticks;
    clearInterval(timer);
    assert.equal(outcome, 'AbortError');
    assert.ok(ticksAtResult >= 5);
    // Still usable after an abort.
    const r = await trainer.train({ ...base(), epochs: 1 });
    assert.ok(Number.isFinite(r.loss));
  } finally {
    await trainer.close();
  }
});

test('close() stops a running training call, which rejects with TrainerClosedError', async () => {
  const trainer = await Trainer.create({ model: cfg });
  const long = trainer.train({ ...base(), data: dataset(cfg, 2048), epochs: 500, batchSize: 8 });
  const outcome = long.then(
    () => 'finished',
    (e: unknown) => e as Error,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  await trainer.close();
  const err = await outcome;
  assert.ok(err instanceof TrainerClosedError, `got ${String(err)}`);
});

test('on the caller thread (worker: false) training still yields, so a timer can abort it', async () => {
  const trainer = await Trainer.create({ model: cfg, worker: false });
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const req = { ...base(), data: dataset(cfg, 2048), epochs: 500, batchSize: 8, signal: controller.signal };
    await assert.rejects(trainer.train(req), (e: Error) => e.name === 'AbortError');
  } finally {
    await trainer.close();
  }
});
