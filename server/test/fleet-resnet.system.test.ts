/**
 * The resnet backbone federated end to end: `flexmoe fleet --backbone resnet` runs a real
 * coordinator and two real client daemons (processes, loopback gRPC, ONNX Runtime training) for
 * two rounds on a tiny Fashion-MNIST partition. Both rounds aggregate both clients' updates into
 * new global weights (read back from the coordinator's checkpoints), accuracies are reported, and
 * the model a daemon leaves behind runs in a fresh ONNX Runtime session (and passes onnx.checker
 * when Debian's python3-onnx is installed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { globalParameters } from '../src/coordinator/resume';
import { checkpointFileName, decodeCheckpoint, type Checkpoint } from '../src/state/checkpoint';
import { runFlexmoe } from './helpers/processes';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ARGS = [
  'fleet',
  '--backbone',
  'resnet',
  '--clients',
  '2',
  '--rounds',
  '2',
  '--max-samples',
  '64',
  '--global-test',
  '100',
  '--experts',
  '4',
  '--capacity',
  '2',
  '--expert-width',
  '8',
  '--feature-width',
  '16',
  '--grace',
  '5',
];

function checkpoint(out: string, round: number): Checkpoint {
  const file = path.join(out, 'state', 'server', checkpointFileName(round));
  return decodeCheckpoint(readFileSync(file), file);
}

/** Largest absolute difference between two tensors. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test("a resnet fleet trains and aggregates two rounds; a daemon's exported model runs", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flexmoe-fleet-resnet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'out');
  const r = await runFlexmoe([...ARGS, '--out', out]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /round 2\/2 {2}accuracy pre 0\.\d{4} post 0\.\d{4} global 0\.\d{4}/);

  const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  const rounds = results.runs[0].rounds as Array<{ round: number; accuracy: number; preLocalAccuracy: number; globalAccuracy: number }>;
  assert.deepEqual(
    rounds.map((x) => x.round),
    [1, 2],
  );
  for (const x of rounds) for (const a of [x.accuracy, x.preLocalAccuracy, x.globalAccuracy]) assert.ok(a >= 0 && a <= 1, `accuracy ${a}`);

  const [first, second] = [checkpoint(out, 1), checkpoint(out, 2)];
  assert.equal(second.state.model.backbone, 'resnet');
  assert.equal(second.state.completedRounds, 2);
  for (const rec of second.state.history) assert.equal(rec.reportedCount, 2, `round ${rec.round}: both clients' updates aggregated`);
  // The global weights moved in each round: the stem, the last block's convolution and GroupNorm
  // scale, and in each round at least one expert it assigned (top-1 routing may leave an
  // assigned expert without samples, and then without a gradient).
  const initial = globalParameters(second.state.model, second.state.seed);
  const steps: Array<[string, Record<string, Float32Array>, Record<string, Float32Array>, number]> = [
    ['round 1', initial, first.params, 0],
    ['round 2', first.params, second.params, 1],
  ];
  for (const [label, before, after, index] of steps) {
    for (const name of ['backbone.stem.weight', 'backbone.block3.conv2.weight', 'backbone.block3.norm2.gamma']) {
      assert.ok(maxDiff(after[name]!, before[name]!) > 1e-6, `${label} moved ${name}`);
      assert.ok(after[name]!.every(Number.isFinite), `${name} finite`);
    }
    assert.equal(second.state.history[index]!.round, index + 1);
    const assigned = [...new Set(Object.values(second.state.history[index]!.assignment).flat())];
    const moved = assigned.filter((e) => maxDiff(after[`expert.${e}.fc2.weight`]!, before[`expert.${e}.fc2.weight`]!) > 1e-6);
    assert.ok(moved.length > 0, `${label}: none of the assigned experts ${assigned.join(',')} moved`);
  }

  // The daemon's exported resnet model: plain ONNX Runtime, and onnx.checker when available.
  const model = path.join(out, 'state', 'client-0', 'model.onnx');
  const session = await ort.InferenceSession.create(model);
  const res = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 784).fill(0.5), [3, 1, 28, 28]) });
  await session.release();
  assert.deepEqual(res.probabilities!.dims, [3, 10]);
  const probs = res.probabilities!.data as Float32Array;
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(probs.slice(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  const checker = spawnSync(PYTHON, ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', model], { encoding: 'utf8' });
  if (checker.error === undefined && !/No module named 'onnx'/.test(checker.stderr)) assert.equal(checker.status, 0, `onnx.checker: ${checker.stderr}`);
  else if (process.env.FLEXMOE_REQUIRE_TOOLS) assert.fail('python3-onnx is not installed (apt-get install python3-onnx), and CI requires it');
  else t.diagnostic("python3-onnx is not installed: onnx.checker not run on the daemon's resnet model");
});
