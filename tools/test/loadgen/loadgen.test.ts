import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '@flexmoe/shared';
import { parseDistribution } from '../../src/loadgen/distributions';
import { validateLoadOptions, type LoadGenOptions } from '../../src/loadgen/loadgen';

const base: LoadGenOptions = {
  address: '127.0.0.1:50051',
  clients: 10,
  samples: parseDistribution('samples', 'fixed:100'),
  capacity: parseDistribution('capacity', 'fixed:2'),
  thinkMs: 0,
  dropProbability: 0,
  seed: 1,
};

test('load generator options: a bad thread count is refused naming the option', () => {
  assert.doesNotThrow(() => validateLoadOptions({ ...base, threads: 4 }));
  for (const threads of [0, 1.5, 65]) {
    assert.throws(
      () => validateLoadOptions({ ...base, threads }),
      (e: unknown) => e instanceof InvalidArgumentError && /threads must be an integer in \[1, 64\]/.test(e.message),
    );
  }
});
