/**
 * Our training step: the ONNX training graph of the product's model (`shared/src/model/graphs`),
 * run by ONNX Runtime on one intra-op thread exactly as the training engine runs it (parameters in,
 * updated parameters out, chained into the next call). Loaded on demand: when the graph builder is
 * absent from the build, the train suite reports the baselines alone.
 */
import * as ort from 'onnxruntime-node';
import { InvalidArgumentError } from '@flexmoe/shared';
import { BenchBackendError } from '../bench-error';
// The shared barrel does not re-export the model module; import it by path.
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared/dist/src/model/config';
import type { BenchMoeConfig } from './moe-config';
import { flattenParams, paramShapes, type MoeParams } from './params';

/** The part of the model-graph module the benchmark uses. */
interface GraphsModule {
  buildTrainGraph(model: MoEConfig, k: number, opts: { dtype: 'float32' | 'float64'; steps: number }): Uint8Array;
  graphParamName(name: string, assigned: readonly number[]): string;
  routingFeeds(model: MoEConfig, assigned: readonly number[]): { gateMask: Float32Array; slotSelect: Float32Array };
}

const GRAPHS_MODULE = '@flexmoe/shared/dist/src/model/graphs';

/** The model-graph module, or the reason it cannot be used. */
export function loadGraphs(): GraphsModule | { unavailable: string } {
  try {
    const mod = require(GRAPHS_MODULE) as Partial<GraphsModule>;
    for (const fn of ['buildTrainGraph', 'graphParamName', 'routingFeeds'] as const) {
      if (typeof mod[fn] !== 'function') return { unavailable: `${GRAPHS_MODULE} does not export ${fn}()` };
    }
    return mod as GraphsModule;
  } catch (err) {
    return { unavailable: `ONNX training graph not available: ${(err as Error).message.split('\n')[0]}` };
  }
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

/** Global parameter name of each benchmark parameter (`expert<j>` is slot j of `assigned`). */
export function globalParamName(benchName: string, assigned: readonly number[]): string {
  const fixed: Record<string, string> = {
    backboneW: 'backbone.fc.weight',
    backboneB: 'backbone.fc.bias',
    gateW: 'gate.weight',
    gateB: 'gate.bias',
  };
  if (fixed[benchName]) return fixed[benchName];
  const m = /^expert(\d+)\.(w1|b1|w2|b2)$/.exec(benchName);
  if (!m) throw new InvalidArgumentError(`unknown benchmark parameter ${benchName}`);
  const layer = { w1: 'fc1.weight', b1: 'fc1.bias', w2: 'fc2.weight', b2: 'fc2.bias' }[m[2] as 'w1'];
  return `expert.${assigned[Number(m[1])]}.${layer}`;
}

/** The ONNX training step bound to one batch (fed to every unrolled step of a call). */
export class OnnxMoeStep {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly feeds: Record<string, ort.Tensor>,
    private readonly paramInputs: Map<string, string>,
    /** SGD steps per graph call. */
    readonly stepsPerCall: number,
  ) {}

  /** Builds the graph and session (one intra-op thread) and uploads parameters and batch. */
  static async create(
    graphs: GraphsModule, cfg: BenchMoeConfig, params: MoeParams, x: Float32Array, labels: Int32Array, stepsPerCall = 1,
  ): Promise<OnnxMoeStep> {
    const model = toModelConfig(cfg);
    const assigned = cfg.assigned;
    const bytes = graphs.buildTrainGraph(model, assigned.length, { dtype: 'float32', steps: stepsPerCall });
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
    const feeds: Record<string, ort.Tensor> = {};
    const paramInputs = new Map<string, string>();
    const shapes = new Map(paramShapes(cfg));
    for (const [name, a] of flattenParams(params)) {
      const input = graphs.graphParamName(globalParamName(name, assigned), assigned);
      paramInputs.set(name, input);
      feeds[input] = new ort.Tensor('float32', Float32Array.from(a), shapes.get(name));
    }
    const routing = graphs.routingFeeds(model, assigned);
    feeds.gate_mask = new ort.Tensor('float32', routing.gateMask, [cfg.numExperts]);
    feeds.slot_select = new ort.Tensor('float32', routing.slotSelect, [cfg.numExperts, assigned.length]);
    feeds.lr = new ort.Tensor('float32', Float32Array.of(cfg.learningRate), []);
    const target = oneHot(labels, cfg.numClasses);
    for (let s = 0; s < stepsPerCall; s++) {
      feeds[`x.${s}`] = new ort.Tensor('float32', x, [labels.length, ...model.inputShape]);
      feeds[`target.${s}`] = new ort.Tensor('float32', target, [labels.length, cfg.numClasses]);
    }
    return new OnnxMoeStep(session, feeds, paramInputs, stepsPerCall);
  }

  /** One graph call (`stepsPerCall` SGD steps); the updated parameters feed the next call. */
  async step(): Promise<void> {
    const out = await this.session.run(this.feeds);
    for (const input of this.paramInputs.values()) {
      const next = out[`next.${input}`];
      if (!next) throw new BenchBackendError(`training graph has no output next.${input}`);
      this.feeds[input] = next;
    }
  }

  /** Current parameters under the benchmark's names. */
  params(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, input] of this.paramInputs) out.set(name, this.feeds[input].data as Float32Array);
    return out;
  }

  /** Releases the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}

function oneHot(labels: Int32Array, classes: number): Float32Array {
  const t = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => (t[i * classes + l] = 1));
  return t;
}
