/**
 * Adapter to the product's model-graph module (`shared/src/model`), loaded on demand so the train
 * suite still reports its baselines when the graphs are absent from the build. It maps the
 * benchmark's parameters to the training graph's inputs (experts packed into wide tensors by the
 * module's `packParams`) and back (`unpackParams`).
 */
import { InvalidArgumentError } from '@flexmoe/shared';
// The shared barrel does not re-export the model module; import it by path.
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import type { BenchMoeConfig } from './moe-config';
import { flattenParams, paramShapes, type MoeParams } from './params';

type Floats = Record<string, Float32Array>;

/** What the benchmark needs from the model-graph module. */
export interface ModelGraphs {
  buildTrainGraph(model: MoEConfig, k: number, opts: { dtype: 'float32' | 'float64'; steps: number }): Uint8Array;
  routingFeeds(model: MoEConfig, assigned: readonly number[]): { gateMask: Float32Array; slotSelect: Float32Array };
  /** Graph input tensors (name, values, shape) for global-named parameters. */
  toGraph(model: MoEConfig, assigned: readonly number[], global: Floats): Array<[string, Float32Array, number[]]>;
  /** Global-named parameters from graph tensors. */
  fromGraph(model: MoEConfig, assigned: readonly number[], graph: Floats): Floats;
}

interface ModelModule {
  buildTrainGraph?: ModelGraphs['buildTrainGraph'];
  routingFeeds?: ModelGraphs['routingFeeds'];
  packParams?: (m: MoEConfig, a: readonly number[], p: Floats, make: (n: number) => Float32Array) => Floats;
  unpackParams?: (m: MoEConfig, a: readonly number[], p: Floats, make: (n: number) => Float32Array) => Floats;
  graphParamSpecs?: (m: MoEConfig, k: number) => Array<{ name: string; shape: readonly number[] }>;
}

const MODEL_MODULE = '@flexmoe/ml/model';

/** The model-graph adapter, or the reason the ONNX step cannot be measured. */
export function loadModelGraphs(): ModelGraphs | { unavailable: string } {
  let mod: ModelModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional module, absent in the server image
    mod = require(MODEL_MODULE) as ModelModule;
  } catch (err) {
    return { unavailable: `ONNX training graph not available: ${(err as Error).message.split('\n')[0]}` };
  }
  const { buildTrainGraph, routingFeeds } = mod;
  if (!buildTrainGraph || !routingFeeds) return { unavailable: `${MODEL_MODULE} lacks buildTrainGraph() or routingFeeds()` };
  const { packParams, unpackParams, graphParamSpecs } = mod;
  if (!packParams || !unpackParams || !graphParamSpecs) return { unavailable: `${MODEL_MODULE} lacks packParams(), unpackParams() or graphParamSpecs()` };
  const make = (n: number): Float32Array => new Float32Array(n);
  return {
    buildTrainGraph,
    routingFeeds,
    toGraph: (m, a, g) => {
      const packed = packParams(m, a, g, make);
      return graphParamSpecs(m, a.length).map((s) => [s.name, packed[s.name], [...s.shape]]);
    },
    fromGraph: (m, a, g) => unpackParams(m, a, g, make),
  };
}

/** The product's model config for a benchmark config. */
export function toModelConfig(cfg: BenchMoeConfig): MoEConfig {
  const side = Math.round(Math.sqrt(cfg.inputDim));
  const inputShape: [number, number, number] = side * side === cfg.inputDim ? [1, side, side] : [1, 1, cfg.inputDim];
  return defaultModelConfig({
    backbone: 'mlp',
    inputShape,
    classes: cfg.numClasses,
    experts: cfg.numExperts,
    featureDim: cfg.hiddenDim,
    expertHidden: cfg.expertHidden,
    topR: cfg.topR,
    auxWeight: cfg.auxWeight,
  });
}

const FIXED_NAMES: Record<string, string> = {
  backboneW: 'backbone.fc.weight',
  backboneB: 'backbone.fc.bias',
  gateW: 'gate.weight',
  gateB: 'gate.bias',
};
const EXPERT_LAYERS: Record<string, string> = { w1: 'fc1.weight', b1: 'fc1.bias', w2: 'fc2.weight', b2: 'fc2.bias' };

/** Global parameter name of a benchmark parameter (`expert<j>` is slot j of `assigned`). */
export function globalParamName(benchName: string, assigned: readonly number[]): string {
  if (FIXED_NAMES[benchName]) return FIXED_NAMES[benchName];
  const m = /^expert(\d+)\.(w1|b1|w2|b2)$/.exec(benchName);
  if (!m) throw new InvalidArgumentError(`unknown benchmark parameter ${benchName}`);
  return `expert.${assigned[Number(m[1])]}.${EXPERT_LAYERS[m[2]]}`;
}

/** Benchmark parameters under global names (float32 copies). */
export function toGlobalParams(cfg: BenchMoeConfig, params: MoeParams): Floats {
  const out: Floats = {};
  for (const [name, a] of flattenParams(params)) out[globalParamName(name, cfg.assigned)] = Float32Array.from(a);
  return out;
}

/** Global-named parameters back under the benchmark's names. */
export function fromGlobalParams(cfg: BenchMoeConfig, global: Floats): Map<string, Float32Array> {
  return new Map(paramShapes(cfg).map(([name]) => [name, global[globalParamName(name, cfg.assigned)]]));
}
