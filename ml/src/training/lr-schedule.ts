/**
 * Per-step learning-rate schedules for a run that spans several train calls (central training
 * calls once per epoch): linear warm-up from lr / warmupSteps to lr, then cosine decay to
 * `floor * lr` at the run's last step. Plain data, so it crosses the worker boundary.
 */
import { InvalidArgumentError } from '@flexmoe/shared';

/** Where a train call sits in the whole run, and the schedule's shape. */
export interface LrSchedule {
  /** Steps the run took before this call. */
  readonly startStep: number;
  /** Steps of the whole run (the cosine reaches its floor at the last one). */
  readonly totalSteps: number;
  /** Linear warm-up steps at the start of the run (0: none). */
  readonly warmupSteps: number;
  /** Final learning rate as a fraction of the peak, in [0, 1]. */
  readonly floor: number;
}

/** The learning-rate factor (of the peak) at 0-based step `step` of the run. */
export function lrFactor(s: LrSchedule, step: number): number {
  if (step < s.warmupSteps) return (step + 1) / s.warmupSteps;
  const span = s.totalSteps - s.warmupSteps;
  if (span <= 1) return 1;
  const t = Math.min(1, (step - s.warmupSteps) / (span - 1));
  return s.floor + (1 - s.floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}

/** Throws `InvalidArgumentError` naming the field unless `s` is a valid schedule. */
export function checkLrSchedule(s: unknown): void {
  if (s === null || typeof s !== 'object') throw new InvalidArgumentError('lrSchedule must be an object');
  const o = s as Record<string, unknown>;
  const int = (field: string, min: number): void => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new InvalidArgumentError(`lrSchedule.${field} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  };
  int('startStep', 0);
  int('totalSteps', 1);
  int('warmupSteps', 0);
  const floor = o.floor;
  if (typeof floor !== 'number' || !(floor >= 0 && floor <= 1))
    throw new InvalidArgumentError(`lrSchedule.floor must be a number in [0, 1] (got ${JSON.stringify(floor)})`);
  if ((o.warmupSteps as number) > (o.totalSteps as number)) throw new InvalidArgumentError('lrSchedule.warmupSteps must not exceed totalSteps');
}
