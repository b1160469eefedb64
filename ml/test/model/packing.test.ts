import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultModelConfig } from '@flexmoe/shared';
import { graphParamSpecs, packParams, unpackParams } from '../../src/model/packing';
import { initParameters, selectAssigned, sizeOf } from '@flexmoe/shared';

test('packing the assigned experts places expert j in block j and unpacks to the same tensors', () => {
  const cfg = defaultModelConfig({ inputShape: [1, 2, 2], classes: 3, experts: 5, featureDim: 4, expertHidden: 2 });
  const assigned = [4, 1];
  const params = selectAssigned(initParameters(cfg, 9), assigned);
  const packed = packParams(cfg, assigned, params, (n) => new Float32Array(n));
  for (const s of graphParamSpecs(cfg, 2)) assert.equal(packed[s.name].length, sizeOf(s.shape), s.name);
  // fc1 weight [F, k*H] = [4, 4]: packed row 1 holds expert 4's row 1, then expert 1's row 1.
  const w = packed['experts.fc1.weight'];
  assert.deepEqual([...w.subarray(4, 6)], [...params['expert.4.fc1.weight'].subarray(2, 4)]);
  assert.deepEqual([...w.subarray(6, 8)], [...params['expert.1.fc1.weight'].subarray(2, 4)]);
  assert.deepEqual([...packed['experts.fc2.bias'].subarray(3, 6)], [...params['expert.1.fc2.bias']]);
  const back = unpackParams(cfg, assigned, packed, (n) => new Float32Array(n));
  assert.deepEqual(Object.keys(back).sort(), Object.keys(params).sort());
  for (const name of Object.keys(params)) assert.deepEqual(back[name], params[name], name);
});
