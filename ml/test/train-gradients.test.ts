// The whole MoE training step (forward, top-r routing, aux loss, cross-entropy, SGD update) against
// central finite differences on a float64 graph, and its forward pass against the plain-TS reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { SeededRandom } from '@flexmoe/shared';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { buildTrainGraph, routingFeeds } from '../src/model/graphs';
import { graphParamSpecs, unpackParams } from '../src/model/packing';
import { sizeOf } from '@flexmoe/shared';
import { referenceForward, type RefParams } from '../src/model/reference';
import { nchwcBlockSize } from '../src/training/nchwc-probe';

type P64 = Record<string, Float64Array>;

function randomParams(cfg: MoEConfig, k: number, rng: SeededRandom): P64 {
  const out: P64 = {};
  for (const s of graphParamSpecs(cfg, k)) out[s.name] = Float64Array.from({ length: sizeOf(s.shape) }, () => 0.6 * rng.normal());
  return out;
}

interface Batch64 {
  x: Float64Array;
  target: Float64Array;
  labels: number[];
  n: number;
}

function randomBatch(cfg: MoEConfig, n: number, rng: SeededRandom): Batch64 {
  const per = sizeOf(cfg.inputShape);
  const labels = Array.from({ length: n }, () => rng.int(cfg.classes));
  const target = new Float64Array(n * cfg.classes);
  labels.forEach((l, i) => (target[i * cfg.classes + l] = 1));
  return { x: Float64Array.from({ length: n * per }, () => rng.next()), target, labels, n };
}

/** Runs one float64 training step; returns the objective at `params` and the gradients (p - p') / lr. */
async function step(
  session: ort.InferenceSession,
  cfg: MoEConfig,
  assigned: number[],
  params: P64,
  b: Batch64,
  dtype: 'float64' | 'float32' = 'float64',
  lr = 1,
) {
  const k = assigned.length;
  const routing = routingFeeds(cfg, assigned);
  const cast = (v: ArrayLike<number>) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  const feeds: Record<string, ort.Tensor> = {
    gate_mask: new ort.Tensor(dtype, cast(routing.gateMask), [cfg.experts]),
    slot_select: new ort.Tensor(dtype, cast(routing.slotSelect), [cfg.experts, k]),
    lr: new ort.Tensor(dtype, cast([lr]), []),
    'x.0': new ort.Tensor(dtype, cast(b.x), [b.n, ...cfg.inputShape]),
    'target.0': new ort.Tensor(dtype, cast(b.target), [b.n, cfg.classes]),
  };
  const given: Record<string, Float64Array | Float32Array> = {};
  for (const s of graphParamSpecs(cfg, k)) {
    given[s.name] = cast(params[s.name]);
    feeds[s.name] = new ort.Tensor(dtype, given[s.name], [...s.shape]);
  }
  const out = await session.run(feeds);
  const scalar = (name: string): number => Number(out[name].data[0]);
  const objective = scalar('ce_sum') / b.n + cfg.auxWeight * scalar('aux_sum');
  const grads: P64 = {};
  for (const s of graphParamSpecs(cfg, k)) {
    const next = out[`next.${s.name}`].data as Float64Array | Float32Array;
    grads[s.name] = Float64Array.from(given[s.name], (v, i) => (v - next[i]) / lr);
  }
  return { objective, grads, out };
}

/** Global-name view of graph-layout parameters, for the reference forward pass. */
function globalNames(cfg: MoEConfig, params: P64, assigned: number[]): RefParams {
  return unpackParams(cfg, assigned, params, (n) => new Float64Array(n));
}

async function checkStep(cfg: MoEConfig, assigned: number[], seed: number): Promise<Gradients> {
  const rng = new SeededRandom(seed, 'gradcheck');
  const session = await ort.InferenceSession.create(buildTrainGraph(cfg, assigned.length, { dtype: 'float64' }));
  const params = randomParams(cfg, assigned.length, rng);
  const batch = randomBatch(cfg, 7, rng);
  const base = await step(session, cfg, assigned, params, batch);
  if (cfg.backbone !== 'resnet') {
    // The plain-TS reference has no resnet; that one is checked against PyTorch (server bench tests).
    const ref = referenceForward(cfg, globalNames(cfg, params, assigned), assigned, batch.x, batch.labels, batch.n);
    assert.ok(Math.abs(base.objective - ref.objective) < 1e-10 * Math.max(1, ref.objective), `objective ${base.objective} vs reference ${ref.objective}`);
  }
  const eps = 1e-6;
  for (const [name, p] of Object.entries(params)) {
    const picks = p.length <= 6 ? [...p.keys()] : Array.from({ length: 6 }, () => rng.int(p.length));
    const analytic: number[] = [];
    const numeric: number[] = [];
    for (const i of picks) {
      const orig = p[i];
      p[i] = orig + eps;
      const up = (await step(session, cfg, assigned, params, batch)).objective;
      p[i] = orig - eps;
      const down = (await step(session, cfg, assigned, params, batch)).objective;
      p[i] = orig;
      analytic.push(base.grads[name][i]);
      numeric.push((up - down) / (2 * eps));
    }
    const diff = Math.hypot(...analytic.map((a, j) => a - numeric[j]));
    const scale = Math.max(Math.hypot(...analytic), Math.hypot(...numeric), 1e-7);
    // An absolute floor of 1e-9: the finite-difference noise of an O(1) float64 objective at
    // eps 1e-6 (the weight-standardised resnet convolutions have gradients near 1e-7).
    assert.ok(
      diff < 1e-5 * scale + 1e-9,
      `${name}: relative error ${(diff / scale).toExponential(2)} (analytic ${analytic.join(',')} numeric ${numeric.join(',')})`,
    );
  }
  for (let e = 0; e < cfg.experts; e++) {
    if (assigned.includes(e)) continue;
    for (let f = 0; f < cfg.featureDim; f++) assert.equal(base.grads['gate.weight'][f * cfg.experts + e], 0, 'unassigned gate column must not move');
  }
  await session.release();
  return { params, batch, grads: base.grads };
}

