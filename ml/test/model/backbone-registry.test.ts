/**
 * Backbones by name: the built-ins are registered in both halves (layout in @flexmoe/shared,
 * graph here), an unknown name is a ConfigError listing them, and a backbone registered from
 * outside is used for the parameter layout, the config check and the exported graph: a renamed
 * copy of the mlp gives the mlp's predictions in a real ONNX Runtime session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { backboneLayouts, ConfigError, defaultModelConfig, initParameters, parameterSpecs, SeededRandom, type ParamMap } from '@flexmoe/shared';
import { backboneGraphs, buildInferenceModel, registerBackbone } from '../../src/model';

test('mlp, cnn and resnet are registered in both halves; an unknown backbone lists them', () => {
  assert.deepEqual(backboneLayouts.names(), ['mlp', 'cnn', 'resnet']);
  assert.deepEqual(backboneGraphs.names(), ['mlp', 'cnn', 'resnet']);
  assert.throws(
    () => defaultModelConfig({ backbone: 'vit' }),
    (err: unknown) => err instanceof ConfigError && /model\.backbone: unknown backbone 'vit' \(registered: mlp, cnn, resnet\)/.test(err.message),
  );
  assert.throws(() => defaultModelConfig({ backbone: 'cnn', inputShape: [1, 3, 3] }), /at least 4x4 for the cnn backbone/);
});

test('a registered backbone sets the parameter layout, the config check and the emitted graph', async () => {
  registerBackbone({
    name: 'renamed-mlp',
    summary: 'the mlp under other parameter names',
    specs: (cfg) => [
      { name: 'backbone.proj.weight', shape: [cfg.inputShape.reduce((a, b) => a * b, 1), cfg.featureDim] },
      { name: 'backbone.proj.bias', shape: [cfg.featureDim] },
    ],
    check: (cfg) => {
      if (cfg.inputShape[0] !== 1) throw new ConfigError('renamed-mlp takes one channel');
    },
    emit: (g, _cfg, x, p) => g.relu(g.linear(g.flatten(x, 1), p['backbone.proj.weight'], p['backbone.proj.bias'])),
    evalBatch: 64,
  });
  assert.throws(() => registerBackbone({ ...backboneGraphs.get('mlp'), ...backboneLayouts.get('mlp') }), /backbone 'mlp' is already registered/);
  assert.throws(() => registerBackbone({ ...backboneGraphs.get('mlp'), ...backboneLayouts.get('mlp'), name: 'Bad' }), /must be lower-case/);
  assert.equal(backboneGraphs.has('Bad') || backboneLayouts.has('Bad'), false, 'a refused backbone leaves neither half registered');
  assert.throws(() => defaultModelConfig({ backbone: 'renamed-mlp', inputShape: [3, 4, 4] }), /takes one channel/);

  const shape = { inputShape: [1, 6, 6] as const, classes: 3, experts: 3, featureDim: 5, expertHidden: 4 };
  const mlp = defaultModelConfig({ ...shape, backbone: 'mlp' });
  const renamed = defaultModelConfig({ ...shape, backbone: 'renamed-mlp' });
  const names = parameterSpecs(renamed).map((s) => s.name);
  assert.deepEqual(names.slice(0, 2), ['backbone.proj.weight', 'backbone.proj.bias']);
  assert.ok(!names.includes('backbone.fc.weight'));
  assert.deepEqual(Object.keys(initParameters(renamed, 1)).sort(), [...names].sort());

  const params = initParameters(mlp, 7);
  const moved: ParamMap = { ...params, 'backbone.proj.weight': params['backbone.fc.weight']!, 'backbone.proj.bias': params['backbone.fc.bias']! };
  delete moved['backbone.fc.weight'];
  delete moved['backbone.fc.bias'];
  const rng = new SeededRandom(3);
  const x = Float32Array.from({ length: 4 * 36 }, () => rng.next());
  const run = async (bytes: Uint8Array): Promise<Float32Array> => {
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', x, [4, 1, 6, 6]) });
    return out.probabilities!.data as Float32Array;
  };
  const want = await run(buildInferenceModel(mlp, params, [0, 2]));
  const got = await run(buildInferenceModel(renamed, moved, [0, 2]));
  assert.deepEqual(Array.from(got), Array.from(want));
});
