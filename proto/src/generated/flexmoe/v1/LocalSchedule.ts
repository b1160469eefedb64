// Original file: proto/flexmoe/v1/coordinator.proto

/**
 * The learning-rate schedule of a client's local steps.
 */
export const LocalSchedule = {
  /**
   * read as CONSTANT
   */
  LOCAL_SCHEDULE_UNSPECIFIED: 'LOCAL_SCHEDULE_UNSPECIFIED',
  /**
   * learning_rate for every local step
   */
  LOCAL_SCHEDULE_CONSTANT: 'LOCAL_SCHEDULE_CONSTANT',
  /**
   * Linear warm-up over the run's first `warmup_steps` local steps, then a cosine to
   * floor x learning_rate at the run's last local step. The run is `schedule_rounds` rounds of
   * the client's own local steps (local_epochs x ceil(samples / batch_size) per round), so each
   * client knows where the task's round sits in it.
   */
  LOCAL_SCHEDULE_STEP: 'LOCAL_SCHEDULE_STEP',
} as const;

/**
 * The learning-rate schedule of a client's local steps.
 */
export type LocalSchedule =
  /**
   * read as CONSTANT
   */
  | 'LOCAL_SCHEDULE_UNSPECIFIED'
  | 0
  /**
   * learning_rate for every local step
   */
  | 'LOCAL_SCHEDULE_CONSTANT'
  | 1
  /**
   * Linear warm-up over the run's first `warmup_steps` local steps, then a cosine to
   * floor x learning_rate at the run's last local step. The run is `schedule_rounds` rounds of
   * the client's own local steps (local_epochs x ceil(samples / batch_size) per round), so each
   * client knows where the task's round sits in it.
   */
  | 'LOCAL_SCHEDULE_STEP'
  | 2

/**
 * The learning-rate schedule of a client's local steps.
 */
export type LocalSchedule__Output = typeof LocalSchedule[keyof typeof LocalSchedule]
