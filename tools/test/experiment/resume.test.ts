import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { previousRuns, setupKey } from '../../src/experiment/resume';

const setup = { data: 'fashion-mnist', partition: 'dirichlet:0.3', clients: 10, rounds: 20, lr: 0.05, seeds: [1, 2], strategies: ['flexmoe'], out: 'a' };
const run = { strategy: 'flexmoe', seed: 1, rounds: [], final: { accuracy: 0.9, loadCv: 0.04, cumulativeLoadCv: 0.01, bytesPerClientRound: 1 } };

test('the setup key ignores what to run and where to write, not what a run computes', () => {
  assert.equal(setupKey(setup), setupKey({ ...setup, seeds: [3], strategies: ['greedy'], out: 'b', json: 'x.json', grace: 1 }));
  assert.notEqual(setupKey(setup), setupKey({ ...setup, lr: 0.1 }));
  assert.notEqual(setupKey(setup), setupKey({ ...setup, beta: 0.3 }));
});

test('finished runs are kept only from an experiment with the same setup', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-resume-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'results.json');
  assert.deepEqual(previousRuns(file, setup), [], 'no file: nothing to keep');
  writeFileSync(file, JSON.stringify({ command: 'experiment', config: { ...setup, seeds: [1] }, runs: [run] }));
  assert.deepEqual(previousRuns(file, setup), [run]);
  assert.deepEqual(previousRuns(file, { ...setup, partition: 'iid' }), []);
  writeFileSync(file, JSON.stringify({ command: 'fleet', config: setup, runs: [run] }));
  assert.deepEqual(previousRuns(file, setup), [], 'a fleet results file is not an experiment');
  writeFileSync(file, '{"runs": [');
  assert.throws(() => previousRuns(file, setup), /results\.json: not a results file.*--fresh/);
});
