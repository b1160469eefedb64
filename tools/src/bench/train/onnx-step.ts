/**
 * Our training step: the product's ONNX training graph (`shared/src/model`) run by ONNX Runtime on
 * one intra-op thread exactly as the training engine runs it: parameters in, updated parameters
 * out, chained into the next call.
 */
import * as ort from 'onnxruntime-node';
import { BenchBackendError } from '../bench-error';
import { fromGlobalParams, toGlobalParams, toModelConfig, type ModelGraphs } from './graph-layout';
import type { BenchMoeConfig } from './moe-config';
import type { MoeParams } from './params';

export { loadModelGraphs, type ModelGraphs } from './graph-layout';

/** The ONNX training step bound to one batch (fed to every unrolled step of a call). */
export class OnnxMoeStep {
  private constructor(
    private readonly graphs: ModelGraphs,
    private readonly cfg: BenchMoeConfig,
    private readonly session: ort.InferenceSession,
    private readonly feeds: Record<string, ort.Tensor>,
    private readonly paramInputs: readonly string[],
    /** SGD steps per graph call. */
    readonly stepsPerCall: number,
  ) {}

  /** Builds the graph and session (one intra-op thread) and uploads parameters and batch. */
  static async create(
    graphs: ModelGraphs,
    cfg: BenchMoeConfig,
    params: MoeParams,
    x: Float32Array,
    labels: Int32Array,
    stepsPerCall = 1,
  ): Promise<OnnxMoeStep> {
    const model = toModelConfig(cfg);
    const { assigned } = cfg;
    const bytes = graphs.buildTrainGraph(model, assigned.length, { dtype: 'float32', steps: stepsPerCall });
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
    const feeds: Record<string, ort.Tensor> = {};
    const inputs = graphs.toGraph(model, assigned, toGlobalParams(cfg, params));
    for (const [name, values, shape] of inputs) feeds[name] = new ort.Tensor('float32', values, shape);
    const routing = graphs.routingFeeds(model, assigned);
    feeds.gate_mask = new ort.Tensor('float32', routing.gateMask, [cfg.numExperts]);
    feeds.slot_select = new ort.Tensor('float32', routing.slotSelect, [cfg.numExperts, assigned.length]);
    feeds.lr = new ort.Tensor('float32', Float32Array.of(cfg.learningRate), []);
    const target = oneHot(labels, cfg.numClasses);
    for (let s = 0; s < stepsPerCall; s++) {
      feeds[`x.${s}`] = new ort.Tensor('float32', x, [labels.length, ...model.inputShape]);
      feeds[`target.${s}`] = new ort.Tensor('float32', target, [labels.length, cfg.numClasses]);
    }
    return new OnnxMoeStep(
      graphs,
      cfg,
      session,
      feeds,
      inputs.map(([name]) => name),
      stepsPerCall,
    );
  }

  /** One graph call (`stepsPerCall` SGD steps); the updated parameters feed the next call. */
  async step(): Promise<void> {
    const out = await this.session.run(this.feeds);
    for (const input of this.paramInputs) {
      const next = out[`next.${input}`];
      if (!next) throw new BenchBackendError(`training graph has no output next.${input}`);
      this.feeds[input] = next;
    }
  }

  /** Current parameters under the benchmark's names. */
  params(): Map<string, Float32Array> {
    const graph = Object.fromEntries(this.paramInputs.map((n) => [n, this.feeds[n].data as Float32Array]));
    return fromGlobalParams(this.cfg, this.graphs.fromGraph(toModelConfig(this.cfg), this.cfg.assigned, graph));
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
