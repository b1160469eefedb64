/**
 * The Trainer: training, evaluation and inference export of the MoE model with ONNX Runtime in a
 * worker thread.
 */
export { Trainer, DEFAULT_STEPS_PER_CALL } from './trainer';
export { lrFactor, checkLrSchedule } from './lr-schedule';
export type { LrSchedule } from './lr-schedule';
export { resolveRecipe, TRAIN_RECIPES, DEFAULT_LR } from './recipe';
export type { TrainRecipe, RecipeOverrides } from './recipe';
export { TrainerWorkerError, TrainerClosedError } from './errors';
export type { ExpertStats, TrainerOptions, TrainRequest, TrainResult, EvaluateRequest, EvaluateResult, ExportRequest } from './types';
export type * from './types';
export { DAEMON_NODE_FLAGS, collectGarbage, releaseGarbage, ArrayBufferBudget } from './gc';
export { nchwcBlockSize } from './nchwc-probe';
