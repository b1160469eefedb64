// A dataset kept as pixel bytes (converted one minibatch at a time) trains and evaluates exactly
// like its float32 copy: same seed, same weights bit for bit, same statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBytes } from '../src/data/convert';
import { loadDataShard } from '../src/data/load-shard';
import type { Dataset } from '../src/data/types';
import { floatValues } from '../src/data/types';
import { defaultModelConfig } from '@flexmoe/shared';
import { initParameters, selectAssigned } from '@flexmoe/shared';
import { Trainer } from '../src/training/trainer';

const asFloats = (ds: Dataset): Dataset => ({ ...ds, x: Float32Array.from(floatValues(ds)) });

test('pixel bytes train and evaluate bit-identically to their float32 copy (worker thread, shared memory)', async () => {
  const { train, test: held } = await loadDataShard(
    'fashion-mnist',
    { partition: 'iid', shard: { index: 0, count: 1 }, seed: 2, maxSamples: 600 },
    { sharedMemory: true },
  );
  assert.ok(train.x instanceof Uint8Array && train.x.buffer instanceof SharedArrayBuffer, 'shard bytes in shared memory');
  assert.ok(sharedBytes(8) instanceof SharedArrayBuffer);
  const model = defaultModelConfig({ experts: 4 });
  const trainer = await Trainer.create({ model });
  try {
    const assigned = [0, 2];
    const params = selectAssigned(initParameters(model, 4), assigned);
    const run = (data: Dataset) => trainer.train({ params, assigned, data, epochs: 2, lr: 0.05, batchSize: 32, seed: 9 });
    const [fromBytes, fromFloats] = [await run(train), await run(asFloats(train))];
    assert.equal(fromBytes.loss, fromFloats.loss);
    assert.equal(fromBytes.accuracy, fromFloats.accuracy);
    assert.deepEqual(fromBytes.experts, fromFloats.experts);
    for (const [name, t] of Object.entries(fromFloats.params)) assert.deepEqual(fromBytes.params[name], t, name);
    const evBytes = await trainer.evaluate({ params: fromBytes.params, assigned, data: held });
    const evFloats = await trainer.evaluate({ params: fromBytes.params, assigned, data: asFloats(held) });
    assert.equal(evBytes.loss, evFloats.loss);
    assert.deepEqual(evBytes.predictions, evFloats.predictions);
    assert.ok(fromBytes.loss > 0 && evBytes.accuracy > 0.3, `learned something: test accuracy ${evBytes.accuracy}`);
  } finally {
    await trainer.close();
  }
});
