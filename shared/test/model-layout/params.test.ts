import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, InvalidArgumentError } from '../../src/errors';
import { defaultModelConfig, effectiveTopR } from '../../src/model-layout/config';
import { assignedSpecs, initParameters, parameterSpecs, selectAssigned, selectExpert, sizeOf } from '../../src/model-layout/params';

test('defaults are filled in, validated and frozen', () => {
  const cfg = defaultModelConfig({ experts: 4 });
  assert.equal(cfg.experts, 4);
  assert.equal(cfg.topR, 1);
  assert.equal(cfg.auxWeight, 0.05);
  assert.ok(Object.isFrozen(cfg));
  assert.throws(
    () => defaultModelConfig({ experts: 0 }),
    (e: Error) => e instanceof ConfigError && /model\.experts/.test(e.message),
  );
  assert.throws(() => defaultModelConfig({ backbone: 'rnn' as never }), /model\.backbone/);
  assert.throws(() => defaultModelConfig({ inputShape: [1, 28] as never }), /model\.inputShape/);
  assert.throws(() => defaultModelConfig({ auxWeight: -1 }), /model\.auxWeight/);
  assert.equal(effectiveTopR(cfg, 1), 1);
  assert.equal(effectiveTopR(cfg, 3), 1);
  assert.equal(effectiveTopR(defaultModelConfig({ topR: 2 }), 3), 2);
});

test('parameter names follow backbone.*, gate.*, expert.<e>.* with consistent shapes', () => {
  const cfg = defaultModelConfig({ experts: 3, featureDim: 16, expertHidden: 8 });
  const specs = parameterSpecs(cfg);
  const names = specs.map((s) => s.name);
  assert.deepEqual(
    names.filter((n) => n.startsWith('expert.1.')),
    ['expert.1.fc1.weight', 'expert.1.fc1.bias', 'expert.1.fc2.weight', 'expert.1.fc2.bias'],
  );
  assert.deepEqual(specs.find((s) => s.name === 'gate.weight')?.shape, [16, 3]);
  assert.deepEqual(specs.find((s) => s.name === 'backbone.fc.weight')?.shape, [784, 16]);
  const cnn = defaultModelConfig({ backbone: 'cnn', inputShape: [3, 32, 32], convChannels: [4, 6], featureDim: 16 });
  assert.deepEqual(parameterSpecs(cnn).find((s) => s.name === 'backbone.fc.weight')?.shape, [6 * 8 * 8, 16]);
  assert.deepEqual(
    assignedSpecs(cfg, [2])
      .map((s) => s.name)
      .filter((n) => n.startsWith('expert.')),
    ['expert.2.fc1.weight', 'expert.2.fc1.bias', 'expert.2.fc2.weight', 'expert.2.fc2.bias'],
  );
  assert.throws(() => assignedSpecs(cfg, [0, 0]), InvalidArgumentError);
  assert.throws(() => assignedSpecs(cfg, [3]), /out of range/);
});

test('initialisation is seeded, scaled by fan-in and zero for biases', () => {
  const cfg = defaultModelConfig({ experts: 2 });
  const a = initParameters(cfg, 7);
  const b = initParameters(cfg, 7);
  const c = initParameters(cfg, 8);
  assert.deepEqual(a['gate.weight'], b['gate.weight']);
  assert.notDeepEqual(a['gate.weight'], c['gate.weight']);
  for (const spec of parameterSpecs(cfg)) assert.equal(a[spec.name].length, sizeOf(spec.shape));
  assert.ok(a['backbone.fc.bias'].every((v) => v === 0));
  const w = a['backbone.fc.weight'];
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 784)) / Math.sqrt(2 / 784) < 0.05, `He std ${std}`);
  assert.deepEqual(Object.keys(selectExpert(a, 1)).length, 4);
  assert.deepEqual(
    Object.keys(selectAssigned(a, [1])).sort(),
    assignedSpecs(cfg, [1])
      .map((s) => s.name)
      .sort(),
  );
});
