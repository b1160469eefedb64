// Original file: proto/flexmoe/v1/coordinator.proto

import type { LocalUpdateRule as _flexmoe_v1_LocalUpdateRule, LocalUpdateRule__Output as _flexmoe_v1_LocalUpdateRule__Output } from '../../flexmoe/v1/LocalUpdateRule';
import type { LocalSchedule as _flexmoe_v1_LocalSchedule, LocalSchedule__Output as _flexmoe_v1_LocalSchedule__Output } from '../../flexmoe/v1/LocalSchedule';

/**
 * A client's local optimizer for one round task. Its state (momentum, Adam's moments) starts at
 * zero every round: the experts a client holds change between rounds and the downloaded weights
 * are the aggregate, not the client's own. A client that cannot honour every field (an unknown
 * rule or schedule, a non-finite or out-of-range value) refuses the task: it reports the round
 * failed with the reason and trains nothing.
 */
export interface LocalOptimizer {
  'rule'?: (_flexmoe_v1_LocalUpdateRule);
  /**
   * SGD only, in [0, 1)
   */
  'momentum'?: (number | string);
  /**
   * Adam only, in [0, 1)
   */
  'beta1'?: (number | string);
  /**
   * Adam only, in [0, 1)
   */
  'beta2'?: (number | string);
  /**
   * Adam only, > 0
   */
  'epsilon'?: (number | string);
  'schedule'?: (_flexmoe_v1_LocalSchedule);
  /**
   * STEP only
   */
  'warmupSteps'?: (number);
  /**
   * STEP only, in [0, 1]
   */
  'floor'?: (number | string);
  /**
   * STEP only: rounds the schedule spans (>= the task's round)
   */
  'scheduleRounds'?: (number);
}

/**
 * A client's local optimizer for one round task. Its state (momentum, Adam's moments) starts at
 * zero every round: the experts a client holds change between rounds and the downloaded weights
 * are the aggregate, not the client's own. A client that cannot honour every field (an unknown
 * rule or schedule, a non-finite or out-of-range value) refuses the task: it reports the round
 * failed with the reason and trains nothing.
 */
export interface LocalOptimizer__Output {
  'rule': (_flexmoe_v1_LocalUpdateRule__Output);
  /**
   * SGD only, in [0, 1)
   */
  'momentum': (number);
  /**
   * Adam only, in [0, 1)
   */
  'beta1': (number);
  /**
   * Adam only, in [0, 1)
   */
  'beta2': (number);
  /**
   * Adam only, > 0
   */
  'epsilon': (number);
  'schedule': (_flexmoe_v1_LocalSchedule__Output);
  /**
   * STEP only
   */
  'warmupSteps': (number);
  /**
   * STEP only, in [0, 1]
   */
  'floor': (number);
  /**
   * STEP only: rounds the schedule spans (>= the task's round)
   */
  'scheduleRounds': (number);
}
