// The training graph's momentum-SGD and Adam updates against a plain-TypeScript optimizer fed
// central finite-difference gradients of the objective (float64 graphs), over two chained steps
// of one graph call, starting from non-zero optimizer state and a non-zero step count, so the
// state threading and Adam's bias correction are both checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { SeededRandom } from '@flexmoe/shared';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { buildTrainGraph, routingFeeds } from '../src/model/graphs';
import { optimizerConfig, stateName, stateSlots, type OptimizerConfig } from '../src/model/optimizer';
import { graphParamSpecs } from '../src/model/packing';
import { sizeOf } from '@flexmoe/shared';

type P64 = Record<string, Float64Array>;

const CFG = defaultModelConfig({ inputShape: [1, 3, 4], classes: 4, experts: 5, featureDim: 6, expertHidden: 5, topR: 2, auxWeight: 0.3 });
const ASSIGNED = [3, 0, 4];
const N = 6;
const f64 = (v: ArrayLike<number>, dims: readonly number[]): ort.Tensor => new ort.Tensor('float64', Float64Array.from(v), [...dims]);

interface Batch {
  x: Float64Array;
  target: Float64Array;
}

function randomBatch(cfg: MoEConfig, rng: SeededRandom): Batch {
  const target = new Float64Array(N * cfg.classes);
  for (let i = 0; i < N; i++) target[i * cfg.classes + rng.int(cfg.classes)] = 1;
  return { x: Float64Array.from({ length: N * sizeOf(cfg.inputShape) }, () => rng.next()), target };
}

function fixedFeeds(cfg: MoEConfig): Record<string, ort.Tensor> {
  const r = routingFeeds(cfg, ASSIGNED);
  return { gate_mask: f64(r.gateMask, [cfg.experts]), slot_select: f64(r.slotSelect, [cfg.experts, ASSIGNED.length]) };
}

function paramFeeds(params: P64): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const s of graphParamSpecs(CFG, ASSIGNED.length)) feeds[s.name] = f64(params[s.name], s.shape);
  return feeds;
}

/** The objective (mean cross-entropy + auxWeight * aux) on one batch: a plain-SGD graph at lr 0. */
async function objective(session: ort.InferenceSession, params: P64, b: Batch): Promise<number> {
  const out = await session.run({
    ...fixedFeeds(CFG),
    ...paramFeeds(params),
    lr: f64([0], []),
    'x.0': f64(b.x, [N, ...CFG.inputShape]),
    'target.0': f64(b.target, [N, CFG.classes]),
  });
  return Number(out.ce_sum.data[0]) / N + CFG.auxWeight * Number(out.aux_sum.data[0]);
}

/** Central finite differences of the objective for every parameter value. */
async function numericGrads(session: ort.InferenceSession, params: P64, b: Batch): Promise<P64> {
  const eps = 1e-6;
  const grads: P64 = {};
  for (const [name, p] of Object.entries(params)) {
    grads[name] = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const orig = p[i];
      p[i] = orig + eps;
      const up = await objective(session, params, b);
      p[i] = orig - eps;
      const down = await objective(session, params, b);
      p[i] = orig;
      grads[name][i] = (up - down) / (2 * eps);
    }
  }
  return grads;
}

/** One step of the rule in plain TypeScript (PyTorch's SGD-with-momentum and Adam formulas). */
function referenceStep(o: OptimizerConfig, p: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, lr: number, t: number): void {
  for (let i = 0; i < p.length; i++) {
    if (o.kind === 'sgd') {
      m[i] = o.momentum * m[i] + grad[i];
      p[i] -= lr * m[i];
      continue;
    }
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * grad[i];
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * grad[i] * grad[i];
    const denom = Math.sqrt(v[i]) / Math.sqrt(1 - o.beta2 ** t) + o.epsilon;
    p[i] -= (lr / (1 - o.beta1 ** t)) * (m[i] / denom);
  }
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const diff = Math.hypot(...Array.from(a, (x, i) => x - b[i]));
  return diff / Math.max(Math.hypot(...Array.from(a)), Math.hypot(...Array.from(b)), 1e-12);
}

