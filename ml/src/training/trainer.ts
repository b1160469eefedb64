/**
 * The public Trainer: trains, evaluates and exports the MoE model with ONNX Runtime, by default in
 * a worker thread so the caller's event loop (gRPC streams, keepalives, timers) stays live.
 */
import * as path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Dataset } from '../data/types';
import { InvalidArgumentError } from '@flexmoe/shared';
import { defaultModelConfig, pluginPaths, type MoEConfig } from '@flexmoe/shared';
// Types only: the engine (ONNX Runtime, the graph builder, protobufjs) loads in the thread that
// runs it, so the caller's thread of a worker-backed trainer never holds a copy of that code.
import type * as EngineModule from './engine';
import type { EngineOptions, TrainingEngine } from './engine';
import { abortReason, deserializeError, TrainerClosedError, TrainerWorkerError } from './errors';
import type { EvaluateRequest, EvaluateResult, ExportRequest, TrainerOptions, TrainRequest, TrainResult } from './types';
import { checkPositiveInt } from './validation';
import type { WorkerReply, WorkerRequest, WorkerStart } from './worker';

/** How many datasets the worker keeps; a dataset beyond this is sent again when next used. */
const WORKER_DATASETS = 3;

/** SGD steps per graph call by default: amortises the parameters' I/O of each ONNX Runtime call. */
export const DEFAULT_STEPS_PER_CALL = 4;

/** Trains, evaluates and exports the MoE model; one engine (and its sessions) per Trainer. */
export class Trainer {
  /** The model this trainer was created for (validated, frozen). */
  readonly model: MoEConfig;
  private readonly backend: Backend;
  private closed = false;

  private constructor(model: MoEConfig, backend: Backend) {
    this.model = model;
    this.backend = backend;
  }

  /** Creates a trainer; with `worker: true` (default) it starts the worker thread. */
  static async create(options: TrainerOptions): Promise<Trainer> {
    const model = defaultModelConfig(options.model);
    const engineOptions: EngineOptions = { model, threads: options.threads ?? 1, stepsPerCall: options.stepsPerCall ?? DEFAULT_STEPS_PER_CALL };
    checkPositiveInt('threads', engineOptions.threads);
    checkPositiveInt('stepsPerCall', engineOptions.stepsPerCall);
    const limits = options.workerYoungGenerationMb === undefined ? undefined : { maxYoungGenerationSizeMb: options.workerYoungGenerationMb };
    const plugins = options.plugins ?? pluginPaths();
    const backend = options.worker === false ? new InlineBackend(engineOptions) : await WorkerBackend.start({ engine: engineOptions, plugins }, limits);
    return new Trainer(model, backend);
  }

  /**
   * Runs `epochs` of minibatch SGD; resolves with the trained tensors and per-expert statistics.
   * A dataset crosses to the worker once and is cached by object identity: treat it as immutable.
   */
  train(request: TrainRequest): Promise<TrainResult> {
    return this.call(() => this.backend.train(request));
  }

  /** Accuracy, mean loss, per-expert statistics and predictions of the model on `data`. */
  evaluate(request: EvaluateRequest): Promise<EvaluateResult> {
    return this.call(() => this.backend.evaluate(request));
  }

  /** Writes the inference model (weights inside; input `input`, outputs `probabilities`, `label`). */
  async exportInference(request: ExportRequest): Promise<void> {
    await this.call(() => this.backend.exportInference(request));
  }

  /** Stops the worker and releases every session. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TrainerClosedError());
    return fn();
  }
}

interface Backend {
  train(r: TrainRequest): Promise<TrainResult>;
  evaluate(r: EvaluateRequest): Promise<EvaluateResult>;
  exportInference(r: ExportRequest): Promise<void>;
  close(): Promise<void>;
}

/** Runs the engine on the caller's thread (tests, benchmarks, one-shot CLI runs). */
class InlineBackend implements Backend {
  private readonly engine: TrainingEngine;

  constructor(options: EngineOptions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the engine loads ONNX Runtime
    const { TrainingEngine: Engine } = require('./engine') as typeof EngineModule;
    this.engine = new Engine(options);
  }

