/**
 * The training engine: runs the MoE training, evaluation and export graphs with ONNX Runtime on
 * the current thread. The Trainer runs it inside a worker thread; nothing here touches threads.
 */
import * as ort from 'onnxruntime-node';
import { InvalidArgumentError, NonFiniteError } from '@flexmoe/shared';
import { defaultModelConfig, type MoEConfig } from '@flexmoe/shared';
import { backboneGraph } from '../model/backbones';
import { buildInferenceModel, routingFeeds } from '../model/graphs';
import { graphParamSpecs, packParams, unpackParams } from '../model/packing';
import { isPlainSgd, optimizerConfig, optimizerStateSpecs, type OptimizerConfig } from '../model/optimizer';
import { sizeOf, type ParamMap } from '@flexmoe/shared';
import { allocBatch, epochOrder, fillBatch, type Batch } from './batching';
import { writeFileAtomic } from '@flexmoe/shared';
import { checkLrSchedule, lrFactor, type LrSchedule } from './lr-schedule';
import { SessionCache } from './sessions';
import { SlotStats } from './stats';
import type { EvaluateRequest, EvaluateResult, ExportRequest, TrainRequest, TrainResult } from './types';
import { checkLearningRate, checkPositiveInt, firstNonFinite, validateDataset, validateParams } from './validation';

/** Engine construction options (plain data: they cross the worker boundary). */
export interface EngineOptions {
  model: MoEConfig;
  threads: number;
  stepsPerCall: number;
}

/** Training arguments without the abort signal (the engine polls `shouldStop` instead). */
export type EngineTrainArgs = Omit<TrainRequest, 'signal'>;

/** Longest stretch of training without yielding to the event loop of the engine's thread. */
const YIELD_MS = 50;

/** Runs train / evaluate / export for one model configuration, caching its sessions. */
export class TrainingEngine {
  private readonly model: MoEConfig;
  private readonly sessions: SessionCache;
  private readonly stepsPerCall: number;

  constructor(options: EngineOptions) {
    TrainingEngine.checkOptions(options);
    this.model = defaultModelConfig(options.model);
    this.stepsPerCall = options.stepsPerCall;
    this.sessions = new SessionCache(this.model, options.threads);
  }

  /** Throws `InvalidArgumentError` for bad thread or steps-per-call counts. */
  static checkOptions(options: EngineOptions): void {
    checkPositiveInt('threads', options.threads);
    checkPositiveInt('stepsPerCall', options.stepsPerCall);
  }

