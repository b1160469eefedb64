/**
 * What the daemon needs from the training engine, and the factory that starts the shared
 * Trainer in its worker thread (so gRPC streams and heartbeats stay live while it trains).
 */
import type { MoEConfig } from '@flexmoe/shared';
import type { EvaluateRequest, EvaluateResult, ExportRequest, TrainRequest, TrainResult } from '@flexmoe/ml/training';
import type * as TrainerModule from '@flexmoe/ml/training';

/** The Trainer calls the daemon makes. */
export interface TrainerLike {
  train(request: TrainRequest): Promise<TrainResult>;
  evaluate(request: EvaluateRequest): Promise<EvaluateResult>;
  exportInference(request: ExportRequest): Promise<void>;
  close(): Promise<void>;
}

/** Starts a trainer for a model. */
export type TrainerFactory = (model: MoEConfig) => Promise<TrainerLike>;

/**
 * The shared Trainer in a worker thread with `threads` ONNX Runtime intra-op threads and, when
 * given, a V8 young generation of `youngGenerationMb` for that thread.
 */
export function workerTrainerFactory(threads: number, youngGenerationMb?: number): TrainerFactory {
  return async (model) => {
    // Loaded on first use: the engine pulls in ONNX Runtime, which `--help` does not need.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
    const { Trainer } = require('@flexmoe/ml/training') as typeof TrainerModule;
    return Trainer.create({ model, threads, worker: true, workerYoungGenerationMb: youngGenerationMb });
  };
}
