/**
 * Worker-thread entry of the Trainer: owns one `TrainingEngine` (and so every ONNX Runtime
 * session), runs one request at a time and posts results back with their buffers transferred.
 * Datasets are cached by id so a large training set crosses the thread boundary once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Dataset } from '../data/types';
import { loadPlugins } from '@flexmoe/shared';
import { TrainingEngine, type EngineOptions } from './engine';
import { serializeError } from './errors';
import { ArrayBufferBudget } from './gc';
import type { EvaluateResult, TrainResult } from './types';

/** A request from the caller thread. `data` is resolved from `dataId` (sent once, then cached). */
export interface WorkerRequest {
  id: number;
  method: 'train' | 'evaluate' | 'export';
  args: Record<string, unknown>;
  dataId?: number;
  data?: Dataset;
  evict?: number[];
  /** Int32 flag set to 1 by the caller to stop training between steps. */
  cancel?: SharedArrayBuffer;
}

/** The reply to one request. */
export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ReturnType<typeof serializeError> };

/**
 * Dead ArrayBuffer bytes the worker may hold between requests. Every graph call returns fresh
 * output tensors (about 0.5 MB of weights for the default model); they outlive a scavenge or
 * two, die in the old generation and, as the worker allocates little else, V8 would leave
 * 10-20 MB of them resident for many rounds.
 */
const GARBAGE_SLACK_BYTES = 8 * 2 ** 20;

/** What the worker starts with: the engine's options and the plugin files to import first. */
export interface WorkerStart {
  engine: EngineOptions;
  plugins: readonly string[];
}

/** The first message: id 0, ok once the plugins are loaded (else the error; the worker then waits to be terminated). */
export const READY_ID = 0;

const port = parentPort;
if (port) {
  const start = workerData as WorkerStart;
  const datasets = new Map<number, Dataset>();
  const garbage = new ArrayBufferBudget(GARBAGE_SLACK_BYTES);
  // Plugins first: the engine builds graphs of backbones they may register.
  const ready: Promise<TrainingEngine | null> = loadPlugins(start.plugins).then(
    () => {
      port.postMessage({ id: READY_ID, ok: true, result: null } satisfies WorkerReply);
      return new TrainingEngine(start.engine);
    },
    (err: unknown) => {
      port.postMessage({ id: READY_ID, ok: false, error: serializeError(err) } satisfies WorkerReply);
      return null;
    },
  );
  let queue: Promise<unknown> = ready;
  port.on('message', (req: WorkerRequest | 'close') => {
    queue = queue.then(async () => {
      const engine = await ready;
      if (req !== 'close') return engine && serve(engine, datasets, req);
      await engine?.close();
      port.close();
    });
  });

  async function serve(eng: TrainingEngine, cache: Map<number, Dataset>, req: WorkerRequest): Promise<void> {
    try {
      for (const id of req.evict ?? []) cache.delete(id);
      if (req.dataId !== undefined && req.data) cache.set(req.dataId, req.data);
      const data = req.dataId === undefined ? undefined : cache.get(req.dataId);
      const result = await dispatch(eng, req, data);
      port!.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply, transferList(result));
    } catch (err) {
      port!.postMessage({ id: req.id, ok: false, error: serializeError(err) } satisfies WorkerReply);
    }
    // Between requests (the reply is already on its way) a full collection costs nobody a wait.
    garbage.settle();
  }
}

async function dispatch(engine: TrainingEngine, req: WorkerRequest, data: Dataset | undefined): Promise<unknown> {
  const args = { ...req.args, data } as never;
  switch (req.method) {
    case 'train': {
      const flag = req.cancel ? new Int32Array(req.cancel) : null;
      return engine.train(args, () => flag !== null && Atomics.load(flag, 0) !== 0);
    }
    case 'evaluate':
      return engine.evaluate(args);
    case 'export':
      return engine.exportInference(args);
  }
}

/** Buffers of a result to move (not copy) to the caller. */
function transferList(result: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const r = result as Partial<TrainResult & EvaluateResult> | undefined;
  for (const t of Object.values(r?.params ?? {})) if (t.buffer instanceof ArrayBuffer) out.push(t.buffer);
  if (r?.predictions?.buffer instanceof ArrayBuffer) out.push(r.predictions.buffer);
  return [...new Set(out)];
}
