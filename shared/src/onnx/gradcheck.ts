/**
 * Checks emitted gradients against central finite differences, both evaluated by real
 * onnxruntime sessions on a float64 graph.
 */
import { ShapeError } from '../errors';
import { GraphBuilder } from './builder';
import { type HostTensor, createSession, runGraph } from './runtime';
import { staticSize } from './shape';
import type { Value } from './types';

/** A function under test: params declared with `g.param` are checked; other inputs are fed. */
export interface GradCheckCase {
  /** Builds the function on a float64 graph and returns its (static-shape) output. */
  build(g: GraphBuilder): Value;
  /** Feeds for non-parameter inputs (indices, masks). */
  readonly feeds?: Readonly<Record<string, HostTensor>>;
  /** Parameter values (default: uniform in [-1, 1) from `seed`). */
  readonly params?: Readonly<Record<string, Float64Array>>;
  /** Finite-difference step (default 1e-6). */
  readonly eps?: number;
  /** Seed of the random parameter values and loss weights (default 1). */
  readonly seed?: number;
}

/** Outcome of a gradient check. */
export interface GradCheckResult {
  /** max |analytic - numeric| / max(|analytic|, |numeric|) over each parameter, worst parameter. */
  readonly maxRelError: number;
  /** The same figure per parameter name. */
  readonly relErrors: Readonly<Record<string, number>>;
  /** Session runs used. */
  readonly runs: number;
}

/** Small seeded PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative error of two vectors: max abs difference over the larger max magnitude. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-300;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  }
  return diff / scale;
}

/**
 * Builds `loss = sum(out * R)` (R random, so every output element matters differently), emits
 * its gradients for every param, and compares them with central differences of the loss.
 */
export async function checkGradients(c: GradCheckCase): Promise<GradCheckResult> {
  const rand = seededRandom(c.seed ?? 1);
  const g = new GraphBuilder({ dtype: 'float64', name: 'gradcheck' });
  const out = c.build(g);
  const size = staticSize(out.shape);
  if (size === null || !out.isFloat) throw new ShapeError(`gradcheck: output ${out.describe()} must be float with a static shape`);
  const weights = g.constant(Array.from({ length: size }, () => rand() * 2 - 1), out.shape as number[]);
  const loss = g.reduceSum(g.mul(out, weights));
  const params = g.inputValues().filter((v) => v.kind === 'param');
  const grads = g.grad(loss, params);
  g.output(loss, 'loss');
  grads.forEach((d, i) => g.output(d, `grad.${i}`));
  const session = await createSession(g.build());
  try {
    const feeds: Record<string, HostTensor> = { ...c.feeds };
    for (const p of params) {
      const n = staticSize(p.shape)!;
      const data = c.params?.[p.name] ?? Float64Array.from({ length: n }, () => rand() * 2 - 1);
      feeds[p.name] = { data: Float64Array.from(data), dims: p.shape as number[] };
    }
    const analytic = await runGraph(session, feeds);
    const lossAt = async () => ((await runGraph(session, feeds, ['loss'])).loss.data as Float64Array)[0];
    const eps = c.eps ?? 1e-6;
    const relErrors: Record<string, number> = {};
    let runs = 1;
    for (const [i, p] of params.entries()) {
      const data = feeds[p.name].data as Float64Array;
      const numeric = new Float64Array(data.length);
      for (let j = 0; j < data.length; j++) {
        const keep = data[j];
        data[j] = keep + eps;
        const up = await lossAt();
        data[j] = keep - eps;
        const down = await lossAt();
        data[j] = keep;
        numeric[j] = (up - down) / (2 * eps);
        runs += 2;
      }
      relErrors[p.name] = relativeError(analytic[`grad.${i}`].data as Float64Array, numeric);
    }
    return { maxRelError: Math.max(0, ...Object.values(relErrors)), relErrors, runs };
  } finally {
    await session.release();
  }
}
