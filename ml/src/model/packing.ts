/**
 * Graph-side parameter layout. The k assigned experts travel through the graphs packed into four
 * tensors, so each expert layer is one wide Gemm instead of k small ones (far fewer graph nodes,
 * better matrix efficiency):
 * - `experts.fc1.weight` [F, k*H]: column block j is expert j's fc1 weight [F, H];
 * - `experts.fc1.bias`   [k*H]:    block j is expert j's fc1 bias;
 * - `experts.fc2.weight` [k*H, K]: row block j is expert j's fc2 weight [H, K];
 * - `experts.fc2.bias`   [k, K]:   row j is expert j's fc2 bias.
 * Backbone and gate tensors keep their global names. Slot j holds expert `assigned[j]`.
 */
import type { MoEConfig } from '@flexmoe/shared';
import { backboneSpecs, gateSpecs, type ParamSpec } from '@flexmoe/shared';

/** A float typed array: float32 for training, float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;

/** Specs of the graph inputs holding the parameters of a k-expert graph. */
export function graphParamSpecs(cfg: MoEConfig, k: number): ParamSpec[] {
  const { featureDim: f, expertHidden: h, classes: c } = cfg;
  return [
    ...backboneSpecs(cfg),
    ...gateSpecs(cfg),
    { name: 'experts.fc1.weight', shape: [f, k * h] },
    { name: 'experts.fc1.bias', shape: [k * h] },
    { name: 'experts.fc2.weight', shape: [k * h, c] },
    { name: 'experts.fc2.bias', shape: [k, c] },
  ];
}

/** Global-named parameters (backbone, gate, `expert.<e>.*` for e in `assigned`) -> graph layout. */
export function packParams<T extends FloatArray>(
  cfg: MoEConfig,
  assigned: readonly number[],
  params: Readonly<Record<string, FloatArray>>,
  make: (n: number) => T,
): Record<string, T> {
  const specs = graphParamSpecs(cfg, assigned.length);
  const out: Record<string, T> = {};
  for (const s of specs) out[s.name] = make(s.shape.reduce((a, b) => a * b, 1));
  for (const s of [...backboneSpecs(cfg), ...gateSpecs(cfg)]) out[s.name].set(params[s.name]);
  assigned.forEach((e, j) => {
    forEachBlock(cfg, assigned.length, j, (name, graphName, at, len, stride, rows) => {
      const src = params[`expert.${e}.${name}`];
      for (let r = 0; r < rows; r++) out[graphName].set(src.subarray(r * len, (r + 1) * len), at + r * stride);
    });
  });
  return out;
}

/** Graph layout -> global-named parameters (backbone, gate, `expert.<e>.*` for e in `assigned`). */
export function unpackParams<T extends FloatArray>(
  cfg: MoEConfig,
  assigned: readonly number[],
  graph: Readonly<Record<string, FloatArray>>,
  make: (n: number) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const s of [...backboneSpecs(cfg), ...gateSpecs(cfg)]) {
    out[s.name] = make(graph[s.name].length);
    out[s.name].set(graph[s.name]);
  }
  assigned.forEach((e, j) => {
    forEachBlock(cfg, assigned.length, j, (name, graphName, at, len, stride, rows) => {
      const dst = make(len * rows);
      for (let r = 0; r < rows; r++) dst.set(graph[graphName].subarray(at + r * stride, at + r * stride + len), r * len);
      out[`expert.${e}.${name}`] = dst;
    });
  });
  return out;
}

/**
 * Visits where slot j's four tensors sit in the packed layout: `rows` runs of `len` values, the
 * first at offset `at`, successive runs `stride` apart.
 */
function forEachBlock(
  cfg: MoEConfig,
  k: number,
  j: number,
  visit: (name: string, graphName: string, at: number, len: number, stride: number, rows: number) => void,
): void {
  const { featureDim: f, expertHidden: h, classes: c } = cfg;
  visit('fc1.weight', 'experts.fc1.weight', j * h, h, k * h, f);
  visit('fc1.bias', 'experts.fc1.bias', j * h, h, h, 1);
  visit('fc2.weight', 'experts.fc2.weight', j * h * c, h * c, h * c, 1);
  visit('fc2.bias', 'experts.fc2.bias', j * c, c, c, 1);
}
