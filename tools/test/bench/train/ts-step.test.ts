import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsMoeStep } from '../../../src/bench/train/ts-step';
import { DEFAULT_BENCH_MOE, type BenchMoeConfig } from '../../../src/bench/train/moe-config';
import { convertParams, flattenParams, initParams, randomBatch, type MoeParams } from '../../../src/bench/train/params';

const SMALL: BenchMoeConfig = {
  inputDim: 7,
  hiddenDim: 6,
  numExperts: 5,
  assigned: [0, 2, 3, 4],
  topR: 2,
  expertHidden: 4,
  numClasses: 3,
  auxWeight: 0.05,
  learningRate: 0.1,
};

/** ||a - b|| / max(||a||, ||b||): norm-wise relative error of a whole tensor. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nb), 1e-30);
}

test('plain-TS gradients match central finite differences in float64', () => {
  // Larger aux weight so the balance-loss gradient is not lost under the cross-entropy.
  for (const cfg of [SMALL, { ...SMALL, auxWeight: 0.7, topR: 3 }, { ...SMALL, topR: 1 }]) {
    const step = new TsMoeStep<Float64Array>(cfg, Float64Array);
    const params = initParams<Float64Array>(cfg, Float64Array, 11);
    const { x, labels } = randomBatch<Float64Array>(cfg, 6, Float64Array, 12);
    const analytic = flattenParams(step.gradients(params, x, labels).grads).map(([n, g]) => [n, Float64Array.from(g)] as const);
    const eps = 1e-6;
    for (const [[name, p], [, g]] of flattenParams(params).map((pair, i) => [pair, analytic[i]] as const)) {
      const numeric = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) {
        const keep = p[i];
        p[i] = keep + eps;
        const up = step.loss(params, x, labels).loss;
        p[i] = keep - eps;
        const down = step.loss(params, x, labels).loss;
        p[i] = keep;
        numeric[i] = (up - down) / (2 * eps);
      }
      const err = relativeError(g, numeric);
      assert.ok(err < 1e-5, `${name} (topR ${cfg.topR}, aux ${cfg.auxWeight}): relative error ${err}`);
    }
  }
});

test('the aux loss is k * sum f_j P_j and equals 1 for a uniform gate', () => {
  const step = new TsMoeStep<Float64Array>(SMALL, Float64Array);
  const params = initParams<Float64Array>(SMALL, Float64Array, 3);
  params.gateW.fill(0);
  params.gateB.fill(0);
  const { x, labels } = randomBatch<Float64Array>(SMALL, 8, Float64Array, 4);
  // Uniform probabilities 1/k over the assigned experts: sum_j f_j = 1, so aux = k * (1/k) = 1.
  assert.ok(Math.abs(step.loss(params, x, labels).aux - 1) < 1e-12);
});

test('float32 and float64 steps agree, and repeated steps lower the loss', () => {
  // A moderate rate so 20 steps on one random batch descend steadily.
  const cfg = { ...DEFAULT_BENCH_MOE, learningRate: 0.05 };
  const p64 = initParams<Float64Array>(cfg, Float64Array, 5);
  const p32 = convertParams<Float32Array>(p64, Float32Array);
  const b64 = randomBatch<Float64Array>(cfg, 32, Float64Array, 6);
  const x32 = Float32Array.from(b64.x);
  const s64 = new TsMoeStep<Float64Array>(cfg, Float64Array);
  const s32 = new TsMoeStep<Float32Array>(cfg, Float32Array);
  const first = s64.step(p64, b64.x, b64.labels).loss;
  s32.step(p32, x32, b64.labels);
  for (const [[name, a], [, b]] of flattenParams(p32 as MoeParams).map((pair, i) => [pair, flattenParams(p64 as MoeParams)[i]] as const)) {
    assert.ok(relativeError(a, b) < 1e-4, `${name} differs between float32 and float64`);
  }
  let last = first;
  for (let i = 0; i < 20; i++) last = s64.step(p64, b64.x, b64.labels).loss;
  assert.ok(last < first - 0.5, `loss went from ${first} to ${last}`);
});

test('bad shapes and labels are rejected with clear errors', () => {
  const step = new TsMoeStep<Float32Array>(SMALL, Float32Array);
  const params = initParams<Float32Array>(SMALL, Float32Array, 1);
  assert.throws(() => step.step(params, new Float32Array(5), new Int32Array(2)), /x has 5 values/);
  assert.throws(() => step.step(params, new Float32Array(7), Int32Array.from([3])), /label 3/);
  assert.throws(() => new TsMoeStep({ ...SMALL, topR: 5 }, Float32Array), /topR/);
});
