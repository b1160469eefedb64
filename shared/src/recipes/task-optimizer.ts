/**
 * The local update rule and learning-rate schedule as a round task carries them to a client
 * (RoundTask.local_optimizer), and the client's check of what arrived. Plain data, shared by the
 * coordinator (which builds it) and the daemon (which checks it before any local step).
 */
import { InvalidArgumentError } from '../errors';
import { ADAM_CONSTANTS, UPDATE_RULES, type UpdateRule } from './train-recipes';

/** What a client's learning rate does within a run, as it travels. */
export type TaskSchedule = 'constant' | 'step';

/** The update rule and schedule of one round task; the task's learning rate is the peak. */
export interface TaskOptimizer {
  readonly rule: UpdateRule;
  /** SGD heavy-ball momentum in [0, 1) (0: plain SGD). */
  readonly momentum: number;
  /** Adam's moment decays, each in [0, 1), and its epsilon (> 0). */
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /**
   * `constant`: the task's rate for every local step. `step`: linear warm-up over the first
   * `warmupSteps` local steps of the run, then a cosine to `floor` x the rate at the run's last
   * local step; the run is `scheduleRounds` rounds of this client's local steps.
   */
  readonly schedule: TaskSchedule;
  readonly warmupSteps: number;
  /** Final rate as a fraction of the peak, in [0, 1] (step schedule). */
  readonly floor: number;
  /** Rounds the step schedule spans (the run's rounds); 0 with the constant schedule. */
  readonly scheduleRounds: number;
}

/** What a round task means when it names no optimizer: plain SGD at its constant rate (protocol version 1). */
export const PLAIN_SGD_TASK: TaskOptimizer = Object.freeze({
  rule: 'sgd',
  momentum: 0,
  ...ADAM_CONSTANTS,
  schedule: 'constant',
  warmupSteps: 0,
  floor: 1,
  scheduleRounds: 0,
});

/** True when a client of protocol version 1 (which ignores local_optimizer) would train exactly as told. */
export function isPlainSgdTask(o: TaskOptimizer): boolean {
  return o.rule === 'sgd' && o.momentum === 0 && o.schedule === 'constant';
}

/**
 * Throws `InvalidArgumentError` naming the field unless `o` is an optimizer a client can honour:
 * a known rule, finite constants in range, a known schedule that fits `round`.
 */
export function checkTaskOptimizer(o: TaskOptimizer, round: number): void {
  const bad = (field: string, want: string, got: unknown): never => {
    throw new InvalidArgumentError(`local_optimizer.${field} must be ${want} (got ${typeof got === 'number' ? String(got) : JSON.stringify(got)})`);
  };
  if (!UPDATE_RULES.includes(o.rule)) bad('rule', `one of ${UPDATE_RULES.join(', ')}`, o.rule);
  const unit = (field: 'momentum' | 'beta1' | 'beta2', v: number): void => {
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) bad(field, 'a number in [0, 1)', v);
  };
  unit('momentum', o.momentum);
  if (o.rule === 'adam') {
    unit('beta1', o.beta1);
    unit('beta2', o.beta2);
    if (typeof o.epsilon !== 'number' || !(o.epsilon > 0) || !Number.isFinite(o.epsilon)) bad('epsilon', 'a finite number > 0', o.epsilon);
  }
  if (o.schedule === 'constant') return;
  if (o.schedule !== 'step') bad('schedule', 'constant or step', o.schedule);
  if (!Number.isInteger(o.warmupSteps) || o.warmupSteps < 0) bad('warmup_steps', 'an integer >= 0', o.warmupSteps);
  if (typeof o.floor !== 'number' || !(o.floor >= 0 && o.floor <= 1)) bad('floor', 'a number in [0, 1]', o.floor);
  if (!Number.isInteger(o.scheduleRounds) || o.scheduleRounds < 1) bad('schedule_rounds', 'an integer >= 1', o.scheduleRounds);
  if (round > o.scheduleRounds) bad('schedule_rounds', `at least the task's round ${round}`, o.scheduleRounds);
}
