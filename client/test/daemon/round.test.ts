import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrainResult } from '@flexmoe/ml/training';
import { expertReports, updateTensors } from '../../src/daemon/round';

test('expert reports: usage per epoch, accuracy and mean loss over the routed samples', () => {
  const result = {
    experts: [
      { expert: 5, usage: 300, correct: 240, lossSum: 90, ownCorrect: 210, ownLossSum: 120 },
      { expert: 1, usage: 0, correct: 0, lossSum: 0, ownCorrect: 0, ownLossSum: 0 },
    ],
  } as unknown as TrainResult;
  assert.deepEqual(expertReports(result, 3), [
    { expert: 5, usage: 100, accuracy: 0.8, loss: 0.3, ownAccuracy: 0.7, ownLoss: 0.4 },
    { expert: 1, usage: 0, accuracy: 0, loss: 0, ownAccuracy: 0, ownLoss: 0 },
  ]);
});

test('an update carries the backbone and the assigned experts, never the gate or other experts', () => {
  const t = new Float32Array(1);
  const params = {
    'backbone.fc.weight': t,
    'backbone.fc.bias': t,
    'gate.weight': t,
    'gate.bias': t,
    'expert.0.fc1.weight': t,
    'expert.2.fc1.weight': t,
    'expert.12.fc1.weight': t,
  };
  assert.deepEqual(Object.keys(updateTensors(params, [2, 1])).sort(), ['backbone.fc.bias', 'backbone.fc.weight', 'expert.2.fc1.weight']);
});
