/**
 * Plugins as a user runs them: `--plugin FILE` registers a backbone (tools/test/fixtures) and a
 * strategy (docs/examples/coverage-plugin.ts) that every thread and process of a command then
 * knows: the Trainer's worker thread, and the coordinator and daemons `flexmoe fleet` starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { defaultModelConfig } from '@flexmoe/shared';
import { Trainer } from '@flexmoe/ml/training';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'flexmoe.js');
const POOLED = path.join(ROOT, 'tools', 'test', 'fixtures', 'pooled-backbone.mjs');
const THROWING = path.join(ROOT, 'tools', 'test', 'fixtures', 'throwing-plugin.mjs');
const COVERAGE = path.join(ROOT, 'docs', 'examples', 'dist', 'coverage-plugin.js');

function flexmoe(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEXMOE_')));
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-plugins-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('flexmoe train --plugin trains a plugin backbone in its worker thread', (t) => {
  const json = path.join(tempDir(t), 'train.json');
  const args = ['train', '--plugin', POOLED, '--backbone', 'pooled', '--epochs', '1', '--max-samples', '2000', '--max-test-samples', '500'];
  const r = flexmoe([...args, '--json', json]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(readFileSync(json, 'utf8')) as { testAccuracy: number; model: { backbone: string } };
  assert.equal(result.model.backbone, 'pooled');
  assert.ok(result.testAccuracy > 0.5, `test accuracy ${result.testAccuracy} (chance 0.1)`);
  // Without the plugin the name is unknown, and the error lists the registered backbones.
  const without = flexmoe(['train', '--backbone', 'pooled', '--epochs', '1']);
  assert.equal(without.status, 2);
  assert.match(without.stderr, /expected one of mlp, cnn, resnet/);
});

test('flexmoe fleet passes its plugins to the coordinator and the daemons', (t) => {
  const out = tempDir(t);
  const r = flexmoe([
    'fleet',
    '--plugin',
    COVERAGE,
    '--plugin',
    POOLED,
    '--strategy',
    'coverage',
    '--backbone',
    'pooled',
    '--clients',
    '2',
    '--rounds',
    '2',
    '--max-samples',
    '300',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { runs: Array<{ strategy: string; rounds: unknown[] }> };
  assert.equal(results.runs[0].strategy, 'coverage');
  assert.equal(results.runs[0].rounds.length, 2);
  // Each daemon trained and exported the plugin's backbone: its dense layer reads 14x14 pooled pixels.
  for (const client of readdirSync(path.join(out, 'state')).filter((d) => d.startsWith('client-'))) {
    const bytes = readFileSync(path.join(out, 'state', client, 'model.onnx'));
    const dims = onnx.ModelProto.decode(bytes).graph!.initializer!.map((i) => (i.dims ?? []).map(Number).join('x'));
    assert.ok(dims.includes(`196x${defaultModelConfig().featureDim}`), `${client}: initializers ${dims.join(', ')}`);
  }
});

test('a plugin that cannot load stops the command with exit 2 and names the file', async () => {
  const r = flexmoe(['train', '--plugin', THROWING, '--epochs', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot load plugin .*throwing-plugin\.mjs: this plugin refuses to load/);
  const missing = flexmoe(['server', '--plugin', path.join(ROOT, 'no-such-plugin.mjs'), '--help']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot load plugin .*no-such-plugin\.mjs/);
  // A Trainer whose worker cannot load its plugins refuses to start, with the same error.
  await assert.rejects(Trainer.create({ model: defaultModelConfig(), plugins: [THROWING] }), /cannot load plugin .*this plugin refuses to load/);
});

test('the exported model of a plugin backbone runs in plain ONNX Runtime', async (t) => {
  const file = path.join(tempDir(t), 'pooled.onnx');
  const r = flexmoe([
    'train',
    '--plugin',
    POOLED,
    '--backbone',
    'pooled',
    '--epochs',
    '1',
    '--max-samples',
    '500',
    '--max-test-samples',
    '100',
    '--export',
    file,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const session = await ort.InferenceSession.create(file);
  const res = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]) });
  assert.deepEqual(res.probabilities.dims, [2, 10]);
  await session.release();
});