async function checkRule(partial: Partial<OptimizerConfig>, seed: number): Promise<void> {
  const o = optimizerConfig(partial);
  const rng = new SeededRandom(seed, 'optimizer-check');
  const specs = graphParamSpecs(CFG, ASSIGNED.length);
  const params: P64 = {};
  const state: Record<'m' | 'v', P64> = { m: {}, v: {} };
  for (const s of specs) {
    params[s.name] = Float64Array.from({ length: sizeOf(s.shape) }, () => 0.6 * rng.normal());
    state.m[s.name] = Float64Array.from(params[s.name], () => 0.1 * rng.normal());
    state.v[s.name] = Float64Array.from(params[s.name], () => 0.01 + 0.05 * rng.next());
  }
  const batches = [randomBatch(CFG, rng), randomBatch(CFG, rng)];
  const [lr, before] = [0.05, 3];
  const slots = stateSlots(o);
  const feeds: Record<string, ort.Tensor> = { ...fixedFeeds(CFG), ...paramFeeds(params), lr: f64([lr], []), opt_step: f64([before], []) };
  batches.forEach((b, s) => Object.assign(feeds, { [`x.${s}`]: f64(b.x, [N, ...CFG.inputShape]), [`target.${s}`]: f64(b.target, [N, CFG.classes]) }));
  for (const slot of slots) for (const s of specs) feeds[stateName(slot, s.name)] = f64(state[slot][s.name], s.shape);
  const graph = await ort.InferenceSession.create(buildTrainGraph(CFG, ASSIGNED.length, { dtype: 'float64', steps: 2, optimizer: o }));
  const sgd = await ort.InferenceSession.create(buildTrainGraph(CFG, ASSIGNED.length, { dtype: 'float64' }));
  try {
    const out = await graph.run(feeds);
    // The reference: the same two steps, each on finite-difference gradients at the current weights.
    for (let step = 0; step < 2; step++) {
      const grads = await numericGrads(sgd, params, batches[step]);
      for (const s of specs) referenceStep(o, params[s.name], grads[s.name], state.m[s.name], state.v[s.name], lr, before + step + 1);
    }
    for (const s of specs) {
      const err = relativeError(out[`next.${s.name}`].data as Float64Array, params[s.name]);
      assert.ok(err < 1e-6, `${o.kind} ${s.name}: graph vs finite-difference reference, relative error ${err.toExponential(2)}`);
      for (const slot of slots) {
        const e = relativeError(out[`next.${stateName(slot, s.name)}`].data as Float64Array, state[slot][s.name]);
        assert.ok(e < 1e-6, `${o.kind} state ${slot} of ${s.name}: relative error ${e.toExponential(2)}`);
      }
    }
  } finally {
    await graph.release();
    await sgd.release();
  }
}

test('momentum SGD in the training graph matches the rule on finite-difference gradients (2 chained steps)', async () => {
  await checkRule({ kind: 'sgd', momentum: 0.9 }, 1);
});

test('Adam in the training graph matches the bias-corrected rule on finite-difference gradients (2 chained steps)', async () => {
  await checkRule({ kind: 'adam', beta1: 0.8, beta2: 0.95 }, 2);
});

test('optimizer settings are validated with errors naming the field', () => {
  assert.throws(() => optimizerConfig({ kind: 'rmsprop' as 'adam' }), /optimizer\.kind must be one of sgd, adam/);
  assert.throws(() => optimizerConfig({ momentum: 1 }), /optimizer\.momentum must be a number in \[0, 1\)/);
  assert.throws(() => optimizerConfig({ kind: 'adam', epsilon: 0 }), /optimizer\.epsilon must be a finite number > 0/);
});
