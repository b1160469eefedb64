/**
 * Checks emitted gradients against central finite differences, both evaluated by real
 * onnxruntime sessions on a float64 graph.
 */
import { ShapeError } from '@flexmoe/shared';
import { GraphBuilder } from './builder';
import type { InferenceSession } from 'onnxruntime-node';
import { type HostTensor, createSession, runGraph } from './runtime';
import { staticSize } from './shape';
import type { Value } from './types';
import { seededUniform } from '@flexmoe/shared';

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
  return seededUniform(seed);
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

interface CheckGraph {
  readonly bytes: Uint8Array;
  readonly params: readonly Value[];
}

/** Builds `loss = sum(out * R)` with R random (so every output element weighs differently). */
function buildCheckGraph(c: GradCheckCase, rand: () => number): CheckGraph {
  const g = new GraphBuilder({ dtype: 'float64', name: 'gradcheck' });
  const out = c.build(g);
  const size = staticSize(out.shape);
  if (size === null || !out.isFloat) throw new ShapeError(`gradcheck: output ${out.describe()} must be float with a static shape`);
  const weights = g.constant(
    Array.from({ length: size }, () => rand() * 2 - 1),
    out.shape as number[],
  );
  const loss = g.reduceSum(g.mul(out, weights));
  const params = g.inputValues().filter((v) => v.kind === 'param');
  g.grad(loss, params).forEach((d, i) => g.output(d, `grad.${i}`));
  g.output(loss, 'loss');
  return { bytes: g.build(), params };
}

/** Central differences of the session's loss with respect to one fed parameter. */
async function numericGrad(session: InferenceSession, feeds: Record<string, HostTensor>, name: string, eps: number): Promise<Float64Array> {
  const data = feeds[name].data as Float64Array;
  const lossAt = async () => ((await runGraph(session, feeds, ['loss'])).loss.data as Float64Array)[0];
  const numeric = new Float64Array(data.length);
  for (let j = 0; j < data.length; j++) {
    const keep = data[j];
    data[j] = keep + eps;
    const up = await lossAt();
    data[j] = keep - eps;
    const down = await lossAt();
    data[j] = keep;
    numeric[j] = (up - down) / (2 * eps);
  }
  return numeric;
}

/**
 * Emits the gradients of `sum(out * R)` for every param of the case and compares them with
 * central differences of the same loss, both through one onnxruntime session.
 */
export async function checkGradients(c: GradCheckCase): Promise<GradCheckResult> {
  const rand = seededRandom(c.seed ?? 1);
  const { bytes, params } = buildCheckGraph(c, rand);
  const session = await createSession(bytes);
  try {
    const feeds: Record<string, HostTensor> = { ...c.feeds };
    for (const p of params) {
      const data = c.params?.[p.name] ?? Float64Array.from({ length: staticSize(p.shape)! }, () => rand() * 2 - 1);
      feeds[p.name] = { data: Float64Array.from(data), dims: p.shape as number[] };
    }
    const analytic = await runGraph(session, feeds);
    const relErrors: Record<string, number> = {};
    let runs = 1;
    for (const [i, p] of params.entries()) {
      const numeric = await numericGrad(session, feeds, p.name, c.eps ?? 1e-6);
      runs += 2 * numeric.length;
      relErrors[p.name] = relativeError(analytic[`grad.${i}`].data as Float64Array, numeric);
    }
    return { maxRelError: Math.max(0, ...Object.values(relErrors)), relErrors, runs };
  } finally {
    await session.release();
  }
}