interface Gradients {
  params: P64;
  batch: Batch64;
  grads: P64;
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const diff = Math.hypot(...Array.from(a, (v, i) => v - b[i]));
  return diff / Math.max(Math.hypot(...Array.from(a)), Math.hypot(...Array.from(b)), 1e-12);
}

test('mlp training step matches central finite differences (float64, top-2 of 3 assigned)', async () => {
  const cfg = defaultModelConfig({ inputShape: [1, 3, 4], classes: 4, experts: 5, featureDim: 6, expertHidden: 5, auxWeight: 0.3 });
  await checkStep(cfg, [3, 0, 4], 1);
});

test('mlp training step matches finite differences with one expert and with r = k', async () => {
  const cfg = defaultModelConfig({ inputShape: [2, 2, 2], classes: 3, experts: 3, featureDim: 5, expertHidden: 4, auxWeight: 0.5 });
  await checkStep(cfg, [1], 2);
  await checkStep(cfg, [2, 0], 3);
});

/**
 * Finite differences on the float64 twin, then the float32 production graph (native Conv) against
 * the twin; with `nchwcBlock`, the graph with blocked convolutions as well (which must contain them).
 */
async function checkConvStep(cfg: MoEConfig, assigned: number[], seed: number, nchwcBlock = 0): Promise<void> {
  const twin = await checkStep(cfg, assigned, seed);
  for (const block of nchwcBlock > 0 ? [0, nchwcBlock] : [0]) {
    const bytes = buildTrainGraph(cfg, assigned.length, { dtype: 'float32', nchwcBlock: block });
    assert.equal(Buffer.from(bytes).includes('com.microsoft.nchwc'), block > 0, 'blocked convolutions emitted exactly when asked for');
    const session = await ort.InferenceSession.create(bytes);
    const f32 = await step(session, cfg, assigned, twin.params, twin.batch, 'float32', 1000);
    for (const [name, g] of Object.entries(twin.grads)) {
      const err = relativeError(f32.grads[name], g);
      assert.ok(err < 1e-4, `${name}: float32 graph (NCHWc block ${block}) vs float64 twin relative error ${err.toExponential(2)}`);
    }
    await session.release();
  }
}

test('cnn training step: the float64 twin matches finite differences, and the float32 Conv graph matches the twin', async () => {
  const cfg = defaultModelConfig({
    backbone: 'cnn',
    inputShape: [2, 6, 6],
    convChannels: [3, 4],
    classes: 3,
    experts: 4,
    featureDim: 5,
    expertHidden: 4,
    auxWeight: 0.3,
  });
  await checkConvStep(cfg, [1, 3, 0], 4);
});

test('resnet training step (GroupNorm, identity and projection shortcuts): finite differences and float32 vs twin', async () => {
  const cfg = defaultModelConfig({
    backbone: 'resnet',
    inputShape: [2, 5, 6],
    resnetWidths: [2, 4, 4],
    resnetGroups: 2,
    classes: 3,
    experts: 3,
    featureDim: 4,
    expertHidden: 3,
    auxWeight: 0.3,
  });
  await checkConvStep(cfg, [2, 0], 5);
});

// Channel counts that fit the NCHWc block (16 or 8): every convolution, forward and stride-1 input
// gradient, runs blocked except the stem (one input channel). Where the probe
// finds no block (arm64), only the plain graphs run, at these widths.
test('cnn training step with blocked (NCHWc) convolutions matches the float64 twin', async () => {
  const block = await nchwcBlockSize();
  const cfg = defaultModelConfig({ backbone: 'cnn', inputShape: [1, 6, 6], convChannels: [16, 32], classes: 3, experts: 3, featureDim: 4, expertHidden: 3 });
  await checkConvStep(cfg, [0, 2], 6, block);
});

test('resnet training step with blocked (NCHWc) convolutions matches the float64 twin', async () => {
  const block = await nchwcBlockSize();
  const cfg = defaultModelConfig({
    backbone: 'resnet',
    inputShape: [1, 6, 6],
    resnetWidths: [16, 16, 32],
    resnetGroups: 4,
    classes: 3,
    experts: 3,
    featureDim: 4,
    expertHidden: 3,
    auxWeight: 0.3,
  });
  await checkConvStep(cfg, [1, 2], 7, block);
});
