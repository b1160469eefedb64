/**
 * The Trainer: training, evaluation and inference export of the MoE model with ONNX Runtime in a
 * worker thread.
 */
export { Trainer } from './trainer';
export { TrainerWorkerError, TrainerClosedError } from './errors';
export type {
  ExpertStats, TrainerOptions, TrainRequest, TrainResult, EvaluateRequest, EvaluateResult, ExportRequest,
} from './types';
export type * from './types';
export { DAEMON_NODE_FLAGS, collectGarbage, releaseGarbage, ArrayBufferBudget } from './gc';
