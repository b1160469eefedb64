/**
 * RoundTask.local_optimizer on the wire: the coordinator writes the TaskOptimizer of
 * @flexmoe/shared, the client reads it back. Reading does not judge values: an unknown rule or
 * schedule comes back as a name the client's check (checkTaskOptimizer) refuses with a clear
 * reason, never as a silent fallback to SGD.
 */
import { PLAIN_SGD_TASK, type TaskOptimizer } from '@flexmoe/shared';
import type { LocalOptimizer, LocalOptimizer__Output } from './generated/flexmoe/v1/LocalOptimizer';

const RULES = { sgd: 'LOCAL_UPDATE_RULE_SGD', adam: 'LOCAL_UPDATE_RULE_ADAM' } as const;
const SCHEDULES = { constant: 'LOCAL_SCHEDULE_CONSTANT', step: 'LOCAL_SCHEDULE_STEP' } as const;

/** The LocalOptimizer message of a task's optimizer (the coordinator's side). */
export function taskOptimizerToWire(o: TaskOptimizer): LocalOptimizer {
  return {
    rule: RULES[o.rule],
    momentum: o.momentum,
    beta1: o.beta1,
    beta2: o.beta2,
    epsilon: o.epsilon,
    schedule: SCHEDULES[o.schedule],
    warmupSteps: o.warmupSteps,
    floor: o.floor,
    scheduleRounds: o.scheduleRounds,
  };
}

/**
 * The optimizer a received task asks for: plain SGD at a constant rate when the field is absent
 * (a coordinator that predates it). An unknown or unspecified rule, or an unknown schedule, keeps
 * a descriptive name (`unknown rule 7`) for the client's check to refuse.
 */
export function taskOptimizerFromWire(m: LocalOptimizer__Output | null | undefined): TaskOptimizer {
  if (!m) return PLAIN_SGD_TASK;
  return {
    rule: ruleOf(m.rule),
    momentum: m.momentum,
    beta1: m.beta1,
    beta2: m.beta2,
    epsilon: m.epsilon,
    schedule: scheduleOf(m.schedule),
    warmupSteps: m.warmupSteps,
    floor: m.floor,
    scheduleRounds: m.scheduleRounds,
  };
}

function ruleOf(v: unknown): TaskOptimizer['rule'] {
  if (v === RULES.sgd) return 'sgd';
  if (v === RULES.adam) return 'adam';
  return `unknown rule ${String(v)}` as TaskOptimizer['rule'];
}

function scheduleOf(v: unknown): TaskOptimizer['schedule'] {
  if (v === SCHEDULES.step) return 'step';
  if (v === SCHEDULES.constant || v === 'LOCAL_SCHEDULE_UNSPECIFIED') return 'constant';
  return `unknown schedule ${String(v)}` as TaskOptimizer['schedule'];
}