  /** Minibatch SGD over `data` for `epochs`; throws `NonFiniteError` (and returns no weights) on a non-finite loss. */
  async train(args: EngineTrainArgs, shouldStop: () => boolean = () => false): Promise<TrainResult> {
    const { assigned, data } = args;
    this.checkTrainArgs(args);
    const started = process.hrtime.bigint();
    const optimizer = optimizerConfig(args.optimizer);
    const run = new TrainRun(this.model, assigned, args.params, { lr: args.lr, optimizer, schedule: args.lrSchedule });
    // Only two graphs per k: `stepsPerCall` steps for runs of full batches, one step for the rest.
    const steps = this.stepsPerCall > 1 && data.n >= this.stepsPerCall * args.batchSize ? this.stepsPerCall : 1;
    const multi = steps > 1 ? await this.sessions.get('train', assigned.length, steps, optimizer) : null;
    const single = await this.sessions.get('train', assigned.length, 1, optimizer);
    const buffers = Array.from({ length: steps }, () => allocBatch(data, args.batchSize));
    const pacer = new Pacer(shouldStop);
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      const order = epochOrder(data.n, args.seed, epoch);
      for (let pos = 0; pos < data.n;) {
        await pacer.checkpoint();
        const useMulti = multi !== null && Math.floor((data.n - pos) / args.batchSize) >= steps;
        const batches: Batch[] = [];
        for (let s = 0; s < (useMulti ? steps : 1); s++) {
          const size = Math.min(args.batchSize, data.n - pos);
          batches.push(fillBatch(data, order, pos, size, buffers[s]));
          pos += size;
        }
        await run.step(useMulti ? multi : single, batches, epoch);
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return run.result(seconds);
  }

  /** Accuracy, mean cross-entropy, per-expert statistics and predictions on `data`. */
  async evaluate(args: EvaluateRequest): Promise<EvaluateResult> {
    validateParams(this.model, args.assigned, args.params);
    validateDataset(this.model, args.data);
    const batchSize = args.batchSize ?? backboneGraph(this.model).evalBatch; /* the backbone's, when the caller does not say */
    checkPositiveInt('batchSize', batchSize);
    const k = args.assigned.length;
    const session = await this.sessions.get('eval', k);
    const feeds = paramFeeds(this.model, args.assigned, args.params);
    Object.assign(feeds, routingTensors(this.model, args.assigned));
    const stats = new SlotStats(args.assigned);
    const predictions = new Int32Array(args.data.n);
    const order = Uint32Array.from({ length: args.data.n }, (_, i) => i);
    const buffer = allocBatch(args.data, Math.min(batchSize, args.data.n));
    for (let pos = 0; pos < args.data.n; pos += batchSize) {
      const batch = fillBatch(args.data, order, pos, Math.min(batchSize, args.data.n - pos), buffer);
      Object.assign(feeds, batchFeeds(this.model, batch, ''));
      const out = await session.run(feeds);
      stats.add(out, batch.n);
      const pred = out.predictions.data as BigInt64Array;
      for (let i = 0; i < batch.n; i++) predictions[pos + i] = Number(pred[i]);
    }
    return { ...stats.summary(), predictions, samples: args.data.n };
  }

  /** Writes the inference model to `file` durably and atomically (writeFileAtomic). */
  async exportInference(args: ExportRequest): Promise<void> {
    validateParams(this.model, args.assigned, args.params);
    if (typeof args.file !== 'string' || args.file === '') throw new InvalidArgumentError('file must be a non-empty path');
    const bytes = buildInferenceModel(this.model, args.params, args.assigned);
    await writeFileAtomic(args.file, bytes);
  }

  /** Releases every cached session. */
  close(): Promise<void> {
    return this.sessions.close();
  }

  private checkTrainArgs(args: EngineTrainArgs): void {
    validateParams(this.model, args.assigned, args.params);
    validateDataset(this.model, args.data);
    checkPositiveInt('epochs', args.epochs);
    checkPositiveInt('batchSize', args.batchSize);
    checkLearningRate(args.lr);
    if (args.lrSchedule !== undefined) checkLrSchedule(args.lrSchedule);
    if (!Number.isInteger(args.seed)) throw new InvalidArgumentError(`seed must be an integer (got ${args.seed})`);
  }
}

/** How a train call updates the weights: peak learning rate, rule, optional per-step schedule. */
interface UpdatePlan {
  lr: number;
  optimizer: OptimizerConfig;
  schedule?: LrSchedule;
}

/** The mutable state of one `train` call: current parameter and optimizer-state tensors, statistics, step counter. */
class TrainRun {
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly stats: SlotStats;
  private steps = 0;

  constructor(
    private readonly model: MoEConfig,
    private readonly assigned: readonly number[],
    params: ParamMap,
    private readonly plan: UpdatePlan,
  ) {
    this.feeds = paramFeeds(model, assigned, params);
    Object.assign(this.feeds, routingTensors(model, assigned));
    // Optimizer state starts at zero on every call (see optimizer.ts); each step's output replaces it.
    for (const spec of optimizerStateSpecs(plan.optimizer, graphParamSpecs(model, assigned.length))) {
      this.feeds[spec.name] = new ort.Tensor('float32', new Float32Array(sizeOf(spec.shape)), [...spec.shape]);
    }
    this.stats = new SlotStats(assigned);
  }

