/**
 * What a round task asks of the local epochs, in the trainer's terms: the update rule, the peak
 * rate, and where this round's steps sit in the run's per-step schedule. Checked before anything
 * is downloaded or trained, so a task this daemon cannot honour is refused without side effects
 * (never trained with plain SGD instead: see docs/protocol-versioning.md).
 */
import { checkTaskOptimizer, PLAIN_SGD_TASK, type TaskOptimizer } from '@flexmoe/shared';
import type { LrSchedule, TrainRequest } from '@flexmoe/ml/training';
import { TaskRefusedError } from '../errors';
import type { RoundTask } from './link';

/** The trainer fields of one round's local training. */
export type LocalTraining = Required<Pick<TrainRequest, 'lr' | 'optimizer'>> & { lrSchedule?: LrSchedule };

/**
 * The local training `task` asks for on `samples` training samples; TaskRefusedError naming the
 * field when it cannot be honoured (unknown rule or schedule, a value out of range or not finite).
 */
export function localTraining(task: RoundTask, samples: number): LocalTraining {
  const o: TaskOptimizer = task.optimizer ?? PLAIN_SGD_TASK;
  try {
    checkTask(task);
    checkTaskOptimizer(o, task.round);
  } catch (err) {
    throw new TaskRefusedError(`round ${task.round}: cannot honour the task: ${(err as Error).message}`, { cause: err });
  }
  const optimizer = { kind: o.rule, momentum: o.momentum, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon };
  if (o.schedule === 'constant') return { lr: task.learningRate, optimizer };
  // The schedule spans the run: every round is this client's same number of local steps.
  const perRound = task.localEpochs * Math.ceil(samples / task.batchSize);
  const totalSteps = o.scheduleRounds * perRound;
  return {
    lr: task.learningRate,
    optimizer,
    lrSchedule: { startStep: (task.round - 1) * perRound, totalSteps, warmupSteps: Math.min(o.warmupSteps, totalSteps), floor: o.floor },
  };
}

/** The task's own numbers the schedule depends on. */
function checkTask(task: RoundTask): void {
  if (!Number.isFinite(task.learningRate) || task.learningRate < 0)
    throw new RangeError(`learning_rate must be a finite number >= 0 (got ${task.learningRate})`);
  for (const [field, v] of [
    ['round', task.round],
    ['batch_size', task.batchSize],
    ['local_epochs', task.localEpochs],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${field} must be an integer >= 1 (got ${v})`);
  }
}

/** A short description for log lines, e.g. `{ rule: 'adam', lr: 0.002, schedule: 'step' }`. */
export function describeTraining(t: LocalTraining): Record<string, unknown> {
  return {
    rule: t.optimizer.kind,
    lr: t.lr,
    ...(t.optimizer.kind === 'sgd' && t.optimizer.momentum ? { momentum: t.optimizer.momentum } : {}),
    schedule: t.lrSchedule ? 'step' : 'constant',
    ...(t.lrSchedule ? { startStep: t.lrSchedule.startStep, totalSteps: t.lrSchedule.totalSteps, warmupSteps: t.lrSchedule.warmupSteps } : {}),
  };
}
