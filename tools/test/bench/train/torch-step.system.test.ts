import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/ml/model';
import { OnnxBackboneStep, stepData, stepSpecs, type StepCase } from '../../../src/bench/train/backbone-step';
import { TorchProcess, torchPython } from '../../../src/bench/train/torch-step';

const hasTorch = spawnSync(torchPython(), ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

/** Runs `steps` SGD steps in ONNX Runtime and in PyTorch from the same start; worst relative parameter difference. */
async function compare(torch: TorchProcess, model: MoEConfig, assigned: number[], steps: number): Promise<{ worst: number; name: string }> {
  const c: StepCase = { model, assigned, batch: 12, threads: 1, lr: 0.1 };
  const data = stepData(c, 5);
  const onnx = await OnnxBackboneStep.create(c, data);
  const id = await torch.setup({ ...c, k: assigned.length, specs: stepSpecs(c), ...data });
  for (let s = 0; s < steps; s++) await onnx.step();
  await torch.steps(id, steps);
  const [a, b] = [onnx.params(), await torch.params(id)];
  await onnx.release();
  let out = { worst: 0, name: '' };
  for (const name of Object.keys(a)) {
    const scale = Math.max(...a[name].map(Math.abs), 1e-3);
    for (let i = 0; i < a[name].length; i++) {
      const d = Math.abs(a[name][i] - b[name][i]) / scale;
      if (d > out.worst) out = { worst: d, name };
    }
  }
  return out;
}

// CI (FLEXMOE_REQUIRE_TOOLS) installs python3-torch: there its absence is a failure, not a skip.
const skipTorch =
  hasTorch || process.env.FLEXMOE_REQUIRE_TOOLS ? false : 'Debian python3-torch is not installed (apt-get install python3-torch): PyTorch baseline not checked';

describe('the PyTorch baseline computes the product step', { skip: skipTorch }, () => {
  const models: Array<[string, MoEConfig, number[]]> = [
    [
      'mlp, top-2 of 3',
      defaultModelConfig({ backbone: 'mlp', inputShape: [1, 8, 8], featureDim: 16, expertHidden: 8, experts: 5, topR: 2, auxWeight: 0.3 }),
      [4, 0, 2],
    ],
    ['mlp, top-1 of 2', defaultModelConfig({ backbone: 'mlp', inputShape: [1, 6, 6], featureDim: 12, expertHidden: 6, experts: 4, topR: 1 }), [1, 3]],
    ['cnn', defaultModelConfig({ backbone: 'cnn', inputShape: [1, 12, 12], convChannels: [4, 6], featureDim: 16, expertHidden: 8, experts: 4 }), [0, 1, 3]],
    [
      'cnn, 3x9x10 input',
      defaultModelConfig({ backbone: 'cnn', inputShape: [3, 9, 10], convChannels: [3, 5], featureDim: 8, expertHidden: 4, experts: 3 }),
      [2, 0],
    ],
    [
      'resnet',
      defaultModelConfig({ backbone: 'resnet', inputShape: [1, 10, 10], resnetWidths: [4, 4, 8], resnetGroups: 2, featureDim: 8, expertHidden: 4, experts: 4 }),
      [3, 1],
    ],
    [
      'resnet, 3x9x7 input',
      defaultModelConfig({ backbone: 'resnet', inputShape: [3, 9, 7], resnetWidths: [4, 8, 8], resnetGroups: 4, featureDim: 6, expertHidden: 4, experts: 3 }),
      [0, 1, 2],
    ],
  ];
  for (const [label, model, assigned] of models) {
    test(`${label}: three SGD steps update the parameters like the ONNX training graph`, async () => {
      const torch = await TorchProcess.start();
      if ('unavailable' in torch) throw new Error(torch.unavailable);
      try {
        const r = await compare(torch, model, assigned, 3);
        assert.ok(r.worst < 2e-4, `worst relative difference ${r.worst} in ${r.name}`);
      } finally {
        await torch.stop();
      }
    });
  }
});

test('a missing interpreter gives a reason instead of an exception', async () => {
  const r = await TorchProcess.start('/nonexistent/python3');
  assert.ok('unavailable' in r && /cannot run/.test(r.unavailable), JSON.stringify(r));
});