  /** The scalar inputs of the next call: lr (scheduled per call) and, when the rule has state, `opt_step`. */
  private setScalars(): void {
    const s = this.plan.schedule;
    const lr = s ? this.plan.lr * lrFactor(s, s.startStep + this.steps) : this.plan.lr;
    this.feeds.lr = new ort.Tensor('float32', Float32Array.of(lr), []);
    if (!isPlainSgd(this.plan.optimizer)) {
      this.feeds.opt_step = new ort.Tensor('float32', Float32Array.of(this.steps), []);
    }
  }

  /** Runs one graph call over `batches` (one update step each); keeps the new weights only if the loss is finite. */
  async step(session: ort.InferenceSession, batches: Batch[], epoch: number): Promise<void> {
    this.setScalars();
    batches.forEach((b, s) => Object.assign(this.feeds, batchFeeds(this.model, b, `.${s}`)));
    const out = await session.run(this.feeds);
    const ce = (out.ce_sum.data as Float32Array)[0];
    if (!Number.isFinite(ce)) {
      const first = this.steps + 1;
      const where = batches.length > 1 ? `steps ${first}-${first + batches.length - 1}` : `step ${first}`;
      throw new NonFiniteError(`non-finite training loss at epoch ${epoch + 1}, ${where}; no weights were kept`);
    }
    for (const name of Object.keys(this.feeds)) {
      const next = out[`next.${name}`];
      if (next) this.feeds[name] = next as ort.Tensor;
    }
    this.stats.add(
      out,
      batches.reduce((s, b) => s + b.n, 0),
    );
    this.steps += batches.length;
  }

  /** The trained tensors under their global names, plus statistics; refuses non-finite weights. */
  result(seconds: number): TrainResult {
    const graph: Record<string, Float32Array> = {};
    for (const s of graphParamSpecs(this.model, this.assigned.length)) graph[s.name] = this.feeds[s.name].data as Float32Array;
    const params = unpackParams(this.model, this.assigned, graph, (n) => new Float32Array(n));
    for (const [name, t] of Object.entries(params)) {
      const bad = firstNonFinite(t);
      if (bad >= 0) throw new NonFiniteError(`training made parameter '${name}' non-finite (index ${bad}); no weights were kept`);
    }
    const s = this.stats.summary();
    return {
      params,
      experts: s.experts,
      loss: s.loss,
      accuracy: s.accuracy,
      samples: s.samples,
      steps: this.steps,
      seconds,
      samplesPerSecond: seconds > 0 ? s.samples / seconds : 0,
    };
  }
}

/** Parameter tensors keyed by graph input name (the assigned experts packed, see packing.ts). */
function paramFeeds(model: MoEConfig, assigned: readonly number[], params: ParamMap): Record<string, ort.Tensor> {
  const packed = packParams(model, assigned, params, (n) => new Float32Array(n));
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of graphParamSpecs(model, assigned.length)) {
    feeds[spec.name] = new ort.Tensor('float32', packed[spec.name], [...spec.shape]);
  }
  return feeds;
}

function routingTensors(model: MoEConfig, assigned: readonly number[]): Record<string, ort.Tensor> {
  const r = routingFeeds(model, assigned);
  return {
    gate_mask: new ort.Tensor('float32', r.gateMask, [model.experts]),
    slot_select: new ort.Tensor('float32', r.slotSelect, [model.experts, assigned.length]),
  };
}

function batchFeeds(model: MoEConfig, b: Batch, suffix: string): Record<string, ort.Tensor> {
  return {
    [`x${suffix}`]: new ort.Tensor('float32', b.x, [b.n, ...model.inputShape]),
    [`target${suffix}`]: new ort.Tensor('float32', b.target, [b.n, model.classes]),
  };
}

/**
 * Between steps: yields to the thread's event loop now and then (session.run blocks it, and
 * timers and abort signals must still fire) and stops when asked.
 */
class Pacer {
  private lastYield = Date.now();

  constructor(private readonly shouldStop: () => boolean) {}

  async checkpoint(): Promise<void> {
    if (Date.now() - this.lastYield > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = Date.now();
    }
    if (this.shouldStop()) throw abortError();
  }
}

function abortError(): Error {
  const err = new Error('training aborted');
  err.name = 'AbortError';
  return err;
}