  async train(r: TrainRequest): Promise<TrainResult> {
    const { signal, ...args } = r;
    if (signal?.aborted) throw abortReason(signal);
    try {
      return await this.engine.train(args, () => signal?.aborted === true);
    } catch (err) {
      throw signal?.aborted ? abortReason(signal) : err;
    }
  }

  evaluate(r: EvaluateRequest): Promise<EvaluateResult> {
    return this.engine.evaluate(r);
  }

  exportInference(r: ExportRequest): Promise<void> {
    return this.engine.exportInference(r);
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/** Forwards calls to the engine in a worker thread. */
class WorkerBackend implements Backend {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private readonly dataIds = new WeakMap<Dataset, number>();
  private readonly resident: number[] = [];
  /** Cancel flags of the training calls in flight. */
  private readonly running = new Set<Int32Array>();
  private nextId = 1;
  private dead: Error | null = null;
  private closing = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (err) => this.fail(new TrainerWorkerError(`training worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.fail(new TrainerWorkerError(`training worker exited (code ${code})`)));
  }

  static async start(start: WorkerStart, resourceLimits?: ResourceLimits): Promise<WorkerBackend> {
    const worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: start, resourceLimits });
    // The worker's first message says whether it loaded its plugins and is ready.
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', (err) => reject(new TrainerWorkerError(`cannot start training worker: ${err.message}`, { cause: err })));
    });
    if (!ready.ok) {
      await worker.terminate();
      throw deserializeError(ready.error);
    }
    return new WorkerBackend(worker);
  }

  train(r: TrainRequest): Promise<TrainResult> {
    const { signal, data, ...args } = r;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const onAbort = (): void => {
      Atomics.store(cancel, 0, 1);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.running.add(cancel);
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(cancel);
    };
    return this.request<TrainResult>('train', args, data, cancel.buffer as SharedArrayBuffer).then(
      (v) => {
        finish();
        return v;
      },
      (err: unknown) => {
        finish();
        if (signal?.aborted) throw abortReason(signal);
        throw this.closing && (err as Error).name === 'AbortError' ? new TrainerClosedError() : err;
      },
    );
  }

  evaluate(r: EvaluateRequest): Promise<EvaluateResult> {
    const { data, ...args } = r;
    return this.request<EvaluateResult>('evaluate', args, data);
  }

  async exportInference(r: ExportRequest): Promise<void> {
    await this.request('export', { ...r });
  }

  /** Stops running training at its next step, then lets the worker release its sessions and exit. */
  async close(): Promise<void> {
    if (this.dead) return;
    this.closing = true;
    for (const flag of this.running) Atomics.store(flag, 0, 1);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    await exited;
  }

  private request<T>(method: WorkerRequest['method'], args: object, data?: Dataset, cancel?: SharedArrayBuffer): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const msg: WorkerRequest = { id, method, args: args as Record<string, unknown>, cancel };
    if (data !== undefined) this.attachData(msg, data);
    return new Promise<T>((resolve, reject) => {
      try {
        this.worker.postMessage(msg);
      } catch (err) {
        if (msg.data) this.resident.splice(this.resident.indexOf(msg.dataId!), 1);
        reject(new InvalidArgumentError(`${method} request cannot be sent to the training worker: ${(err as Error).message}`, { cause: err }));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Sends the dataset only when the worker does not hold it already. */
  private attachData(msg: WorkerRequest, data: Dataset): void {
    let id = this.dataIds.get(data);
    if (id === undefined) {
      id = this.nextId++;
      this.dataIds.set(data, id);
    }
    msg.dataId = id;
    const at = this.resident.indexOf(id);
    if (at >= 0) {
      this.resident.splice(at, 1);
    } else {
      msg.data = data;
    }
    this.resident.push(id);
    if (this.resident.length > WORKER_DATASETS) msg.evict = this.resident.splice(0, this.resident.length - WORKER_DATASETS);
  }

  private settle(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(deserializeError(reply.error));
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
