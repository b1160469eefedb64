/**
 * The Trainer's request and result shapes (shared by the caller side and the worker).
 */
import type { Dataset } from '../data/types';
import type { MoEConfig } from '@flexmoe/shared';
import type { OptimizerConfig } from '../model/optimizer';
import type { ParamMap } from '@flexmoe/shared';
import type { LrSchedule } from './lr-schedule';

/** What happened to one assigned expert during a train or evaluate call. */
export interface ExpertStats {
  /** Global expert index e. */
  expert: number;
  /** Samples routed to e (e among the sample's top-r selected experts), summed over all steps. */
  usage: number;
  /** Correct predictions of the mixed model among the samples routed to e. */
  correct: number;
  /** Sum of the mixed model's per-sample cross-entropy over the samples routed to e. */
  lossSum: number;
  /** Correct predictions of e's own logits among the samples routed to e. */
  ownCorrect: number;
  /** Sum of e's own cross-entropy over the samples routed to e. */
  ownLossSum: number;
}

/** Options of `Trainer.create`. */
export interface TrainerOptions {
  /** The model every call trains or evaluates. */
  model: MoEConfig;
  /** ONNX Runtime intra-op threads. Default 1 (faster than 2 for graphs of many small nodes). */
  threads?: number;
  /** Run ONNX Runtime in a worker thread so the caller's event loop stays live. Default true. */
  worker?: boolean;
  /** SGD steps unrolled into one graph call, amortising parameter I/O. Default 4. */
  stepsPerCall?: number;
  /** V8 young generation of the worker thread in MB (`resourceLimits`); default V8's own. */
  workerYoungGenerationMb?: number;
  /**
   * Plugin files the worker thread imports before its first call, so backbones they register
   * exist there too (see `loadPlugins` in @flexmoe/shared). Default: those `FLEXMOE_PLUGINS` names.
   * The caller's own thread must have loaded them already (the model is checked there).
   */
  plugins?: readonly string[];
}

/** One local training run. */
export interface TrainRequest {
  /** backbone.*, gate.* and expert.<e>.* for e in `assigned`; nothing else. */
  params: ParamMap;
  /** Global indices of the experts this model holds (k distinct experts). */
  assigned: number[];
  data: Dataset;
  epochs: number;
  lr: number;
  batchSize: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** The update rule; default plain SGD. Its state starts at zero on every call. */
  optimizer?: Partial<OptimizerConfig>;
  /** Per-step schedule of `lr` (the peak); default a constant `lr`. */
  lrSchedule?: LrSchedule;
  /** Aborting stops between steps; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The result of `Trainer.train`. */
export interface TrainResult {
  /** Trained backbone.*, gate.* and expert.<e>.* for e in `assigned`. */
  params: ParamMap;
  /** One entry per assigned expert, in `assigned` order. */
  experts: ExpertStats[];
  /** Mean cross-entropy over every sample seen (before each step's update). */
  loss: number;
  /** Fraction of training samples predicted correctly (before each step's update). */
  accuracy: number;
  /** Samples processed (epochs * n). */
  samples: number;
  /** SGD steps taken. */
  steps: number;
  seconds: number;
  samplesPerSecond: number;
}

/** One evaluation. */
export interface EvaluateRequest {
  params: ParamMap;
  assigned: number[];
  data: Dataset;
  /** Samples per graph call. Default 1024 (mlp) or 256 (cnn). */
  batchSize?: number;
}

/** The result of `Trainer.evaluate`. */
export interface EvaluateResult {
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  experts: ExpertStats[];
  /** Predicted class per sample. */
  predictions: Int32Array;
  samples: number;
}

/** One inference-model export. */
export interface ExportRequest {
  params: ParamMap;
  assigned: number[];
  /** Destination path of the ONNX file (written atomically: temp file, then rename). */
  file: string;
}
