/**
 * The product's training step for any backbone (mlp, cnn, resnet): the training graph of
 * `shared/src/model` in ONNX Runtime with the training engine's session options, parameters in and
 * updated parameters out each call. The PyTorch baseline runs the same step on the same layout.
 */
import * as ort from 'onnxruntime-node';
// The shared barrel does not re-export the model and training modules; import them by path.
import { buildTrainGraph, graphParamSpecs, initParameters, packParams, routingFeeds, type MoEConfig } from '@flexmoe/ml/model';
import { sessionOptions } from '@flexmoe/ml/training/sessions';
import { nchwcBlockSize } from '@flexmoe/ml/training';
import { BenchBackendError } from '../bench-error';

/** What one step case runs: model, slots, batch and threads. */
export interface StepCase {
  model: MoEConfig;
  /** Assigned experts (their count is the graph's k). */
  assigned: readonly number[];
  batch: number;
  threads: number;
  lr: number;
}

/** A seeded starting point of a case: graph-layout parameters, input batch and labels. */
export interface StepData {
  params: Record<string, Float32Array>;
  x: Float32Array;
  labels: Int32Array;
}

/** Seeded parameters (the product's initialiser, packed) and a uniform random batch. */
export function stepData(c: StepCase, seed: number): StepData {
  const params = packParams(c.model, c.assigned, initParameters(c.model, seed), (n) => new Float32Array(n));
  const [ch, h, w] = c.model.inputShape;
  let s = seed >>> 0;
  const rand = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = Float32Array.from({ length: c.batch * ch * h * w }, rand);
  const labels = Int32Array.from({ length: c.batch }, () => Math.floor(rand() * c.model.classes));
  return { params, x, labels };
}

/** Graph parameter names and shapes of a case. */
export function stepSpecs(c: StepCase): Array<{ name: string; shape: readonly number[] }> {
  return graphParamSpecs(c.model, c.assigned.length).map((s) => ({ name: s.name, shape: s.shape }));
}

/** The ONNX training step of one case, bound to one batch. */
export class OnnxBackboneStep {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly feeds: Record<string, ort.Tensor>,
    private readonly names: readonly string[],
  ) {}

  /** Builds the graph (`stepsPerCall` chained steps) and session and uploads parameters and batch. */
  static async create(c: StepCase, data: StepData, stepsPerCall = 1): Promise<OnnxBackboneStep> {
    const k = c.assigned.length;
    // Blocked convolutions where this CPU has them, as the trainer's sessions build their graphs.
    const nchwcBlock = await nchwcBlockSize();
    const graph = buildTrainGraph(c.model, k, { dtype: 'float32', steps: stepsPerCall, nchwcBlock });
    const session = await ort.InferenceSession.create(graph, sessionOptions(c.threads));
    const feeds: Record<string, ort.Tensor> = {};
    const specs = stepSpecs(c);
    for (const s of specs) feeds[s.name] = new ort.Tensor('float32', Float32Array.from(data.params[s.name]), [...s.shape]);
    const routing = routingFeeds(c.model, c.assigned);
    feeds.gate_mask = new ort.Tensor('float32', routing.gateMask, [c.model.experts]);
    feeds.slot_select = new ort.Tensor('float32', routing.slotSelect, [c.model.experts, k]);
    feeds.lr = new ort.Tensor('float32', Float32Array.of(c.lr), []);
    const target = new Float32Array(c.batch * c.model.classes);
    data.labels.forEach((l, i) => (target[i * c.model.classes + l] = 1));
    for (let s = 0; s < stepsPerCall; s++) {
      feeds[`x.${s}`] = new ort.Tensor('float32', data.x, [c.batch, ...c.model.inputShape]);
      feeds[`target.${s}`] = new ort.Tensor('float32', target, [c.batch, c.model.classes]);
    }
    return new OnnxBackboneStep(
      session,
      feeds,
      specs.map((s) => s.name),
    );
  }

  /** One call (`stepsPerCall` SGD steps); the updated parameters feed the next. */
  async step(): Promise<void> {
    const out = await this.session.run(this.feeds);
    for (const n of this.names) {
      const next = out[`next.${n}`];
      if (!next) throw new BenchBackendError(`training graph has no output next.${n}`);
      this.feeds[n] = next;
    }
  }

  /** The current parameters by graph name. */
  params(): Record<string, Float32Array> {
    return Object.fromEntries(this.names.map((n) => [n, this.feeds[n].data as Float32Array]));
  }

  /** Releases the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}
