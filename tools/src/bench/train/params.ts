/**
 * Parameters of the benchmark MoE as named flat arrays, with a seeded initialiser so every
 * implementation starts from identical weights.
 */
import type { BenchMoeConfig } from './moe-config';
import { seededUniform } from '@flexmoe/shared';

/** A flat float buffer; the plain-TypeScript step runs on either precision. */
export type FloatArray = Float32Array | Float64Array;

/** Constructor of a flat float buffer (Float32Array or Float64Array). */
export type FloatArrayCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Weights of one expert head: hidden -> expertHidden (ReLU) -> classes. */
export interface ExpertParams<A extends FloatArray = FloatArray> {
  w1: A;
  b1: A;
  w2: A;
  b2: A;
}

/** All parameters of the step. Matrices are row-major [in, out]. */
export interface MoeParams<A extends FloatArray = FloatArray> {
  backboneW: A;
  backboneB: A;
  gateW: A;
  gateB: A;
  /** One entry per assigned expert, in the order of `cfg.assigned`. */
  experts: ExpertParams<A>[];
}

/** Name and shape of every parameter, in a fixed order (the order of `flattenParams`). */
export function paramShapes(cfg: BenchMoeConfig): Array<[string, number[]]> {
  const shapes: Array<[string, number[]]> = [
    ['backboneW', [cfg.inputDim, cfg.hiddenDim]],
    ['backboneB', [cfg.hiddenDim]],
    ['gateW', [cfg.hiddenDim, cfg.numExperts]],
    ['gateB', [cfg.numExperts]],
  ];
  cfg.assigned.forEach((_, j) => {
    shapes.push([`expert${j}.w1`, [cfg.hiddenDim, cfg.expertHidden]]);
    shapes.push([`expert${j}.b1`, [cfg.expertHidden]]);
    shapes.push([`expert${j}.w2`, [cfg.expertHidden, cfg.numClasses]]);
    shapes.push([`expert${j}.b2`, [cfg.numClasses]]);
  });
  return shapes;
}

/** The parameters as [name, array] pairs in `paramShapes` order (arrays shared, not copied). */
export function flattenParams<A extends FloatArray>(p: MoeParams<A>): Array<[string, A]> {
  const out: Array<[string, A]> = [
    ['backboneW', p.backboneW],
    ['backboneB', p.backboneB],
    ['gateW', p.gateW],
    ['gateB', p.gateB],
  ];
  p.experts.forEach((e, j) => {
    out.push([`expert${j}.w1`, e.w1], [`expert${j}.b1`, e.b1], [`expert${j}.w2`, e.w2], [`expert${j}.b2`, e.b2]);
  });
  return out;
}

/** Small deterministic PRNG (mulberry32) so runs and tests are reproducible. */
export function seededRandom(seed: number): () => number {
  return seededUniform(seed);
}

function uniform<A extends FloatArray>(ctor: FloatArrayCtor, n: number, scale: number, rnd: () => number): A {
  const a = new ctor(n) as A;
  for (let i = 0; i < n; i++) a[i] = (rnd() * 2 - 1) * scale;
  return a;
}

/** Glorot-uniform weights and small random biases (non-zero so bias gradients are exercised). */
export function initParams<A extends FloatArray>(cfg: BenchMoeConfig, ctor: FloatArrayCtor, seed: number): MoeParams<A> {
  const rnd = seededRandom(seed);
  const mat = (i: number, o: number): A => uniform<A>(ctor, i * o, Math.sqrt(6 / (i + o)), rnd);
  const bias = (n: number): A => uniform<A>(ctor, n, 0.05, rnd);
  return {
    backboneW: mat(cfg.inputDim, cfg.hiddenDim),
    backboneB: bias(cfg.hiddenDim),
    gateW: mat(cfg.hiddenDim, cfg.numExperts),
    gateB: bias(cfg.numExperts),
    experts: cfg.assigned.map(() => ({
      w1: mat(cfg.hiddenDim, cfg.expertHidden),
      b1: bias(cfg.expertHidden),
      w2: mat(cfg.expertHidden, cfg.numClasses),
      b2: bias(cfg.numClasses),
    })),
  };
}

/** A deep copy of the parameters in the given precision. */
export function convertParams<A extends FloatArray>(p: MoeParams, ctor: FloatArrayCtor): MoeParams<A> {
  const c = (a: FloatArray): A => ctor.from(a) as A;
  return {
    backboneW: c(p.backboneW),
    backboneB: c(p.backboneB),
    gateW: c(p.gateW),
    gateB: c(p.gateB),
    experts: p.experts.map((e) => ({ w1: c(e.w1), b1: c(e.b1), w2: c(e.w2), b2: c(e.b2) })),
  };
}

/** A random batch: inputs in [0, 1) like scaled pixels, labels uniform over the classes. */
export function randomBatch<A extends FloatArray>(cfg: BenchMoeConfig, batch: number, ctor: FloatArrayCtor, seed: number): { x: A; labels: Int32Array } {
  const rnd = seededRandom(seed);
  const x = new ctor(batch * cfg.inputDim) as A;
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = Math.floor(rnd() * cfg.numClasses);
  return { x, labels };
}
